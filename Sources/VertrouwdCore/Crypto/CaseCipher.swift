import Crypto
import Foundation

/// The random 256-bit key that encrypts one case's content. One case can have several over its
/// life (`version`): removing a counsellor rotates it for everything written afterwards.
public struct CaseDataKey: Sendable {
    public let version: Int
    let key: SymmetricKey

    public static func generate(version: Int = 1, using random: any RandomSource = SystemRandomSource()) -> CaseDataKey {
        CaseDataKey(version: version, bytes: random.bytes(count: 32))
    }

    public init(version: Int, bytes: [UInt8]) {
        self.version = version
        key = SymmetricKey(data: bytes)
    }

    var bytes: [UInt8] { key.withUnsafeBytes { Array($0) } }
}

/// Where a piece of case content belongs. All of it goes into the associated data, so a
/// ciphertext moved to another case, field, item or version fails to open.
public struct ContentAddress: Sendable, Hashable {
    public let caseID: UUID
    /// What the content is: `message`, `note`, `identity`, `attachment` …
    public let field: String
    /// The row that holds it.
    public let itemID: UUID
    /// The edit number of that item (notes are versioned).
    public let revision: Int

    public init(caseID: UUID, field: String, itemID: UUID, revision: Int = 1) {
        self.caseID = caseID
        self.field = field
        self.itemID = itemID
        self.revision = revision
    }

    func associatedData(keyVersion: Int) -> [UInt8] {
        Array(
            "vertrouwd.content.v1|case=\(caseID.uuidString)|field=\(field)|item=\(itemID.uuidString)|revision=\(revision)|key=\(keyVersion)"
                .utf8)
    }
}

/// Encrypts and decrypts case content with ChaCha20-Poly1305 and a fresh random nonce each time.
public enum CaseCipher {
    public static func seal(
        _ plaintext: [UInt8], at address: ContentAddress, with key: CaseDataKey,
        random: any RandomSource = SystemRandomSource()
    ) throws -> [UInt8] {
        let nonce = try ChaChaPoly.Nonce(data: random.bytes(count: 12))
        let box = try ChaChaPoly.seal(
            plaintext, using: key.key, nonce: nonce, authenticating: address.associatedData(keyVersion: key.version))
        return Array(box.combined)
    }

    public static func open(_ combined: [UInt8], at address: ContentAddress, with key: CaseDataKey) throws -> [UInt8] {
        do {
            let box = try ChaChaPoly.SealedBox(combined: combined)
            return Array(try ChaChaPoly.open(box, using: key.key, authenticating: address.associatedData(keyVersion: key.version)))
        } catch {
            throw CryptoFailure.cannotOpen
        }
    }

    public static func seal(
        _ text: String, at address: ContentAddress, with key: CaseDataKey, random: any RandomSource = SystemRandomSource()
    ) throws -> [UInt8] {
        try seal(Array(text.utf8), at: address, with: key, random: random)
    }

    public static func openText(_ combined: [UInt8], at address: ContentAddress, with key: CaseDataKey) throws -> String {
        String(decoding: try open(combined, at: address, with: key), as: UTF8.self)
    }
}
