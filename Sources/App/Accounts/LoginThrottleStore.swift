import Fluent
import Vapor
import VertrouwdCore

/// Counts failed logins per account and per client in the database, and says when the next try is allowed.
struct LoginThrottleStore {
    let request: Request

    /// The keys one login attempt counts against: the account name typed, and the client.
    /// Both are HMAC digests; the client's address itself is never stored or logged.
    func keys(email: String) -> [String] {
        var keys = [request.vertrouwd.lookupDigest(email, purpose: "throttle-account")]
        if let address = request.remoteAddress?.ipAddress {
            keys.append(request.vertrouwd.lookupDigest(address, purpose: "throttle-client"))
        }
        return keys
    }

    /// The moment after which all of `keys` allow another attempt, or nil if they allow one now.
    func blockedUntil(_ keys: [String]) async throws -> Date? {
        let policy = request.vertrouwd.throttlePolicy
        let now = request.now
        let rows = try await LoginThrottle.query(on: request.db).filter(\.$keyDigest ~~ keys).all()
        let until = rows.compactMap { row -> Date? in
            guard now.timeIntervalSince(row.lastFailureAt) < policy.memory else { return nil }
            let next = policy.nextAttemptAllowed(failures: row.failures, lastFailure: row.lastFailureAt)
            return next > now ? next : nil
        }.max()
        return until
    }

    func recordFailure(_ keys: [String]) async throws {
        let policy = request.vertrouwd.throttlePolicy
        let now = request.now
        for key in keys {
            if let row = try await LoginThrottle.query(on: request.db).filter(\.$keyDigest == key).first() {
                row.failures = now.timeIntervalSince(row.lastFailureAt) < policy.memory ? row.failures + 1 : 1
                row.lastFailureAt = now
                try await row.save(on: request.db)
            } else {
                do {
                    try await LoginThrottle(keyDigest: key, failures: 1, lastFailureAt: now).create(on: request.db)
                } catch let error as any DatabaseError where error.isConstraintFailure {
                    // Another request created the row at the same moment; its count stands.
                }
            }
        }
    }

    /// A successful login clears the counts it was held to.
    func recordSuccess(_ keys: [String]) async throws {
        try await LoginThrottle.query(on: request.db).filter(\.$keyDigest ~~ keys).delete()
    }
}
