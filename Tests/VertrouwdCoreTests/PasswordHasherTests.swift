import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Password hashing with scrypt")
struct PasswordHasherTests {
    @Test func standardParametersMeetTheMinimum() {
        let standard = ScryptPasswordHasher.Parameters.standard
        #expect(standard.logRounds >= 17)
        #expect(standard.blockSize == 8)
        #expect(standard.parallelism == 1)
        #expect(standard.meetsMinimum)
        #expect(standard.memoryBytes == 128 << 20)
        #expect(!ScryptPasswordHasher.Parameters.fastForTests.meetsMinimum)
    }

    @Test("derives the RFC 7914 test vector")
    func rfc7914Vector() throws {
        let key = try ScryptPasswordHasher.derive(
            "password", salt: Array("NaCl".utf8),
            parameters: .init(logRounds: 10, blockSize: 8, parallelism: 16), byteCount: 64)
        let hex = key.map { String(format: "%02x", $0) }.joined()
        #expect(
            hex
                == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"
        )
    }

    @Test func verifiesTheRightPasswordOnly() throws {
        let hasher = ScryptPasswordHasher(parameters: .fastForTests)
        let hash = try hasher.hash("correct horse battery staple")
        #expect(hash.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(try hasher.verify("correct horse battery staple", against: hash))
        #expect(try !hasher.verify("correct horse battery stapl", against: hash))
        #expect(try !hasher.verify("", against: hash))
    }

    @Test func saltsEveryHash() throws {
        let hasher = ScryptPasswordHasher(parameters: .fastForTests)
        #expect(try hasher.hash("same password") != hasher.hash("same password"))
    }

    @Test func aHashAtStandardCostVerifies() throws {
        let hasher = ScryptPasswordHasher(parameters: .standard)
        let hash = try hasher.hash("a real passphrase")
        #expect(hash.hasPrefix("$scrypt$ln=17,r=8,p=1$"))
        #expect(try hasher.verify("a real passphrase", against: hash))
    }

    @Test func knowsWhenToRehash() throws {
        let old = try ScryptPasswordHasher(parameters: .fastForTests).hash("passphrase")
        #expect(ScryptPasswordHasher(parameters: .standard).needsRehash(old))
        #expect(!ScryptPasswordHasher(parameters: .fastForTests).needsRehash(old))
        // An old hash still verifies under a hasher with new parameters: they travel with the hash.
        #expect(try ScryptPasswordHasher(parameters: .standard).verify("passphrase", against: old))
    }

    @Test func rejectsMalformedHashes() {
        let hasher = ScryptPasswordHasher(parameters: .fastForTests)
        for bad in ["", "plain", "$scrypt$ln=10,r=8$AAAA$AAAA", "$scrypt$ln=99,r=8,p=1$AAAA$AAAA", "$bcrypt$ln=10,r=8,p=1$AAAA$AAAA"] {
            #expect(throws: ScryptPasswordHasher.Failure.malformedHash) { try hasher.verify("x", against: bad) }
        }
    }
}
