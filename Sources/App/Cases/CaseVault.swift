import Crypto
import Fluent
import Vapor
import VertrouwdCore

/// Key custody for cases: creating a case with its receipt, writing and reading encrypted content,
/// and giving or taking away a counsellor's access. Nothing here can read content without a key
/// that a counsellor (their unlocked private key) or the person (their receipt) brings.
struct CaseVault {
    let services: VertrouwdServices
    let db: any Database

    enum Failure: Error, Equatable {
        /// A counsellor has no key pair yet (not activated since key custody exists).
        case counsellorHasNoKey
        /// The caller holds no key that opens this case.
        case noAccess
        case unknownCase
        /// The organisation a new case was meant for does not exist.
        case noSuchOrganisation
    }

    /// The keys of one case that one party could open, by version.
    struct OpenedCase {
        let caseID: UUID
        let record: CaseRecord
        let keys: [Int: CaseDataKey]
        var currentKey: CaseDataKey? { keys[record.keyVersion] }
    }

    struct DecryptedContent {
        let id: UUID
        let field: ContentField
        let author: ContentAuthor
        let revision: Int
        let createdAt: Date?
        let bytes: [UInt8]

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    var parameters: ScryptPasswordHasher.Parameters { services.settings.passwordParameters }

    // MARK: - Creating

    /// A case made in memory, with its keys sealed: written by `store`, inside the caller's
    /// transaction together with its first content, so a case is never stored half.
    struct PreparedCase {
        let opened: OpenedCase
        let receipt: Receipt
        let grants: [CaseKeyGrant]
        /// The organisation's reminder terms, read before the transaction for the work queue's rows.
        let remindDays: (acknowledgement: Int, feedback: Int)
    }

    /// A new case sealed to the person (through a receipt-derived key) and to each chosen counsellor.
    /// The slow part (scrypt over the receipt) runs here, before any transaction is opened.
    /// `receipt` is for the demo's published example cases only; every real case gets a random one.
    func prepareCase(
        organisationID: UUID, kind: CaseKind, counsellorIDs: [UUID], receipt given: Receipt? = nil
    ) async throws -> PreparedCase {
        let counsellorKeys = try await publicKeys(of: counsellorIDs)
        guard let organisation = try await Organisation.find(organisationID, on: db) else { throw Failure.noSuchOrganisation }
        let caseID = UUID()
        let receipt = given ?? Receipt.generate(using: services.random)
        let salt = services.random.bytes(count: 16)
        let reporterKey = try await derive { try receipt.reporterKey(salt: salt, parameters: parameters) }
        let dataKey = CaseDataKey.generate(version: 1, using: services.random)

        let record = CaseRecord(id: caseID, organisationID: organisationID, kind: kind)
        record.receivedAt = services.clock.now
        record.receiptLookup = receipt.lookupDigest(instanceSecret: services.instanceSecret.bytes)
        record.reporterSalt = Data(salt)
        record.reporterPublicKey = Data(reporterKey.publicKey.rawRepresentation)
        var grants = [
            CaseKeyGrant(
                caseID: caseID, keyVersion: 1, recipient: .reporter,
                sealed: try SealedDataKey.seal(dataKey, caseID: caseID, to: .reporter, publicKey: reporterKey.publicKey))
        ]
        for (counsellorID, publicKey) in counsellorKeys {
            grants.append(
                CaseKeyGrant(
                    caseID: caseID, keyVersion: 1, recipient: .counsellor(counsellorID),
                    sealed: try SealedDataKey.seal(dataKey, caseID: caseID, to: .counsellor(counsellorID), publicKey: publicKey)))
        }
        return PreparedCase(
            opened: OpenedCase(caseID: caseID, record: record, keys: [1: dataKey]), receipt: receipt, grants: grants,
            remindDays: (organisation.remindAcknowledgementDays, organisation.remindFeedbackDays))
    }

    /// Writes a prepared case, its key grants and its counsellors' work-queue rows (call inside a
    /// transaction with its content). Nothing is read here: a new case has no match yet, and the
    /// organisation's terms were read by `prepareCase`.
    func store(_ prepared: PreparedCase, on database: any Database) async throws {
        let record = prepared.opened.record
        try await record.create(on: database)
        for grant in prepared.grants { try await grant.create(on: database) }
        let entry = QueueRow.entry(
            for: record, remindDays: prepared.remindDays, matchPending: false, now: services.clock.now)
        let rows = Set(prepared.grants.compactMap { $0.$counsellor.id }).map { counsellorID in
            let row = QueueRow(counsellorID: counsellorID, caseID: prepared.opened.caseID, shared: false)
            row.apply(record, entry)
            return row
        }
        try await rows.create(on: database)
    }

    /// Prepares and stores a case in one transaction. Returns the receipt: it exists nowhere else, so
    /// the caller must show it to the person once.
    func createCase(organisationID: UUID, kind: CaseKind, counsellorIDs: [UUID]) async throws -> (OpenedCase, Receipt) {
        let prepared = try await prepareCase(organisationID: organisationID, kind: kind, counsellorIDs: counsellorIDs)
        try await db.transaction { db in try await store(prepared, on: db) }
        return (prepared.opened, prepared.receipt)
    }

