import Crypto
import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Case content encryption and key sealing")
struct CaseCryptoTests {
    let caseID = UUID()
    let itemID = UUID()

    var address: ContentAddress { ContentAddress(caseID: caseID, field: "message", itemID: itemID) }

    @Test func roundTrips() throws {
        let key = CaseDataKey.generate()
        let text = "Mijn leidinggevende 🙁 zei het weer — שלום"
        let sealed = try CaseCipher.seal(text, at: address, with: key)
        #expect(try CaseCipher.openText(sealed, at: address, with: key) == text)
        #expect(!String(decoding: sealed, as: UTF8.self).contains("leidinggevende"))
    }

    @Test func freshNonceEveryTime() throws {
        let key = CaseDataKey.generate()
        #expect(try CaseCipher.seal("zelfde", at: address, with: key) != CaseCipher.seal("zelfde", at: address, with: key))
    }

    @Test func tamperedWrongKeyWrongAddressAndMovedCiphertextsFail() throws {
        let key = CaseDataKey.generate()
        let sealed = try CaseCipher.seal("geheim", at: address, with: key)
        var tampered = sealed
        tampered[14] ^= 0x01
        #expect(throws: CryptoFailure.cannotOpen) { try CaseCipher.open(tampered, at: address, with: key) }
        #expect(throws: CryptoFailure.cannotOpen) { try CaseCipher.open(sealed, at: address, with: .generate()) }
        let elsewhere: [ContentAddress] = [
            ContentAddress(caseID: UUID(), field: "message", itemID: itemID),
            ContentAddress(caseID: caseID, field: "note", itemID: itemID),
            ContentAddress(caseID: caseID, field: "message", itemID: UUID()),
            ContentAddress(caseID: caseID, field: "message", itemID: itemID, revision: 2),
        ]
        for other in elsewhere {
            #expect(throws: CryptoFailure.cannotOpen) { try CaseCipher.open(sealed, at: other, with: key) }
        }
        let sameBytesNewVersion = CaseDataKey(version: 2, bytes: key.bytes)
        #expect(throws: CryptoFailure.cannotOpen) { try CaseCipher.open(sealed, at: address, with: sameBytesNewVersion) }
        #expect(throws: CryptoFailure.cannotOpen) { try CaseCipher.open([1, 2, 3], at: address, with: key) }
    }

    @Test func aSealedKeyOpensOnlyForItsRecipientCaseAndVersion() throws {
        let counsellor = UUID()
        let privateKey = Curve25519.KeyAgreement.PrivateKey()
        let key = CaseDataKey.generate(version: 3)
        let sealed = try SealedDataKey.seal(key, caseID: caseID, to: .counsellor(counsellor), publicKey: privateKey.publicKey)
        let opened = try sealed.open(caseID: caseID, as: .counsellor(counsellor), version: 3, privateKey: privateKey)
        #expect(opened.bytes == key.bytes)
        #expect(throws: CryptoFailure.cannotOpen) {
            try sealed.open(caseID: UUID(), as: .counsellor(counsellor), version: 3, privateKey: privateKey)
        }
        #expect(throws: CryptoFailure.cannotOpen) {
            try sealed.open(caseID: caseID, as: .counsellor(UUID()), version: 3, privateKey: privateKey)
        }
        #expect(throws: CryptoFailure.cannotOpen) { try sealed.open(caseID: caseID, as: .reporter, version: 3, privateKey: privateKey) }
        #expect(throws: CryptoFailure.cannotOpen) {
            try sealed.open(caseID: caseID, as: .counsellor(counsellor), version: 2, privateKey: privateKey)
        }
        #expect(throws: CryptoFailure.cannotOpen) {
            try sealed.open(caseID: caseID, as: .counsellor(counsellor), version: 3, privateKey: Curve25519.KeyAgreement.PrivateKey())
        }
    }
}

@Suite("Key wrapping and counsellor keys")
struct CounsellorKeyTests {
    let parameters = ScryptPasswordHasher.Parameters.fastForTests
    let account = UUID()

