import Crypto
import Foundation

/// A secret (a private key, a data key) sealed under a key derived from a passphrase with scrypt.
///
/// Stored as one string, `v1$ln=17,r=8,p=1$<salt>$<sealed>`: the KDF parameters and the salt travel
/// with it, so parameters can be raised later without losing what was wrapped before. The
/// associated data (`context`) names what is wrapped and for whom, so a wrapped key copied to
/// another account or purpose does not open.
public struct WrappedSecret: Sendable, Equatable {
    public let parameters: ScryptPasswordHasher.Parameters
    public let salt: [UInt8]
    public let sealed: [UInt8]

    public static func wrap(
        _ secret: [UInt8], passphrase: String, context: String,
        parameters: ScryptPasswordHasher.Parameters, random: any RandomSource = SystemRandomSource()
    ) throws -> WrappedSecret {
        let salt = random.bytes(count: 16)
        let key = try SymmetricKey(data: ScryptPasswordHasher.derive(passphrase, salt: salt, parameters: parameters))
        let nonce = try ChaChaPoly.Nonce(data: random.bytes(count: 12))
        let box = try ChaChaPoly.seal(secret, using: key, nonce: nonce, authenticating: Self.aad(context))
        return WrappedSecret(parameters: parameters, salt: salt, sealed: Array(box.combined))
    }

    public func unwrap(passphrase: String, context: String) throws -> [UInt8] {
        guard !passphrase.isEmpty else { throw CryptoFailure.wrongPassphrase }
        let key = try SymmetricKey(data: ScryptPasswordHasher.derive(passphrase, salt: salt, parameters: parameters))
        do {
            let box = try ChaChaPoly.SealedBox(combined: sealed)
            return Array(try ChaChaPoly.open(box, using: key, authenticating: Self.aad(context)))
        } catch {
            throw CryptoFailure.wrongPassphrase
        }
    }

    static func aad(_ context: String) -> [UInt8] { Array("vertrouwd.wrap.v1|\(context)".utf8) }

    public var encoded: String {
        let settings = "ln=\(parameters.logRounds),r=\(parameters.blockSize),p=\(parameters.parallelism)"
        return "v1$\(settings)$\(Data(salt).base64EncodedString())$\(Data(sealed).base64EncodedString())"
    }

    public init(parameters: ScryptPasswordHasher.Parameters, salt: [UInt8], sealed: [UInt8]) {
        self.parameters = parameters
        self.salt = salt
        self.sealed = sealed
    }

    public init(encoded: String) throws {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "v1",
            let salt = Data(base64Encoded: String(parts[2])), let sealed = Data(base64Encoded: String(parts[3])),
            let parameters = try? ScryptPasswordHasher.decodeSettings(parts[1])
        else { throw CryptoFailure.malformed }
        self.init(parameters: parameters, salt: Array(salt), sealed: Array(sealed))
    }
}
