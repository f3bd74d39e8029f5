import Fluent
import SQLKit
import Vapor
import VertrouwdCore

/// Counts attempts per key (an account, a client, an organisation) in the database, and says when the
/// next one is allowed. Used for logins, receipts and submitted forms, each with its own policy.
struct ThrottleStore {
    let request: Request
    var policy: ThrottlePolicy

    init(request: Request, policy: ThrottlePolicy? = nil) {
        self.request = request
        self.policy = policy ?? request.vertrouwd.throttlePolicy
    }

    /// Whole minutes to wait, rounded up, never zero: what a page tells a person who is held back.
    static func minutes(until: Date, now: Date) -> String {
        String(max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up))))
    }

    /// The key for the client alone, for throttles that are not about an account (receipts).
    func clientKey(purpose: String) -> String {
        request.vertrouwd.lookupDigest(request.clientAddress, purpose: purpose)
    }

    /// How many recent attempts a key has counted.
    func attempts(_ key: String) async throws -> Int {
        guard let row = try await ThrottleCount.query(on: request.db).filter(\.$keyDigest == key).first(),
            request.now.timeIntervalSince(row.lastFailureAt) < policy.memory
        else { return 0 }
        return row.failures
    }

    /// The keys one login attempt counts against: the account name typed, and the client.
    /// Both are HMAC digests; the client's address itself is never stored or logged.
    func keys(email: String) -> [String] {
        [request.vertrouwd.lookupDigest(email, purpose: "throttle-account"), clientKey(purpose: "throttle-client")]
    }

    /// The moment after which all of `keys` allow another attempt, or nil if they allow one now.
    func blockedUntil(_ keys: [String]) async throws -> Date? {
        let now = request.now
        let rows = try await ThrottleCount.query(on: request.db).filter(\.$keyDigest ~~ keys).all()
        let until = rows.compactMap { row -> Date? in
            // Within the free attempts nothing waits, even if another request counted a moment "later".
            guard now.timeIntervalSince(row.lastFailureAt) < policy.memory, policy.delay(afterAttempts: row.failures) > 0
            else { return nil }
            let next = policy.nextAttemptAllowed(attempts: row.failures, lastAttempt: row.lastFailureAt)
            return next > now ? next : nil
        }.max()
        return until
    }

    /// Counts one more attempt against each key. The count is raised in the database itself, so
    /// attempts at the same moment (on one instance or several) each count. `database` is a
    /// transaction's when the count belongs with what it counts (a stored case).
    func recordAttempt(_ keys: [String], on database: (any Database)? = nil) async throws {
        let forgotten = request.now.addingTimeInterval(-policy.memory)
        for key in keys { try await raise(key, since: forgotten, on: database) }
    }

    /// Raises one key's count in one statement, making its row if there is none; a count whose last
    /// attempt is not after `since` starts again at 1. The moment of the last attempt moves with
    /// every attempt, or, with `fixedWindow`, stays at the start of the window until it has passed.
    /// One statement never fails halfway, so it may run inside a transaction on PostgreSQL too.
    func raise(_ key: String, since: Date, fixedWindow: Bool = false, on database: (any Database)? = nil) async throws {
        let now = request.now
        guard let sql = (database ?? request.db) as? any SQLDatabase else { throw Abort(.internalServerError) }
        let table = ThrottleCount.schema
        let last: SQLQueryString =
            fixedWindow
            ? "CASE WHEN \(ident: table).last_failure_at > \(bind: since) THEN \(ident: table).last_failure_at ELSE \(bind: now) END"
            : "\(bind: now)"
        try await sql.raw(
            """
            INSERT INTO \(ident: table) (id, key_digest, failures, last_failure_at) VALUES (\(bind: UUID()), \(bind: key), 1, \(bind: now)) \
            ON CONFLICT (key_digest) DO UPDATE SET \
            failures = CASE WHEN \(ident: table).last_failure_at > \(bind: since) THEN \(ident: table).failures + 1 ELSE 1 END, \
            last_failure_at = \(last)
            """
        ).run()
    }

    /// A successful login clears the counts it was held to.
    func recordSuccess(_ keys: [String]) async throws {
        try await ThrottleCount.query(on: request.db).filter(\.$keyDigest ~~ keys).delete()
    }
}

extension Request {
    /// The client's address, for throttling only (it is never stored or logged, only its keyed digest).
    /// Behind a reverse proxy, `VERTROUWD_TRUST_PROXY=1` makes it the first `X-Forwarded-For` entry;
    /// without it a forwarded header is ignored, since any client could set one.
    var clientAddress: String {
        if vertrouwd.settings.trustProxy,
            let forwarded = headers.first(name: "X-Forwarded-For")?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces),
            !forwarded.isEmpty
        {
            return forwarded
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }
}