    @Test func passwordAndRecoveryCodeBothUnlockTheSameKey() throws {
        let recovery = Receipt.generate().description
        let (material, privateKey) = try CounsellorKeyMaterial.create(
            accountID: account, password: "een lang wachtwoord", recoveryCode: recovery, parameters: parameters)
        #expect(try material.unlock(password: "een lang wachtwoord", accountID: account).rawRepresentation == privateKey.rawRepresentation)
        #expect(
            try material.unlock(recoveryCode: recovery.lowercased(), accountID: account).rawRepresentation == privateKey.rawRepresentation)
        #expect(throws: CryptoFailure.wrongPassphrase) { try material.unlock(password: "fout", accountID: account) }
        #expect(throws: CryptoFailure.wrongPassphrase) { try material.unlock(password: "een lang wachtwoord", accountID: UUID()) }
        #expect(throws: CryptoFailure.wrongPassphrase) {
            try material.unlock(recoveryCode: Receipt.generate().description, accountID: account)
        }
    }

    @Test func aPasswordChangeKeepsTheKeyAndRetiresTheOldPassword() throws {
        let recovery = Receipt.generate().description
        let (material, privateKey) = try CounsellorKeyMaterial.create(
            accountID: account, password: "oud wachtwoord hier", recoveryCode: recovery, parameters: parameters)
        let changed = try material.rewrapped(privateKey, newPassword: "nieuw wachtwoord hier", accountID: account, parameters: parameters)
        #expect(changed.publicKey == material.publicKey)
        #expect(try changed.unlock(password: "nieuw wachtwoord hier", accountID: account).rawRepresentation == privateKey.rawRepresentation)
        #expect(throws: CryptoFailure.wrongPassphrase) { try changed.unlock(password: "oud wachtwoord hier", accountID: account) }
        #expect(try changed.unlock(recoveryCode: recovery, accountID: account).rawRepresentation == privateKey.rawRepresentation)
    }

    @Test func wrappedSecretsSurviveTheirStoredForm() throws {
        let wrapped = try WrappedSecret.wrap([1, 2, 3], passphrase: "zin", context: "test", parameters: parameters)
        let decoded = try WrappedSecret(encoded: wrapped.encoded)
        #expect(decoded == wrapped)
        #expect(try decoded.unwrap(passphrase: "zin", context: "test") == [1, 2, 3])
        #expect(throws: CryptoFailure.wrongPassphrase) { try decoded.unwrap(passphrase: "zin", context: "ander") }
        for bad in ["", "v2$ln=10,r=8,p=1$AA==$AA==", "v1$ln=99,r=8,p=1$AA==$AA==", "v1$ln=10$AA==$AA=="] {
            #expect(throws: CryptoFailure.malformed) { try WrappedSecret(encoded: bad) }
        }
    }
}

@Suite("Receipts")
struct ReceiptTests {
    @Test func haveAtLeastEightyBitsAndAReadableShape() {
        #expect(Receipt.entropyBits >= 80)
        let receipt = Receipt.generate()
        #expect(receipt.description.count == 20)
        #expect(receipt.description.split(separator: "-").map(\.count) == [6, 6, 6])
        #expect(!receipt.canonical.contains { "ILOU".contains($0) })
        #expect(Receipt(typed: receipt.description) == receipt)
    }

    @Test func typingIsForgiving() {
        let receipt = Receipt.generate()
        let sloppy = receipt.description.lowercased().replacingOccurrences(of: "-", with: " ")
            .replacingOccurrences(of: "0", with: "o").replacingOccurrences(of: "1", with: "l")
        #expect(Receipt(typed: sloppy) == receipt)
    }

    @Test func theCheckCharacterCatchesEverySingleTypo() {
        for _ in 0..<50 {
            let receipt = Receipt.generate()
            let characters = Array(receipt.canonical)
            for position in characters.indices {
                for replacement in Receipt.alphabet where replacement != characters[position] {
                    var typo = characters
                    typo[position] = replacement
                    #expect(Receipt(typed: String(typo)) == nil)
                }
            }
        }
    }

    @Test func refusesWrongLengthsAndCharacters() {
        for bad in ["", "ABC", String(repeating: "A", count: 19), "K7QM3X-PA9D2F-HWTN6!", "😀😀😀😀😀😀-PA9D2F-HWTN6R"] {
            #expect(Receipt(typed: bad) == nil)
        }
    }

    @Test func theLookupDigestNeedsTheInstanceSecret() {
        let receipt = Receipt.generate()
        let a = receipt.lookupDigest(instanceSecret: Array(repeating: 1, count: 32))
        #expect(a == receipt.lookupDigest(instanceSecret: Array(repeating: 1, count: 32)))
        #expect(a != receipt.lookupDigest(instanceSecret: Array(repeating: 2, count: 32)))
        #expect(a != Receipt.generate().lookupDigest(instanceSecret: Array(repeating: 1, count: 32)))
    }

    @Test func theReporterKeyDependsOnReceiptAndSalt() throws {
        let receipt = Receipt.generate()
        let salt = SystemRandomSource().bytes(count: 16)
        let key = try receipt.reporterKey(salt: salt, parameters: .fastForTests)
        #expect(try receipt.reporterKey(salt: salt, parameters: .fastForTests).rawRepresentation == key.rawRepresentation)
        #expect(
            try receipt.reporterKey(salt: SystemRandomSource().bytes(count: 16), parameters: .fastForTests).rawRepresentation
                != key.rawRepresentation)
        #expect(try Receipt.generate().reporterKey(salt: salt, parameters: .fastForTests).rawRepresentation != key.rawRepresentation)
    }
}
