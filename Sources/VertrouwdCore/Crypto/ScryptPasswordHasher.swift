import Crypto
import CryptoExtras
import Foundation

/// Memory-hard password hashing with scrypt.
///
/// The parameters travel with every hash (`$scrypt$ln=17,r=8,p=1$salt$hash`) so that they can be
/// raised later: an old hash still verifies, and `needsRehash` tells when to store a new one.
public struct ScryptPasswordHasher: Sendable {
    public struct Parameters: Sendable, Equatable {
        /// log2 of scrypt's cost N.
        public var logRounds: Int
        public var blockSize: Int
        public var parallelism: Int

        public init(logRounds: Int, blockSize: Int, parallelism: Int) {
            self.logRounds = logRounds
            self.blockSize = blockSize
            self.parallelism = parallelism
        }

        /// N = 2^17, r = 8, p = 1: about 128 MiB and a few hundred milliseconds per derivation.
        public static let standard = Parameters(logRounds: 17, blockSize: 8, parallelism: 1)

        /// The floor a production instance refuses to go below (issue #2).
        public static let minimum = standard

        /// Cheap parameters for tests of code that merely needs *a* hash. Never accepted outside tests.
        public static let fastForTests = Parameters(logRounds: 10, blockSize: 8, parallelism: 1)

        public var meetsMinimum: Bool {
            logRounds >= Self.minimum.logRounds && blockSize >= Self.minimum.blockSize
                && parallelism >= Self.minimum.parallelism
        }

        /// The memory one derivation takes: 128 · N · r · p bytes.
        public var memoryBytes: Int { 128 * (1 << logRounds) * blockSize * parallelism }
    }

    public enum Failure: Error, Equatable {
        case emptyPassword
        case malformedHash
    }

    public static let saltByteCount = 16
    public static let hashByteCount = 32

    public let parameters: Parameters
    private let random: any RandomSource

    public init(parameters: Parameters = .standard, random: any RandomSource = SystemRandomSource()) {
        self.parameters = parameters
        self.random = random
    }

    /// Derives raw key material; also the building block for key wrapping in later issues.
    public static func derive(
        _ password: String, salt: [UInt8], parameters: Parameters, byteCount: Int = hashByteCount
    ) throws -> [UInt8] {
        let bytes = Array(password.utf8)
        guard !bytes.isEmpty else { throw Failure.emptyPassword }
        let key = try KDF.Scrypt.deriveKey(
            from: bytes, salt: salt, outputByteCount: byteCount,
            rounds: 1 << parameters.logRounds, blockSize: parameters.blockSize,
            parallelism: parameters.parallelism)
        return key.withUnsafeBytes { Array($0) }
    }

    public func hash(_ password: String) throws -> String {
        let salt = random.bytes(count: Self.saltByteCount)
        let hash = try Self.derive(password, salt: salt, parameters: parameters)
        return Self.encode(parameters: parameters, salt: salt, hash: hash)
    }

    public func verify(_ password: String, against encoded: String) throws -> Bool {
        let stored = try Self.decode(encoded)
        guard !password.isEmpty else { return false }
        let candidate = try Self.derive(password, salt: stored.salt, parameters: stored.parameters, byteCount: stored.hash.count)
        return constantTimeEquals(candidate, stored.hash)
    }

    public func needsRehash(_ encoded: String) -> Bool {
        guard let stored = try? Self.decode(encoded) else { return true }
        return stored.parameters != parameters
    }

    static func encode(parameters: Parameters, salt: [UInt8], hash: [UInt8]) -> String {
        let settings = "ln=\(parameters.logRounds),r=\(parameters.blockSize),p=\(parameters.parallelism)"
        return "$scrypt$\(settings)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    static func decode(_ encoded: String) throws -> (parameters: Parameters, salt: [UInt8], hash: [UInt8]) {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt",
            let salt = Data(base64Encoded: String(parts[3])), let hash = Data(base64Encoded: String(parts[4])),
            !salt.isEmpty, !hash.isEmpty
        else { throw Failure.malformedHash }
        let parameters = try decodeSettings(parts[2])
        return (parameters, Array(salt), Array(hash))
    }

    /// Parses `ln=17,r=8,p=1`, refusing values outside sane bounds.
    static func decodeSettings(_ text: Substring) throws -> Parameters {
        var values: [String: Int] = [:]
        for setting in text.split(separator: ",") {
            let pair = setting.split(separator: "=")
            guard pair.count == 2, let number = Int(pair[1]) else { throw Failure.malformedHash }
            values[String(pair[0])] = number
        }
        guard let ln = values["ln"], let r = values["r"], let p = values["p"],
            (1...24).contains(ln), (1...32).contains(r), (1...16).contains(p)
        else { throw Failure.malformedHash }
        return Parameters(logRounds: ln, blockSize: r, parallelism: p)
    }
}