    // MARK: - Opening

    /// Opens a case with a receipt: the lookup digest finds it, scrypt over the receipt and the case's
    /// salt gives the person's key, which opens their sealed copies of the data key.
    func open(receipt: Receipt) async throws -> OpenedCase? {
        let lookup = receipt.lookupDigest(instanceSecret: services.instanceSecret.bytes)
        guard let record = try await CaseRecord.query(on: db).filter(\.$receiptLookup == lookup).first(),
            let caseID = record.id, let salt = record.reporterSalt
        else { return nil }
        let privateKey = try await derive { try receipt.reporterKey(salt: Array(salt), parameters: parameters) }
        let grants = try await CaseKeyGrant.query(on: db).filter(\.$caseRecord.$id == caseID).filter(\.$recipientKind == "reporter").all()
        let keys = try grants.reduce(into: [Int: CaseDataKey]()) { keys, grant in
            keys[grant.keyVersion] = try grant.sealed.open(caseID: caseID, as: .reporter, version: grant.keyVersion, privateKey: privateKey)
        }
        return OpenedCase(caseID: caseID, record: record, keys: keys)
    }

    /// Opens a case with a counsellor's unlocked private key; `noAccess` when nothing is sealed to them.
    func open(caseID: UUID, counsellorID: UUID, privateKey: Curve25519.KeyAgreement.PrivateKey) async throws -> OpenedCase {
        guard let record = try await CaseRecord.find(caseID, on: db) else { throw Failure.unknownCase }
        let grants = try await CaseKeyGrant.query(on: db).filter(\.$caseRecord.$id == caseID)
            .filter(\.$recipientKind == "counsellor").filter(\.$counsellor.$id == counsellorID).all()
        guard !grants.isEmpty else { throw Failure.noAccess }
        let keys = try grants.reduce(into: [Int: CaseDataKey]()) { keys, grant in
            keys[grant.keyVersion] = try grant.sealed.open(
                caseID: caseID, as: .counsellor(counsellorID), version: grant.keyVersion, privateKey: privateKey)
        }
        return OpenedCase(caseID: caseID, record: record, keys: keys)
    }

    // MARK: - Content

    /// Encrypts and stores one piece of content under the case's current data key.
    @discardableResult
    func append(
        _ bytes: [UInt8], field: ContentField, author: ContentAuthor, to opened: OpenedCase, on database: (any Database)? = nil
    ) async throws -> UUID {
        guard let key = opened.currentKey else { throw Failure.noAccess }
        let itemID = UUID()
        let address = ContentAddress(caseID: opened.caseID, field: field.rawValue, itemID: itemID)
        let ciphertext = try CaseCipher.seal(bytes, at: address, with: key, random: services.random)
        try await CaseContent(
            id: itemID, caseID: opened.caseID, field: field, revision: 1, keyVersion: key.version, author: author, ciphertext: ciphertext
        ).create(on: database ?? db)
        return itemID
    }

    @discardableResult
    func append(
        _ text: String, field: ContentField, author: ContentAuthor, to opened: OpenedCase, on database: (any Database)? = nil
    ) async throws
        -> UUID
    {
        try await append(Array(text.utf8), field: field, author: author, to: opened, on: database)
    }

    /// Stores a structured piece of content (form answers, identity, a consent event) as JSON.
    @discardableResult
    func append(
        encoding value: some Encodable, field: ContentField, author: ContentAuthor, to opened: OpenedCase,
        on database: (any Database)? = nil
    ) async throws -> UUID {
        try await append(Array(try JSONEncoder().encode(value)), field: field, author: author, to: opened, on: database)
    }

    /// Stores checked attachments, each as one encrypted envelope (name and bytes together).
    func append(
        attachments: [AttachmentPolicy.Accepted], author: ContentAuthor, to opened: OpenedCase, on database: (any Database)? = nil
    )
        async throws
    {
        for attachment in attachments {
            try await append(try AttachmentEnvelope(attachment).encoded(), field: .attachment, author: author, to: opened, on: database)
        }
    }

    /// Everything in the case that the opened keys can decrypt, oldest first. Content under a key
    /// version the caller does not hold is left out, not shown as an error.
    func contents(of opened: OpenedCase) async throws -> [DecryptedContent] {
        let rows = try await CaseContent.query(on: db).filter(\.$caseRecord.$id == opened.caseID).sort(\.$createdAt).all()
        return try rows.compactMap { row in
            guard let key = opened.keys[row.keyVersion], let id = row.id else { return nil }
            let address = ContentAddress(caseID: opened.caseID, field: row.field.rawValue, itemID: id, revision: row.revision)
            let bytes = try CaseCipher.open(Array(row.ciphertext), at: address, with: key)
            return DecryptedContent(
                id: id, field: row.field, author: row.author, revision: row.revision, createdAt: row.createdAt, bytes: bytes)
        }
    }

