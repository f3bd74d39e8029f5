import Crypto
import Foundation

/// The key of a person's journal, derived from what only they know: a generated key phrase (the
/// receipt format, 85 bits) or a passphrase of their own that passes `PassphrasePolicy`.
///
/// One scrypt run at full cost over the phrase gives 32 bytes of material; HKDF splits it into the
/// encryption key and a lookup value. The scrypt salt is fixed (the phrase must be strong, and a
/// backup must open on any instance); the server finds a journal by an HMAC of the lookup value
/// under the instance secret, so a stolen table cannot be searched without that secret and without
/// paying scrypt per guess.
public struct JournalKey: Sendable {
    public let key: SymmetricKey
    let lookupMaterial: [UInt8]

    static let salt = Array(SHA256.hash(data: Array("vertrouwd.journal.v1".utf8)))

    /// The phrase as it is keyed: a generated key phrase in its canonical form, anything else with
    /// whitespace folded and in Unicode NFC, so the same words always give the same key.
    public static func normalise(_ phrase: String) -> String {
        if let receipt = Receipt(typed: phrase) { return receipt.canonical }
        return phrase.precomposedStringWithCanonicalMapping.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    public static func derive(phrase: String, parameters: ScryptPasswordHasher.Parameters) throws -> JournalKey {
        let material = try ScryptPasswordHasher.derive(normalise(phrase), salt: salt, parameters: parameters, byteCount: 32)
        let input = SymmetricKey(data: material)
        let key = HKDF<SHA256>.deriveKey(inputKeyMaterial: input, info: Array("vertrouwd.journal.key".utf8), outputByteCount: 32)
        let lookup = HKDF<SHA256>.deriveKey(inputKeyMaterial: input, info: Array("vertrouwd.journal.lookup".utf8), outputByteCount: 32)
        return JournalKey(key: key, lookupMaterial: lookup.withUnsafeBytes { Array($0) })
    }

    /// The key and its lookup material, 64 bytes, for keeping an open journal's key sealed between requests.
    public var rawRepresentation: [UInt8] {
        key.withUnsafeBytes { Array($0) } + lookupMaterial
    }

    public init?(rawRepresentation raw: [UInt8]) {
        guard raw.count == 64 else { return nil }
        self.init(key: SymmetricKey(data: raw[0..<32]), lookupMaterial: Array(raw[32...]))
    }

    init(key: SymmetricKey, lookupMaterial: [UInt8]) {
        self.key = key
        self.lookupMaterial = lookupMaterial
    }

    /// What the server stores to find the journal.
    public func lookupDigest(instanceSecret: [UInt8]) -> String {
        Token.keyedDigest(Data(lookupMaterial).base64EncodedString(), key: instanceSecret, purpose: "journal-lookup")
    }

    /// Encrypts one item of the journal, bound to the journal and the item's place in it.
    public func seal(
        _ plaintext: [UInt8], journalID: UUID, sequence: Int, random: any RandomSource = SystemRandomSource()
    ) throws
        -> [UInt8]
    {
        let nonce = try ChaChaPoly.Nonce(data: random.bytes(count: 12))
        let box = try ChaChaPoly.seal(plaintext, using: key, nonce: nonce, authenticating: Self.context(journalID, sequence))
        return Array(box.combined)
    }

    public func open(_ combined: [UInt8], journalID: UUID, sequence: Int) throws -> [UInt8] {
        do {
            let box = try ChaChaPoly.SealedBox(combined: combined)
            return Array(try ChaChaPoly.open(box, using: key, authenticating: Self.context(journalID, sequence)))
        } catch {
            throw CryptoFailure.cannotOpen
        }
    }

    static func context(_ journalID: UUID, _ sequence: Int) -> [UInt8] {
        Array("vertrouwd.journal.item.v1|\(journalID.uuidString)|\(sequence)".utf8)
    }
}

/// Whether a passphrase a person chose is strong enough to stand in for a generated key phrase.
public enum PassphrasePolicy {
    public static let minimumLength = 16
    /// A rough floor: the estimate below must reach it.
    public static let minimumBits = 60.0

    /// Catalog keys of the problems; empty when the passphrase is acceptable.
    public static func problems(_ passphrase: String) -> [String] {
        let text = JournalKey.normalise(passphrase)
        if text.count < minimumLength { return ["journal.passphrase.too_short"] }
        if estimatedBits(text) < minimumBits { return ["journal.passphrase.too_simple"] }
        return []
    }

    /// A deliberately pessimistic estimate: the length of the text after repeats and runs are
    /// collapsed, times the bits of the character classes used; words from a tiny list of the most
    /// common ones count as a single character.
    public static func estimatedBits(_ text: String) -> Double {
        var lowered = text.lowercased()
        for word in commonWords { lowered = lowered.replacingOccurrences(of: word, with: "§") }
        var collapsed: [Character] = []
        for character in lowered {
            if let last = collapsed.last, last == character { continue }
            if collapsed.count >= 2, let last = collapsed.last, let before = collapsed.dropLast().last,
                let a = last.unicodeScalars.first?.value, let b = before.unicodeScalars.first?.value,
                let c = character.unicodeScalars.first?.value, Int(a) - Int(b) == Int(c) - Int(a), abs(Int(c) - Int(a)) == 1
            {
                continue
            }
            collapsed.append(character)
        }
        var alphabet = 0
        if text.contains(where: \.isLowercase) { alphabet += 26 }
        if text.contains(where: \.isUppercase) { alphabet += 26 }
        if text.contains(where: \.isNumber) { alphabet += 10 }
        if text.contains(where: { !$0.isLetter && !$0.isNumber }) { alphabet += 20 }
        let distinct = Set(collapsed).count
        return Double(min(collapsed.count, distinct * 3)) * log2(Double(max(alphabet, 2)))
    }

    static let commonWords = [
        "wachtwoord", "password", "welkom", "welcome", "qwerty", "azerty", "geheim", "secret", "letmein", "admin", "vertrouwd", "logboek",
        "12345", "abcde",
    ]
}
