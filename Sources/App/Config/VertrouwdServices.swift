import Vapor
import VertrouwdCore

/// The dependencies every controller needs, built once in `configure` and reached through
/// `app.vertrouwd` / `req.vertrouwd`. Tests build the same app with other settings, clock or randomness.
public struct VertrouwdServices: Sendable {
    public let settings: AppSettings
    public let catalog: Catalog
    public let clock: any WallClock
    public let random: any RandomSource
    public let instanceSecret: InstanceSecret
    public let passwords: PasswordService
    public let throttlePolicy: ThrottlePolicy
    /// The knowledge base, its search indexes (one per language) and the guide, loaded at start.
    public let knowledgeBase: KnowledgeBase
    let search: KnowledgeSearch
    public let guide: Guide
    let externalBodies: [ExternalBody]
    /// This process among the instances on one database: the holder of job leases and mail claims.
    let instanceID: String

    /// Seals staff TOTP seeds at rest.
    public var totpBox: SecretBox { SecretBox(instanceSecret: instanceSecret.bytes, purpose: "staff-totp") }

    /// A digest of something guessable (an e-mail address) that cannot be tested offline without the instance secret.
    public func lookupDigest(_ value: String, purpose: String) -> String {
        Token.keyedDigest(value, key: instanceSecret.bytes, purpose: purpose)
    }
}

extension Application {
    private struct ServicesKey: StorageKey {
        typealias Value = VertrouwdServices
    }

    public var vertrouwd: VertrouwdServices {
        get { configured(ServicesKey.self) }
        set { storage[ServicesKey.self] = newValue }
    }

    /// What `configure` put in the application's storage under `key`; missing, it is a programming error.
    func configured<Key: StorageKey>(_ key: Key.Type) -> Key.Value {
        guard let value = storage[key] else { fatalError("configure(_:) has not run") }
        return value
    }
}

extension Request {
    public var vertrouwd: VertrouwdServices { application.vertrouwd }
    public var now: Date { application.vertrouwd.clock.now }
}
