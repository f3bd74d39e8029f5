import Fluent
import Vapor
import VertrouwdCore

/// A session as stored: the SHA-256 of its id (the cookie value), never the id itself, so that a
/// copy of the database does not let anyone take over a staff member's session.
final class WebSession: Model, @unchecked Sendable {
    static let schema = "web_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "key_digest") var keyDigest: String
    @Field(key: "data") var data: SessionData
    @Field(key: "last_seen_at") var lastSeenAt: Date

    init() {}

    init(keyDigest: String, data: SessionData, lastSeenAt: Date) {
        self.keyDigest = keyDigest
        self.data = data
        self.lastSeenAt = lastSeenAt
    }
}

/// Vapor's session driver over `web_sessions`: random 256-bit ids, stored hashed; sessions unused for
/// `retention` are deleted whenever a new one is made. A request that changed nothing in its session
/// writes it only when its last-seen time is `refreshAfter` old, so reading pages costs no write.
struct HashedSessionDriver: SessionDriver {
    static let retention: TimeInterval = 24 * 60 * 60
    static let refreshAfter: TimeInterval = 60

    /// The session as this request read it, and when.
    private struct ReadKey: StorageKey {
        typealias Value = (data: [String: String], lastSeenAt: Date, readAt: Date)
    }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        request.eventLoop.makeFutureWithTask {
            let id = Token.generate(using: request.vertrouwd.random)
            let now = request.now
            try await WebSession.query(on: request.db).filter(\.$lastSeenAt < now.addingTimeInterval(-Self.retention)).delete()
            try await WebSession(keyDigest: Token.digest(id), data: data, lastSeenAt: now).create(on: request.db)
            return SessionID(string: id)
        }
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        request.eventLoop.makeFutureWithTask {
            let stored = try await WebSession.query(on: request.db).filter(\.$keyDigest == Token.digest(sessionID.string)).first()
            if let stored { request.storage[ReadKey.self] = (stored.data.snapshot, stored.lastSeenAt, request.now) }
            return stored?.data
        }
    }

    /// Runs after the handler, whose work may already be stored (a case, a reply): a database that is
    /// away at this moment costs the session's last change, never the answer the person is waiting for.
    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        // The time of the read, not a new look at the clock: this runs after the answer was made,
        // when (at shutdown) the application's services may be gone.
        let read = request.storage[ReadKey.self]
        if let read, read.data == data.snapshot, read.readAt.timeIntervalSince(read.lastSeenAt) < Self.refreshAfter {
            return request.eventLoop.makeSucceededFuture(sessionID)
        }
        let now = read?.readAt ?? request.now
        return request.eventLoop.makeFutureWithTask {
            do {
                try await WebSession.query(on: request.db).filter(\.$keyDigest == Token.digest(sessionID.string))
                    .set(\.$data, to: data).set(\.$lastSeenAt, to: now).update()
            } catch  where DatabaseOutage.isOutage(error) {
                request.logger.warning("session not saved", metadata: ["error": .string(DatabaseOutage.describe(error))])
            }
            return sessionID
        }
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        request.eventLoop.makeFutureWithTask {
            do {
                try await WebSession.query(on: request.db).filter(\.$keyDigest == Token.digest(sessionID.string)).delete()
            } catch  where DatabaseOutage.isOutage(error) {
                // Unused sessions are deleted after a day anyway.
                request.logger.warning("session not deleted", metadata: ["error": .string(DatabaseOutage.describe(error))])
            }
        }
    }
}
