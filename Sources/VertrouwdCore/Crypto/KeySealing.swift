import Crypto
import Foundation

/// Who may open a case's data key: a counsellor (by account id) or the person who made the case.
public enum Recipient: Sendable, Hashable, CustomStringConvertible {
    case counsellor(UUID)
    case reporter

    public var description: String {
        switch self {
        case .counsellor(let id): "counsellor:\(id.uuidString)"
        case .reporter: "reporter"
        }
    }
}

/// A case data key sealed with HPKE (RFC 9180: DHKEM X25519, HKDF-SHA256, ChaCha20-Poly1305) to one
/// recipient's public key. The HPKE `info` binds it to the case, the recipient and the key version.
public struct SealedDataKey: Sendable, Equatable {
    public let encapsulatedKey: [UInt8]
    public let ciphertext: [UInt8]

    public init(encapsulatedKey: [UInt8], ciphertext: [UInt8]) {
        self.encapsulatedKey = encapsulatedKey
        self.ciphertext = ciphertext
    }

    static let suite = HPKE.Ciphersuite.Curve25519_SHA256_ChachaPoly

    static func info(caseID: UUID, recipient: Recipient, version: Int) -> Data {
        Data("vertrouwd.case-key.v1|case=\(caseID.uuidString)|\(recipient)|version=\(version)".utf8)
    }

    public static func seal(
        _ key: CaseDataKey, caseID: UUID, to recipient: Recipient, publicKey: Curve25519.KeyAgreement.PublicKey
    ) throws -> SealedDataKey {
        var sender = try HPKE.Sender(
            recipientKey: publicKey, ciphersuite: suite, info: info(caseID: caseID, recipient: recipient, version: key.version))
        let ciphertext = try sender.seal(key.bytes)
        return SealedDataKey(encapsulatedKey: Array(sender.encapsulatedKey), ciphertext: Array(ciphertext))
    }

    public func open(
        caseID: UUID, as recipient: Recipient, version: Int, privateKey: Curve25519.KeyAgreement.PrivateKey
    ) throws -> CaseDataKey {
        do {
            var receiver = try HPKE.Recipient(
                privateKey: privateKey, ciphersuite: Self.suite,
                info: Self.info(caseID: caseID, recipient: recipient, version: version), encapsulatedKey: Data(encapsulatedKey))
            let bytes = try receiver.open(ciphertext)
            guard bytes.count == 32 else { throw CryptoFailure.cannotOpen }
            return CaseDataKey(version: version, bytes: Array(bytes))
        } catch {
            throw CryptoFailure.cannotOpen
        }
    }
}
