import Foundation
import Testing

@testable import VertrouwdCore

@Suite("TOTP (RFC 6238)")
struct TOTPTests {
    // RFC 6238 appendix B: the seeds and the expected 8-digit codes per algorithm.
    static let sha1Seed = Array("12345678901234567890".utf8)
    static let sha256Seed = Array("12345678901234567890123456789012".utf8)
    static let sha512Seed = Array("1234567890123456789012345678901234567890123456789012345678901234".utf8)

    static let vectors: [(time: TimeInterval, sha1: String, sha256: String, sha512: String)] = [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ]

    @Test("matches the RFC's test vectors", arguments: vectors)
    func rfcVectors(vector: (time: TimeInterval, sha1: String, sha256: String, sha512: String)) {
        let date = Date(timeIntervalSince1970: vector.time)
        #expect(TOTP(secret: Self.sha1Seed, digits: 8, algorithm: .sha1).code(at: date) == vector.sha1)
        #expect(TOTP(secret: Self.sha256Seed, digits: 8, algorithm: .sha256).code(at: date) == vector.sha256)
        #expect(TOTP(secret: Self.sha512Seed, digits: 8, algorithm: .sha512).code(at: date) == vector.sha512)
    }

    @Test func acceptsOneStepOfDriftAndNoMore() {
        let totp = TOTP(secret: Self.sha1Seed)
        let now = Date(timeIntervalSince1970: 1_800_000_015)
        let previous = totp.code(at: now.addingTimeInterval(-30))
        let twoBack = totp.code(at: now.addingTimeInterval(-60))
        #expect(totp.verify(previous, at: now, lastUsedStep: nil) == totp.timeStep(at: now) - 1)
        #expect(totp.verify(twoBack, at: now, lastUsedStep: nil) == nil || twoBack == totp.code(at: now))
    }

    @Test func refusesAReplayedCode() {
        let totp = TOTP(secret: Self.sha1Seed)
        let now = Date(timeIntervalSince1970: 1_800_000_015)
        let code = totp.code(at: now)
        let step = totp.verify(code, at: now, lastUsedStep: nil)
        #expect(step != nil)
        #expect(totp.verify(code, at: now, lastUsedStep: step) == nil)
    }

    @Test func refusesMalformedInput() {
        let totp = TOTP(secret: Self.sha1Seed)
        let now = Date(timeIntervalSince1970: 1_800_000_015)
        for typed in ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "12 34 5x"] {
            #expect(totp.verify(typed, at: now, lastUsedStep: nil) == nil)
        }
        let spaced = totp.code(at: now).enumerated().map { $0.offset == 3 ? " \($0.element)" : String($0.element) }.joined()
        #expect(totp.verify(spaced, at: now, lastUsedStep: nil) != nil)
    }

    @Test func provisioningURICarriesTheSecret() {
        let totp = TOTP(secret: Self.sha1Seed)
        let uri = totp.provisioningURI(account: "anna@example.org", issuer: "Vertrouwd")
        #expect(uri.hasPrefix("otpauth://totp/Vertrouwd:anna@example.org?"))
        #expect(uri.contains("secret=\(Base32.encode(Self.sha1Seed))"))
    }
}

@Suite("Base32 (RFC 4648)")
struct Base32Tests {
    @Test func rfcVectors() {
        let vectors = ["": "", "f": "MY", "fo": "MZXQ", "foo": "MZXW6", "foob": "MZXW6YQ", "fooba": "MZXW6YTB", "foobar": "MZXW6YTBOI"]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func decodesLeniently() {
        #expect(Base32.decode("mzxw 6ytb-oi==") == Array("foobar".utf8))
        #expect(Base32.decode("MZXW1") == nil)
    }

    @Test func roundTripsRandomBytes() {
        let random = SystemRandomSource()
        for count in 0..<40 {
            let bytes = random.bytes(count: count)
            #expect(Base32.decode(Base32.encode(bytes)) == bytes)
        }
    }
}
