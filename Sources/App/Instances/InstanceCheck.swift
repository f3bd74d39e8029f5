import Fluent
import Vapor
import VertrouwdCore

/// Facts every instance on one database must agree on. The first is the instance secret: its
/// fingerprint (an HMAC of a fixed text under the secret, which reveals nothing of it) is stored by
/// the first instance to start, and an instance with another secret refuses to start, instead of
/// failing to find receipts, journals and TOTP seeds that the others made.
final class InstanceCheck: Model, @unchecked Sendable {
    static let schema = "instance_checks"
    static let secretFingerprint = "instance-secret-fingerprint"

    @ID(custom: "name", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String

    init() {}

    init(name: String, value: String) {
        self.id = name
        self.value = value
    }

    enum Failure: Error, CustomStringConvertible {
        case otherSecret

        var description: String {
            "this database was set up with another instance secret: give every instance the same VERTROUWD_SECRET or VERTROUWD_SECRET_FILE (see docs/deployment.md)"
        }
    }

    /// Stores the secret's fingerprint on first start; throws when it differs from the stored one.
    static func verifySecret(_ services: VertrouwdServices, on db: any Database) async throws {
        let fingerprint = services.lookupDigest("vertrouwd instance secret check", purpose: "instance-check")
        if let stored = try await InstanceCheck.find(secretFingerprint, on: db) {
            guard constantTimeEquals(Array(stored.value.utf8), Array(fingerprint.utf8)) else { throw Failure.otherSecret }
            return
        }
        do {
            try await InstanceCheck(name: secretFingerprint, value: fingerprint).create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Another instance stored it at the same moment: check against that one.
            try await verifySecret(services, on: db)
        }
    }
}
