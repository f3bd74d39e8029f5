import Crypto
import Foundation

/// Authenticated encryption of small server-held secrets (such as a staff member's TOTP seed)
/// under a key derived from the instance secret, so that a stolen database alone does not reveal them.
///
/// The associated data binds each ciphertext to its purpose and owner: a value copied to
/// another row or column does not open.
public struct SecretBox: Sendable {
    public enum Failure: Error, Equatable {
        case cannotOpen
    }

    private let key: SymmetricKey

    public init(instanceSecret: [UInt8], purpose: String) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: instanceSecret),
            salt: Array("vertrouwd.secretbox.v1".utf8),
            info: Array(purpose.utf8),
            outputByteCount: 32)
    }

    public func seal(_ plaintext: [UInt8], context: String) throws -> [UInt8] {
        let box = try ChaChaPoly.seal(plaintext, using: key, authenticating: Array(context.utf8))
        return Array(box.combined)
    }

    public func open(_ combined: [UInt8], context: String) throws -> [UInt8] {
        do {
            let box = try ChaChaPoly.SealedBox(combined: combined)
            return Array(try ChaChaPoly.open(box, using: key, authenticating: Array(context.utf8)))
        } catch {
            throw Failure.cannotOpen
        }
    }
}
