import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238) for staff two-factor authentication.
public struct TOTP: Sendable {
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha1 = "SHA1", sha256 = "SHA256", sha512 = "SHA512"
    }

    public let secret: [UInt8]
    public let digits: Int
    public let period: TimeInterval
    public let algorithm: Algorithm

    /// Authenticator apps expect these defaults: SHA-1, six digits, thirty seconds.
    public init(secret: [UInt8], digits: Int = 6, period: TimeInterval = 30, algorithm: Algorithm = .sha1) {
        self.secret = secret
        self.digits = digits
        self.period = period
        self.algorithm = algorithm
    }

    /// A fresh 160-bit secret, the size RFC 4226 recommends.
    public static func generateSecret(using random: any RandomSource = SystemRandomSource()) -> [UInt8] {
        random.bytes(count: 20)
    }

    public func timeStep(at date: Date) -> UInt64 {
        UInt64(max(0, date.timeIntervalSince1970) / period)
    }

    public func code(at date: Date) -> String {
        code(forStep: timeStep(at: date))
    }

    public func code(forStep step: UInt64) -> String {
        let counter = withUnsafeBytes(of: step.bigEndian) { Array($0) }
        let key = SymmetricKey(data: secret)
        let mac: [UInt8]
        switch algorithm {
        case .sha1: mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: counter, using: key))
        case .sha256: mac = Array(HMAC<SHA256>.authenticationCode(for: counter, using: key))
        case .sha512: mac = Array(HMAC<SHA512>.authenticationCode(for: counter, using: key))
        }
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary =
            (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// Checks a code typed by a person, allowing one step of clock drift either way.
    ///
    /// Returns the matched time step, which the caller stores: a step at or below `lastUsedStep`
    /// is refused, so an overheard code cannot be replayed.
    public func verify(_ typed: String, at date: Date, lastUsedStep: UInt64?, drift: Int = 1) -> UInt64? {
        let digitsOnly = typed.filter { !$0.isWhitespace }
        guard digitsOnly.count == digits, digitsOnly.allSatisfy(\.isASCII), digitsOnly.allSatisfy(\.isNumber) else {
            return nil
        }
        let now = timeStep(at: date)
        for delta in -drift...drift {
            let candidate = Int64(now) + Int64(delta)
            guard candidate >= 0 else { continue }
            let step = UInt64(candidate)
            if let last = lastUsedStep, step <= last { continue }
            if constantTimeEquals(Array(code(forStep: step).utf8), Array(digitsOnly.utf8)) { return step }
        }
        return nil
    }

    /// The `otpauth://` address that authenticator apps read from a QR code or a pasted link.
    public func provisioningURI(account: String, issuer: String) -> String {
        var components = URLComponents()
        components.scheme = "otpauth"
        components.host = "totp"
        components.path = "/\(issuer):\(account)"
        components.queryItems = [
            URLQueryItem(name: "secret", value: Base32.encode(secret)),
            URLQueryItem(name: "issuer", value: issuer),
            URLQueryItem(name: "algorithm", value: algorithm.rawValue),
            URLQueryItem(name: "digits", value: String(digits)),
            URLQueryItem(name: "period", value: String(Int(period))),
        ]
        return components.string ?? ""
    }
}
