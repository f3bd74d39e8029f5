import Fluent
import SQLKit
import Vapor

/// The page cache's version in the database: every save of what a cached page shows raises it in the
/// same transaction, and every instance empties its cache when it sees it change (`follow`, a job
/// every few seconds). So a change reaches every instance's cache without pages expiring by time,
/// and a cached page tells a visitor who times it no more than that someone read it since the last
/// change or restart.
enum PageCacheVersion {
    static let schema = "page_cache_versions"
    static let row = "pages"

    static func raise(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("UPDATE \(ident: schema) SET version = version + 1 WHERE name = \(bind: row)").run()
    }

    static func current(on db: any Database) async throws -> Int64? {
        guard let sql = db as? any SQLDatabase else { return nil }
        return try await sql.raw("SELECT version FROM \(ident: schema) WHERE name = \(bind: row)").first()?
            .decode(column: "version", as: Int64.self)
    }
}

/// Empties the page cache whenever a model that a cached page shows is saved (`configure` lists them:
/// organisations, their own articles, counsellors' accounts, memberships and profiles): at once on
/// this instance, and on every instance through the version, once the save is committed.
struct PageCacheInvalidation<Watched: Model>: AsyncModelMiddleware {
    typealias Model = Watched
    let cache: PageCache

    func create(model: Watched, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.create(model, on: db)
        try await changed(on: db)
    }

    func update(model: Watched, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.update(model, on: db)
        try await changed(on: db)
    }

    func delete(model: Watched, force: Bool, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.delete(model, force: force, on: db)
        try await changed(on: db)
    }

    private func changed(on db: any Database) async throws {
        try await PageCacheVersion.raise(on: db)
        cache.removeAll()
    }
}
