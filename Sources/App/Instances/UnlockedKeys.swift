import Crypto
import Fluent
import Vapor
import VertrouwdCore

/// A key that is open for a signed-in counsellor or an open journal, kept between requests so that
/// any instance can serve the next one, and useless to anyone holding only the database.
///
/// The key is sealed (ChaCha20-Poly1305) under a key derived from a 256-bit secret that lives only in
/// the browser's `vertrouwd_key` cookie, salted with the instance secret and bound to the handle kept
/// in the session. The database holds the sealed bytes and the handle's digest; the server forgets the
/// browser's secret after each request. A row unused for the idle timeout is deleted.
final class UnlockedKeyRecord: Model, @unchecked Sendable {
    static let schema = "unlocked_keys"

    @ID(key: .id) var id: UUID?
    @Field(key: "handle_digest") var handleDigest: String
    @Field(key: "kind") var kind: String
    @Field(key: "owner_id") var ownerID: UUID
    @Field(key: "sealed") var sealed: Data
    @Field(key: "last_used_at") var lastUsedAt: Date

    init() {}

    init(handleDigest: String, kind: String, ownerID: UUID, sealed: Data, lastUsedAt: Date) {
        self.handleDigest = handleDigest
        self.kind = kind
        self.ownerID = ownerID
        self.sealed = sealed
        self.lastUsedAt = lastUsedAt
    }
}

/// Puts, opens and drops unlocked keys for one request. See `UnlockedKeyRecord`.
struct UnlockedKeys {
    enum Kind: String {
        case counsellor
        case journal
    }

    static let cookieName = "vertrouwd_key"
    let request: Request

    /// Seals `raw` for this browser and returns the handle the session keeps.
    func put(_ raw: [UInt8], kind: Kind, owner: UUID) async throws -> String {
        let services = request.vertrouwd
        let handle = Token.generate(using: services.random)
        let secret = BrowserSecret.current(of: request, creating: true) ?? []
        let nonce = try ChaChaPoly.Nonce(data: services.random.bytes(count: 12))
        let box = try ChaChaPoly.seal(
            raw, using: sealingKey(secret, handle: handle), nonce: nonce, authenticating: Self.context(kind, owner))
        let now = request.now
        try await Self.sweep(idleTimeout: services.settings.sessionIdleTimeout, now: now, on: request.db)
        try await UnlockedKeyRecord(
            handleDigest: Token.digest(handle), kind: kind.rawValue, ownerID: owner, sealed: box.combined, lastUsedAt: now
        ).create(on: request.db)
        return handle
    }

    /// The key behind `handle` with its owner, if this browser sealed it and it has not timed out.
    func open(_ handle: String, kind: Kind) async throws -> (owner: UUID, raw: [UInt8])? {
        guard let secret = BrowserSecret.current(of: request, creating: false),
            let record = try await UnlockedKeyRecord.query(on: request.db).filter(\.$handleDigest == Token.digest(handle))
                .filter(\.$kind == kind.rawValue).first()
        else { return nil }
        let now = request.now
        let idle = now.timeIntervalSince(record.lastUsedAt)
        guard idle <= request.vertrouwd.settings.sessionIdleTimeout else {
            try await record.delete(on: request.db)
            return nil
        }
        guard let box = try? ChaChaPoly.SealedBox(combined: record.sealed),
            let raw = try? ChaChaPoly.open(
                box, using: sealingKey(secret, handle: handle), authenticating: Self.context(kind, record.ownerID))
        else { return nil }
        if idle >= request.vertrouwd.settings.lastSeenInterval {
            record.lastUsedAt = now
            try await record.save(on: request.db)
        }
        return (record.ownerID, Array(raw))
    }

    func remove(_ handle: String) async throws {
        try await UnlockedKeyRecord.query(on: request.db).filter(\.$handleDigest == Token.digest(handle)).delete()
    }

    /// Drops every open key of one owner, on every instance (a reset account, a deleted journal).
    static func removeAll(of owner: UUID, kind: Kind, on db: any Database) async throws {
        try await UnlockedKeyRecord.query(on: db).filter(\.$ownerID == owner).filter(\.$kind == kind.rawValue).delete()
    }

    /// Deletes the sealed keys nobody used for the idle timeout (they no longer open anyway); run
    /// with the daily purge, so that a key sealed before a quiet spell does not wait for the next login.
    static func sweep(idleTimeout: TimeInterval, now: Date, on db: any Database) async throws {
        try await UnlockedKeyRecord.query(on: db).filter(\.$lastUsedAt < now.addingTimeInterval(-idleTimeout)).delete()
    }

    private func sealingKey(_ secret: [UInt8], handle: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secret), salt: request.vertrouwd.instanceSecret.bytes,
            info: Array("vertrouwd.unlocked-key.v1|\(handle)".utf8), outputByteCount: 32)
    }

    private static func context(_ kind: Kind, _ owner: UUID) -> [UInt8] {
        Array("vertrouwd.unlocked-key|\(kind.rawValue)|\(owner.uuidString)".utf8)
    }
}

extension Request {
    var unlockedKeys: UnlockedKeys { UnlockedKeys(request: self) }
}

/// The browser's half of every unlocked key: 32 random bytes in an HTTP-only cookie, sent back by
/// `BrowserSecretMiddleware`. A new one is made at every login and every journal opening, so a
/// secret that someone else knew or planted in the browser before never seals a key; it is
/// expired when the last key of the session is dropped.
enum BrowserSecret {
    private struct Made: StorageKey {
        typealias Value = [UInt8]
    }

    private struct Forgotten: StorageKey {
        typealias Value = Bool
    }

    /// A fresh secret for the keys this request puts; keys sealed under the old one no longer open.
    static func renew(_ request: Request) {
        request.storage[Made.self] = request.vertrouwd.random.bytes(count: 32)
        request.storage[Forgotten.self] = nil
    }

    /// Expires the cookie with this request's response.
    static func forget(_ request: Request) {
        request.storage[Made.self] = nil
        request.storage[Forgotten.self] = true
    }

    static func isForgotten(_ request: Request) -> Bool { request.storage[Forgotten.self] == true }

    static func current(of request: Request, creating: Bool) -> [UInt8]? {
        if let made = request.storage[Made.self] { return made }
        if let value = request.cookies[UnlockedKeys.cookieName]?.string,
            let data = Data(base64Encoded: value), data.count == 32
        {
            return Array(data)
        }
        guard creating else { return nil }
        let made = request.vertrouwd.random.bytes(count: 32)
        request.storage[Made.self] = made
        return made
    }

    static func madeDuring(_ request: Request) -> [UInt8]? { request.storage[Made.self] }
}
