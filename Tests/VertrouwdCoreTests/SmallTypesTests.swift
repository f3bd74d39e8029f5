import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Small domain types")
struct SmallTypesTests {
    @Test func languageNegotiation() {
        #expect(Language.negotiate(acceptLanguage: "en-GB,en;q=0.9,nl;q=0.8") == .english)
        #expect(Language.negotiate(acceptLanguage: "nl-NL,nl;q=0.9,en-US;q=0.8") == .dutch)
        #expect(Language.negotiate(acceptLanguage: "de-DE,en;q=0.5,nl;q=0.7") == .dutch)
        #expect(Language.negotiate(acceptLanguage: "fr, de") == nil)
        #expect(Language.negotiate(acceptLanguage: "en;q=0") == nil)
        #expect(Language.negotiate(acceptLanguage: nil) == nil)
        #expect(Language.negotiate(acceptLanguage: ";;;,,q=") == nil)
    }

    @Test func emailAddresses() {
        #expect(EmailAddress("  Anna.DeVries@Example.ORG ")?.value == "anna.devries@example.org")
        for bad in ["", "anna", "@example.org", "anna@", "anna@example", "an na@example.org", "a@b@c.org", "<a@b.org>"] {
            #expect(EmailAddress(bad) == nil, "\(bad) should be refused")
        }
    }

    @Test func slugs() {
        #expect(Slug(" Acme-Zorg ")?.value == "acme-zorg")
        for bad in ["a", "-acme", "acme-", "ac--me", "acmé", "acme zorg", "admin", String(repeating: "a", count: 41)] {
            #expect(Slug(bad) == nil, "\(bad) should be refused")
        }
    }

    @Test func passwordPolicy() {
        #expect(
            PasswordPolicy.problems(
                password: "een lange zin om te onthouden", confirmation: "een lange zin om te onthouden", email: "anna@example.org"
            ).isEmpty)
        #expect(PasswordPolicy.problems(password: "kort", confirmation: "kort", email: "").contains("password.too_short"))
        #expect(
            PasswordPolicy.problems(password: "een lange zin om te onthouden", confirmation: "iets anders", email: "").contains(
                "password.mismatch"))
        #expect(
            PasswordPolicy.problems(password: "anna@example.org!!", confirmation: "anna@example.org!!", email: "anna@example.org").contains(
                "password.contains_email"))
        #expect(
            PasswordPolicy.problems(password: "aaaaaaaaaaaaaaaa", confirmation: "aaaaaaaaaaaaaaaa", email: "").contains(
                "password.too_simple"))
    }

    @Test func throttleDelaysGrowAndStopAtTheCeiling() {
        let policy = ThrottlePolicy.standard
        #expect((0..<5).allSatisfy { policy.delay(afterAttempts: $0) == 0 })
        #expect(policy.delay(afterAttempts: 5) == 30)
        #expect(policy.delay(afterAttempts: 6) == 60)
        #expect(policy.delay(afterAttempts: 7) == 120)
        #expect(policy.delay(afterAttempts: 50) == 15 * 60)
        #expect(policy.delay(afterAttempts: Int.max / 2) == 15 * 60)
    }

    @Test func recoveryCodes() {
        let codes = RecoveryCodes.generate()
        #expect(codes.count == 10)
        #expect(Set(codes).count == 10)
        for code in codes {
            #expect(code.count == 14)
            #expect(RecoveryCodes.looksLikeRecoveryCode(code))
            #expect(RecoveryCodes.looksLikeRecoveryCode(code.lowercased().replacingOccurrences(of: "-", with: " ")))
        }
        #expect(!RecoveryCodes.looksLikeRecoveryCode("123456"))
        #expect(!RecoveryCodes.looksLikeRecoveryCode("OOOO-IIII-1111"))
    }

    @Test func secretBoxBindsItsContext() throws {
        let box = SecretBox(instanceSecret: Array(repeating: 7, count: 32), purpose: "staff-totp")
        let sealed = try box.seal(Array("seed".utf8), context: "staff-totp:A")
        #expect(try box.open(sealed, context: "staff-totp:A") == Array("seed".utf8))
        #expect(throws: SecretBox.Failure.cannotOpen) { try box.open(sealed, context: "staff-totp:B") }
        var tampered = sealed
        tampered[tampered.count / 2] ^= 1
        #expect(throws: SecretBox.Failure.cannotOpen) { try box.open(tampered, context: "staff-totp:A") }
        let other = SecretBox(instanceSecret: Array(repeating: 8, count: 32), purpose: "staff-totp")
        #expect(throws: SecretBox.Failure.cannotOpen) { try other.open(sealed, context: "staff-totp:A") }
    }

    @Test func tokens() {
        let token = Token.generate()
        #expect(token.count == 43)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(Token.digest(token).count == 64)
        #expect(Token.keyedDigest("x", key: [1], purpose: "a") != Token.keyedDigest("x", key: [1], purpose: "b"))
        #expect(Token.keyedDigest("x", key: [1], purpose: "a") != Token.keyedDigest("x", key: [2], purpose: "a"))
    }

    @Test func constantTimeComparison() {
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
    }
}
