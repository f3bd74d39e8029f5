import Fluent
import Vapor

/// Empties the page cache whenever a model that a cached page shows is saved (`configure` lists them:
/// organisations, their own articles, counsellors' accounts, memberships and profiles). A change on
/// another instance reaches this one's cache when the copy expires (`PageCache.lifetime`).
struct PageCacheInvalidation<Watched: Model>: AsyncModelMiddleware {
    typealias Model = Watched
    let cache: PageCache

    func create(model: Watched, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.create(model, on: db)
        cache.removeAll()
    }

    func update(model: Watched, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.update(model, on: db)
        cache.removeAll()
    }

    func delete(model: Watched, force: Bool, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.delete(model, force: force, on: db)
        cache.removeAll()
    }
}
