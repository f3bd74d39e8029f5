import Fluent
import Vapor

/// Counted attempts per key (an account, a client, an organisation), keyed by an HMAC under the
/// instance secret: the table holds neither e-mail addresses nor IP addresses. Kept in the database so
/// that several instances share the count. The table and column names are from when only failed
/// logins were counted; renaming them would need a migration and gain nothing.
final class ThrottleCount: Model, @unchecked Sendable {
    static let schema = "login_throttles"

    @ID(key: .id) var id: UUID?
    @Field(key: "key_digest") var keyDigest: String
    @Field(key: "failures") var failures: Int
    @Field(key: "last_failure_at") var lastFailureAt: Date

    init() {}

    init(keyDigest: String, failures: Int, lastFailureAt: Date) {
        self.keyDigest = keyDigest
        self.failures = failures
        self.lastFailureAt = lastFailureAt
    }
}
