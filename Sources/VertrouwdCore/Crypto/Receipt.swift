import Crypto
import Foundation

/// The code a person without an account gets when they create a case, and types later to return.
///
/// Format: three groups of six characters, `K7QM3X-PA9D2F-HWTN6R`, from Crockford's base-32
/// alphabet (digits and upper-case letters without I, L, O and U). Seventeen characters are random
/// (85 bits); the last is a Luhn mod 32 check character that catches every single mistyped
/// character and most swapped neighbours before the attempt reaches the throttle. Typing is
/// forgiving: case, spaces and hyphens do not matter, and O, I and L are read as 0, 1 and 1.
public struct Receipt: Sendable, Hashable, CustomStringConvertible {
    public static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    public static let randomCharacters = 17
    public static let groupLength = 6
    public static var entropyBits: Int { randomCharacters * 5 }

    /// Eighteen characters in canonical form, without separators.
    public let canonical: String

    public static func generate(using random: any RandomSource = SystemRandomSource()) -> Receipt {
        let body = String((0..<randomCharacters).map { _ in alphabet[random.index(below: alphabet.count)] })
        return Receipt(uncheckedCanonical: body + String(checkCharacter(for: body)))
    }

    /// Parses what a person typed; nil when it has the wrong length, a foreign character or a wrong check character.
    public init?(typed: String) {
        let normalized = Self.normalize(typed)
        guard normalized.count == Self.randomCharacters + 1, normalized.allSatisfy({ Self.alphabet.contains($0) }) else { return nil }
        let body = String(normalized.prefix(Self.randomCharacters))
        guard Self.checkCharacter(for: body) == normalized.last else { return nil }
        canonical = normalized
    }

    /// The receipt whose first seventeen characters are `body`, with its check character: for the
    /// demo's published example receipts. Nil unless `body` is seventeen characters of the alphabet.
    public init?(body: String) {
        guard body.count == Self.randomCharacters, body.allSatisfy({ Self.alphabet.contains($0) }) else { return nil }
        self.init(uncheckedCanonical: body + String(Self.checkCharacter(for: body)))
    }

    private init(uncheckedCanonical: String) {
        canonical = uncheckedCanonical
    }

    /// As shown to the person: `K7QM3X-PA9D2F-HWTN6R`.
    public var description: String {
        stride(from: 0, to: canonical.count, by: Self.groupLength).map { offset in
            let start = canonical.index(canonical.startIndex, offsetBy: offset)
            return String(canonical[start..<canonical.index(start, offsetBy: Self.groupLength)])
        }.joined(separator: "-")
    }

    /// Upper case, separators dropped, look-alike letters read as the digits they resemble.
    public static func normalize(_ typed: String) -> String {
        String(
            typed.uppercased().compactMap { character -> Character? in
                switch character {
                case " ", "-", "\t", "\n", ".", "_": nil
                case "O": "0"
                case "I", "L": "1"
                case "U": "V"
                default: character
                }
            })
    }

    /// Luhn mod N (N = 32) over the alphabet.
    static func checkCharacter(for body: String) -> Character {
        let n = alphabet.count
        var factor = 2
        var sum = 0
        for character in body.reversed() {
            let codePoint = alphabet.firstIndex(of: character) ?? 0
            var addend = factor * codePoint
            factor = factor == 2 ? 1 : 2
            addend = addend / n + addend % n
            sum += addend
        }
        return alphabet[(n - sum % n) % n]
    }

    /// What the server stores to find the case: HMAC-SHA256 under a key only the instance holds.
    /// Unlike a salted hash, it can be looked up directly, and without the instance secret a stolen
    /// table cannot be tested against guesses.
    public func lookupDigest(instanceSecret: [UInt8]) -> String {
        Token.keyedDigest(canonical, key: instanceSecret, purpose: "receipt-lookup")
    }

    /// The person's key pair for one case, derived from the receipt with scrypt and the case's own salt.
    public func reporterKey(salt: [UInt8], parameters: ScryptPasswordHasher.Parameters) throws -> Curve25519.KeyAgreement.PrivateKey {
        let seed = try ScryptPasswordHasher.derive(canonical, salt: salt, parameters: parameters, byteCount: 32)
        return try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: seed)
    }
}
