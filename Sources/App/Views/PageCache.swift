import NIOConcurrencyHelpers
import NIOCore
import Vapor
import VertrouwdCore

/// Public pages that are the same for every visitor (the front page, an organisation's portal, its
/// knowledge base, a guide question), rendered once and then answered from memory.
///
/// What may differ per request is kept out: a page is taken from or put in the cache only for a
/// visitor who is not signed in as staff and has no notice waiting, and the session's form token is
/// cut out of a stored page and put back per request. The address (with its language preference)
/// and, for the guide, the answers so far are the key, so the language switch and the back link are
/// those of the page asked for. Personal pages never come here: a controller opts in per route.
///
/// A change to an organisation, its articles or its counsellors empties the cache at once
/// (`PageCacheInvalidation`); other instances on the same database see it when their copy expires,
/// after `lifetime`.
final class PageCache: Sendable {
    static let lifetime = TimeAmount.seconds(5)
    /// Addresses come from visitors: a flood of made-up ones must not fill the memory.
    static let capacity = 2_000

    private struct Entry {
        /// The body, cut where the form token stood.
        let parts: [ByteBuffer]
        let storedAt: NIODeadline
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var hits = 0
    }

    private let state = NIOLockedValueBox(State())

    /// How many requests were answered from the cache since start (for tests).
    var hits: Int { state.withLockedValue { $0.hits } }

    /// The addresses held now (for tests: no personal page is ever among them).
    var keys: [String] { state.withLockedValue { Array($0.entries.keys) } }

    func parts(for key: String, now: NIODeadline = .now()) -> [ByteBuffer]? {
        state.withLockedValue { state in
            guard let entry = state.entries[key] else { return nil }
            guard now - entry.storedAt < Self.lifetime else {
                state.entries[key] = nil
                return nil
            }
            state.hits += 1
            return entry.parts
        }
    }

    func store(_ body: ByteBuffer, cutAt token: String?, for key: String, now: NIODeadline = .now()) {
        let parts = token.map { Self.cut(body, at: $0) } ?? [body]
        state.withLockedValue { state in
            if state.entries.count >= Self.capacity {
                state.entries = state.entries.filter { now - $0.value.storedAt < Self.lifetime }
                if state.entries.count >= Self.capacity { return }
            }
            state.entries[key] = Entry(parts: parts, storedAt: now)
        }
    }

    func removeAll() {
        state.withLockedValue { $0.entries.removeAll() }
    }

    /// The body in pieces around every occurrence of `token`.
    static func cut(_ body: ByteBuffer, at token: String) -> [ByteBuffer] {
        let needle = Array(token.utf8)
        guard let first = needle.first else { return [body] }
        let bytes = body.readableBytesView
        var parts: [ByteBuffer] = []
        var start = bytes.startIndex
        var index = start
        while let found = bytes[index...].firstIndex(of: first) {
            if bytes[found...].starts(with: needle) {
                parts.append(ByteBuffer(bytes[start..<found]))
                start = found + needle.count
                index = start
            } else {
                index = found + 1
            }
        }
        parts.append(ByteBuffer(bytes[start...]))
        return parts
    }
}

extension Application {
    private struct PageCacheKey: StorageKey {
        typealias Value = PageCache
    }

    /// This application's page cache (`configure` makes it).
    var pageCache: PageCache {
        get {
            guard let cache = storage[PageCacheKey.self] else { fatalError("configure(_:) has not run") }
            return cache
        }
        set { storage[PageCacheKey.self] = newValue }
    }
}

extension Request {
    /// The page from the page cache when this request may have it; otherwise `render`'s, kept for the
    /// next visitor when it is an ordinary 200. `variant` tells apart pages at one address (the
    /// guide's answers); `withToken` says the page holds the session's form token.
    func cachedPage(
        variant: String = "", withToken: Bool = false, render: () async throws -> Response
    ) async throws -> Response {
        guard let key = pageCacheKey(variant: variant) else { return try await render() }
        let cache = application.pageCache
        if let parts = cache.parts(for: key) {
            var body = ByteBufferAllocator().buffer(capacity: parts.reduce(0) { $0 + $1.readableBytes } + 64 * parts.count)
            let token = withToken && parts.count > 1 ? csrfToken() : ""
            for (number, part) in parts.enumerated() {
                if number > 0 { body.writeString(token) }
                body.writeImmutableBuffer(part)
            }
            var headers = HTTPHeaders()
            headers.contentType = .html
            return Response(status: .ok, headers: headers, body: .init(buffer: body))
        }
        let response = try await render()
        if response.status == .ok, let body = response.body.buffer {
            cache.store(body, cutAt: withToken ? csrfToken() : nil, for: key)
        }
        return response
    }

    /// Nil when this request must see a page of its own: staff signed in, a notice waiting, or a
    /// query string (a made-up one would only fill the cache).
    private func pageCacheKey(variant: String) -> String? {
        guard staffAccount == nil, url.query == nil else { return nil }
        if hasSession, session.data[SessionKeys.notice] != nil { return nil }
        let preference = hasLanguagePreference ? language.code : "-"
        return "\(method.rawValue) \(url.path) \(preference) \(variant)"
    }
}