    /// One attachment of the case, decrypting only that row (not the whole case with every file).
    func attachment(_ itemID: UUID, in opened: OpenedCase) async throws -> AttachmentEnvelope? {
        guard
            let row = try await CaseContent.query(on: db).filter(\.$id == itemID).filter(\.$caseRecord.$id == opened.caseID)
                .filter(\.$field == .attachment).first(),
            let key = opened.keys[row.keyVersion]
        else { return nil }
        let address = ContentAddress(caseID: opened.caseID, field: row.field.rawValue, itemID: itemID, revision: row.revision)
        return AttachmentEnvelope.decode(try CaseCipher.open(Array(row.ciphertext), at: address, with: key))
    }

    // MARK: - Access

    /// Gives a counsellor every version of the data key this caller holds, so they can read the history too.
    func grant(_ opened: OpenedCase, to counsellorID: UUID) async throws {
        guard let publicKey = try await publicKeys(of: [counsellorID]).first?.1 else { throw Failure.counsellorHasNoKey }
        try await db.transaction { db in
            try await CaseKeyGrant.query(on: db).filter(\.$caseRecord.$id == opened.caseID)
                .filter(\.$counsellor.$id == counsellorID).delete()
            for key in opened.keys.values {
                let sealed = try SealedDataKey.seal(key, caseID: opened.caseID, to: .counsellor(counsellorID), publicKey: publicKey)
                try await CaseKeyGrant(caseID: opened.caseID, keyVersion: key.version, recipient: .counsellor(counsellorID), sealed: sealed)
                    .create(on: db)
            }
            // The case joins their work queue: a copy of a holder's row, for the case is the same
            // for all of them (whoever grants holds it, so there is one).
            let rows = try await QueueRow.query(on: db).filter(\.$caseID == opened.caseID).all()
            if !rows.contains(where: { $0.counsellorID == counsellorID }), let other = rows.first {
                try await QueueRow(copying: other, for: counsellorID).create(on: db)
            }
        }
    }

    /// Takes a counsellor's access away: their sealed copies go, and a new data key version is sealed
    /// to everyone who remains, so whatever is written from now on is closed to them even if they kept
    /// an old key. Returns the case opened under the new key.
    func revoke(_ opened: OpenedCase, from counsellorID: UUID) async throws -> OpenedCase {
        let caseID = opened.caseID
        let remaining = try await CaseKeyGrant.query(on: db).filter(\.$caseRecord.$id == caseID).filter(\.$recipientKind == "counsellor")
            .filter(\.$counsellor.$id != counsellorID).all().compactMap { $0.$counsellor.id }
        let remainingKeys = try await publicKeys(of: Array(Set(remaining)))
        let newKey = CaseDataKey.generate(version: opened.record.keyVersion + 1, using: services.random)
        var grants: [CaseKeyGrant] = []
        if let reporter = opened.record.reporterPublicKey {
            let publicKey = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: reporter)
            grants.append(
                CaseKeyGrant(
                    caseID: caseID, keyVersion: newKey.version, recipient: .reporter,
                    sealed: try SealedDataKey.seal(newKey, caseID: caseID, to: .reporter, publicKey: publicKey)))
        }
        for (id, publicKey) in remainingKeys {
            grants.append(
                CaseKeyGrant(
                    caseID: caseID, keyVersion: newKey.version, recipient: .counsellor(id),
                    sealed: try SealedDataKey.seal(newKey, caseID: caseID, to: .counsellor(id), publicKey: publicKey)))
        }
        let record = opened.record
        let newGrants = grants
        try await db.transaction { db in
            try await CaseKeyGrant.query(on: db).filter(\.$caseRecord.$id == caseID).filter(\.$counsellor.$id == counsellorID).delete()
            for grant in newGrants { try await grant.create(on: db) }
            record.keyVersion = newKey.version
            try await record.save(on: db)
        }
        var keys = opened.keys
        keys[newKey.version] = newKey
        return OpenedCase(caseID: caseID, record: record, keys: keys)
    }

    // MARK: - Helpers

    private func publicKeys(of counsellorIDs: [UUID]) async throws -> [(UUID, Curve25519.KeyAgreement.PublicKey)] {
        guard !counsellorIDs.isEmpty else { return [] }
        let rows = try await CounsellorKey.query(on: db).filter(\.$account.$id ~~ counsellorIDs).all()
        let byAccount = Dictionary(uniqueKeysWithValues: rows.map { ($0.$account.id, $0) })
        return try counsellorIDs.map { id in
            guard let row = byAccount[id] else { throw Failure.counsellorHasNoKey }
            return (id, try Curve25519.KeyAgreement.PublicKey(rawRepresentation: row.publicKey))
        }
    }

    /// scrypt at full cost runs on the thread pool, within the same bound as password hashing.
    private func derive<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await services.passwords.run(work)
    }
}
