import NIOConcurrencyHelpers
import NIOCore
import Vapor
import VertrouwdCore

/// Public pages that are the same for every visitor (the front page, an organisation's portal, its
/// knowledge base, a guide question), rendered once and then answered from memory.
///
/// What may differ per request is kept out: a page is taken from or put in the cache only for a
/// visitor who is not signed in as staff and has no notice waiting, and no cached page holds a form
/// token. The address (with its language preference) and, for the guide, the answers so far are the
/// key, so the language switch and the back link are those of the page asked for. Personal pages
/// never come here: a controller opts in per route.
///
/// A change to an organisation, its articles or its counsellors empties the cache at once on this
/// instance, and on the others when they see the shared version change (`PageCacheVersion`). Pages
/// do not expire by time: a visitor who times a page can tell no more than that someone asked for
/// it since the last change or restart.
final class PageCache: Sendable {
    /// Addresses come from visitors: a flood of made-up ones must not fill the memory. Past this,
    /// further pages are rendered for each request until the next change empties the cache.
    static let capacity = 2_000

    private struct State {
        var entries: [String: ByteBuffer] = [:]
        /// Raised by every emptying: a page rendered from what was there before is not kept.
        var generation = 0
        /// The shared version last seen in the database.
        var version: Int64?
        var hits = 0

        mutating func empty() {
            entries.removeAll()
            generation += 1
        }
    }

    private let state = NIOLockedValueBox(State())

    /// How many requests were answered from the cache since start (for tests).
    var hits: Int { state.withLockedValue { $0.hits } }

    /// The addresses held now (for tests: no personal page is ever among them).
    var keys: [String] { state.withLockedValue { Array($0.entries.keys) } }

    var generation: Int { state.withLockedValue { $0.generation } }

    func body(for key: String) -> ByteBuffer? {
        state.withLockedValue { state in
            guard let body = state.entries[key] else { return nil }
            state.hits += 1
            return body
        }
    }

    /// Keeps `body`, unless the cache was emptied since `generation` (the page may show what changed).
    func store(_ body: ByteBuffer, for key: String, generation: Int) {
        state.withLockedValue { state in
            guard state.generation == generation, state.entries.count < Self.capacity else { return }
            state.entries[key] = body
        }
    }

    func removeAll() {
        state.withLockedValue { $0.empty() }
    }

    /// Empties the cache when the shared version moved since it was last seen (the first look only
    /// notes it). Run every few seconds (`RepeatingJob`), this also catches a change committed after
    /// this instance emptied its cache, should a page have been rendered from it in between.
    func follow(version: Int64) {
        state.withLockedValue { state in
            if let seen = state.version, seen != version { state.empty() }
            state.version = version
        }
    }
}

extension Application {
    private struct PageCacheKey: StorageKey {
        typealias Value = PageCache
    }

    /// This application's page cache (`configure` makes it).
    var pageCache: PageCache {
        get { configured(PageCacheKey.self) }
        set { storage[PageCacheKey.self] = newValue }
    }
}

extension Request {
    /// The page from the page cache when this request may have it; otherwise `render`'s, kept for the
    /// next visitor when it is an ordinary 200. `variant` tells apart pages at one address (the
    /// guide's answers).
    func cachedPage(variant: String = "", render: () async throws -> Response) async throws -> Response {
        guard let key = pageCacheKey(variant: variant) else { return try await render() }
        let cache = application.pageCache
        if let body = cache.body(for: key) {
            var headers = HTTPHeaders()
            headers.contentType = .html
            return Response(status: .ok, headers: headers, body: .init(buffer: body))
        }
        let generation = cache.generation
        let response = try await render()
        if response.status == .ok, let body = response.body.buffer, !holdsFormField(body) {
            cache.store(body, for: key, generation: generation)
        }
        return response
    }

    /// A safeguard: a page with a form token field (whoever's session it came from) is never kept.
    private func holdsFormField(_ body: ByteBuffer) -> Bool {
        body.readableBytesView.firstRange(of: Self.formTokenField) != nil
    }

    private static let formTokenField = Array(#"name="csrf""#.utf8)

    /// Nil when this request must see a page of its own: staff signed in, a notice waiting, or a
    /// query string (a made-up one would only fill the cache).
    private func pageCacheKey(variant: String) -> String? {
        guard staffAccount == nil, url.query == nil else { return nil }
        if hasSession, session.data[SessionKeys.notice] != nil { return nil }
        let preference = hasLanguagePreference ? language.code : "-"
        return "\(method.rawValue) \(path) \(preference) \(variant)"
    }
}
