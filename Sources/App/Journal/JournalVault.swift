import Fluent
import SQLKit
import Vapor
import VertrouwdCore

/// Reading and writing a journal: every item sealed with the journal's key, bound to its place.
struct JournalVault {
    let services: VertrouwdServices
    let db: any Database

    struct Opened {
        let id: UUID
        let key: JournalKey
    }

    /// One version of one entry, decrypted.
    struct Version {
        let entryID: UUID
        let version: Int
        let entry: JournalEntry
        let json: [UInt8]
        let link: JournalChain.Link
        /// The journal item that holds it.
        let itemSequence: Int
        /// Written by this server at the time its link says (see `JournalRecord.serverMAC`).
        let confirmed: Bool
    }

    /// A file attached to an entry; its bytes stay sealed until downloaded.
    struct FileMeta {
        let entryID: UUID
        let sequence: Int
        let name: String
        let size: Int
        let metadataRemoved: Bool
        let digest: String
    }

    /// The MAC that shows a version was written by this server.
    func serverMAC(_ link: JournalChain.Link) -> String {
        Token.keyedDigest(link.digest, key: services.instanceSecret.bytes, purpose: "journal-chain")
    }

    /// Everything in a journal, decrypted (files only by name), in the order written.
    struct Contents {
        let versions: [Version]
        let shares: [(caseID: UUID, receipt: String)]
        var files: [FileMeta] = []

        func files(of entryID: UUID) -> [FileMeta] { files.filter { $0.entryID == entryID } }

        /// The latest version of each entry, with how many versions it has.
        var entries: [(id: UUID, entry: JournalEntry, versions: Int, latest: Version)] {
            var order: [UUID] = []
            var byID: [UUID: [Version]] = [:]
            for version in versions {
                if byID[version.entryID] == nil { order.append(version.entryID) }
                byID[version.entryID, default: []].append(version)
            }
            return order.compactMap { id in
                guard let all = byID[id], let last = all.last else { return nil }
                return (id, last.entry, all.count, last)
            }
        }

        var links: [JournalChain.Link] { versions.map(\.link) }
        var head: String { versions.last?.link.digest ?? JournalChain.genesis }
    }

    enum Failure: Error {
        case phraseInUse
    }

    func derive(_ phrase: String) async throws -> JournalKey {
        let parameters = services.settings.journalParameters
        return try await services.passwords.run { try JournalKey.derive(phrase: phrase, parameters: parameters) }
    }

    func create(phrase: String) async throws -> Opened {
        let key = try await derive(phrase)
        let lookup = key.lookupDigest(instanceSecret: services.instanceSecret.bytes)
        guard try await Journal.query(on: db).filter(\.$lookup == lookup).first() == nil else { throw Failure.phraseInUse }
        let journal = Journal(lookup: lookup)
        try await journal.create(on: db)
        return Opened(id: try journal.requireID(), key: key)
    }

    func open(phrase: String) async throws -> Opened? {
        let key = try await derive(phrase)
        let lookup = key.lookupDigest(instanceSecret: services.instanceSecret.bytes)
        guard let journal = try await Journal.query(on: db).filter(\.$lookup == lookup).first() else { return nil }
        return Opened(id: try journal.requireID(), key: key)
    }

    func contents(of opened: Opened, on database: (any Database)? = nil) async throws -> Contents {
        let items = try await JournalItem.query(on: database ?? db).filter(\.$journal.$id == opened.id).filter(\.$isFile == false).sort(
            \.$sequence
        )
        .all()
        var versions: [Version] = []
        var files: [FileMeta] = []
        var shares: [UUID: String] = [:]
        var shareOrder: [UUID] = []
        for item in items {
            let bytes = try opened.key.open(Array(item.ciphertext), journalID: opened.id, sequence: item.sequence)
            let record = try JSONDecoder().decode(JournalRecord.self, from: Data(bytes))
            switch record.kind {
            case .version:
                guard let id = record.entryID, let number = record.version, let json = record.entryJSON, let link = record.link,
                    let entry = record.entry
                else { continue }
                let confirmed = record.serverMAC.map { constantTimeEquals(Array($0.utf8), Array(serverMAC(link).utf8)) } ?? false
                versions.append(
                    Version(
                        entryID: id, version: number, entry: entry, json: Array(json.utf8), link: link, itemSequence: item.sequence,
                        confirmed: confirmed))
            case .share:
                if let caseID = record.caseID, let receipt = record.receipt {
                    if shares[caseID] == nil { shareOrder.append(caseID) }
                    shares[caseID] = receipt
                }
            case .shareStopped:
                if let caseID = record.caseID { shares[caseID] = nil }
            case .fileMeta:
                guard let entryID = record.entryID, let sequence = record.fileSequence else { continue }
                files.append(
                    FileMeta(
                        entryID: entryID, sequence: sequence, name: record.fileName ?? "", size: record.fileSize ?? 0,
                        metadataRemoved: record.metadataRemoved ?? false, digest: record.fileDigest ?? ""))
            }
        }
        return Contents(versions: versions, shares: shareOrder.compactMap { id in shares[id].map { (id, $0) } }, files: files)
    }

    /// Seals and stores one record as the journal's next item.
    func append(_ record: JournalRecord, to opened: Opened, on database: (any Database)? = nil) async throws {
        let bytes = Array(try JSONEncoder().encode(record))
        if let database {
            _ = try await appendItem(bytes, isFile: false, to: opened, on: database)
        } else {
            _ = try await db.writeTransaction { db in try await appendItem(bytes, isFile: false, to: opened, on: db) }
        }
    }

    private func appendItem(_ bytes: [UInt8], isFile: Bool, to opened: Opened, on target: any Database) async throws -> Int {
        let last = try await JournalItem.query(on: target).filter(\.$journal.$id == opened.id).sort(\.$sequence, .descending).first()
        let sequence = (last?.sequence ?? 0) + 1
        let sealed = try opened.key.seal(bytes, journalID: opened.id, sequence: sequence, random: services.random)
        try await JournalItem(journalID: opened.id, sequence: sequence, ciphertext: sealed, isFile: isFile).create(on: target)
        return sequence
    }

    /// A checked file for an entry: its bytes as one item, its name and size as a small record.
    func attach(_ file: AttachmentPolicy.Accepted, to entryID: UUID, in opened: Opened, on database: any Database) async throws {
        let sequence = try await appendItem(try AttachmentEnvelope(file).encoded(), isFile: true, to: opened, on: database)
        try await append(
            JournalRecord(
                kind: .fileMeta, entryID: entryID, fileSequence: sequence, fileName: file.name, fileSize: file.bytes.count,
                metadataRemoved: file.metadataRemoved, fileDigest: JournalChain.contentDigest(file.bytes)), to: opened, on: database)
    }

    /// Several files' bytes, opened, in the given order (missing ones left out).
    func files(_ files: [FileMeta], of opened: Opened) async throws -> [AttachmentEnvelope] {
        var envelopes: [AttachmentEnvelope] = []
        for meta in files {
            if let envelope = try await file(meta.sequence, of: opened) { envelopes.append(envelope) }
        }
        return envelopes
    }

    /// One file's bytes, opened.
    func file(_ sequence: Int, of opened: Opened) async throws -> AttachmentEnvelope? {
        guard
            let item = try await JournalItem.query(on: db).filter(\.$journal.$id == opened.id).filter(\.$sequence == sequence)
                .filter(\.$isFile == true).first()
        else { return nil }
        return AttachmentEnvelope.decode(try opened.key.open(Array(item.ciphertext), journalID: opened.id, sequence: sequence))
    }

    /// A new entry, or a new version of one (never an overwrite), with its new files, in one
    /// transaction. Returns the entry's id and the version.
    func save(
        _ entry: JournalEntry, entryID: UUID?, files: [AttachmentPolicy.Accepted] = [], to opened: Opened
    ) async throws -> (UUID, Int) {
        let id = entryID ?? UUID()
        let now = services.clock.now
        return try await db.writeTransaction { db in
            // Read inside the transaction: two quick saves must not both link to the same predecessor.
            let current = try await contents(of: opened, on: db)
            let version = (current.versions.filter { $0.entryID == id }.map(\.version).max() ?? 0) + 1
            let json = try Self.versionJSON(entry, files: current.files(of: id), adding: files)
            let link = JournalChain.link(after: current.versions.last?.link, entryID: id, version: version, at: now, json: json)
            let record = JournalRecord(
                kind: .version, entryID: id, version: version, entryJSON: String(decoding: json, as: UTF8.self), link: link,
                serverMAC: serverMAC(link))
            try await append(record, to: opened, on: db)
            for file in files { try await attach(file, to: id, in: opened, on: db) }
            return (id, version)
        }
    }

    /// A version as chained: the entry's fields plus the files it has (name, size, SHA-256), so a
    /// file changed or swapped later breaks the chain like changed text.
    static func versionJSON(_ entry: JournalEntry, files existing: [FileMeta], adding new: [AttachmentPolicy.Accepted]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard !existing.isEmpty || !new.isEmpty else { return Array(try encoder.encode(entry)) }
        struct Document: Encodable {
            let entry: JournalEntry
            let files: [[String: String]]

            func encode(to encoder: any Encoder) throws {
                try entry.encode(to: encoder)
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(files, forKey: .files)
            }

            enum Key: String, CodingKey {
                case files
            }
        }
        let files =
            existing.map { ["name": $0.name, "size": String($0.size), "sha256": $0.digest] }
            + new.map { ["name": $0.name, "size": String($0.bytes.count), "sha256": JournalChain.contentDigest($0.bytes)] }
        return Array(try encoder.encode(Document(entry: entry, files: files)))
    }

    /// The whole journal, at once and for good: rows and keys; the freed bytes overwritten on SQLite.
    func delete(_ opened: Opened) async throws {
        let isSQLite = services.settings.databaseURL == nil
        try await db.transaction { db in
            if isSQLite, let sql = db as? any SQLDatabase { try await sql.raw("PRAGMA secure_delete = ON").run() }
            try await JournalItem.query(on: db).filter(\.$journal.$id == opened.id).delete()
            try await Journal.query(on: db).filter(\.$id == opened.id).delete()
        }
        try await UnlockedKeys.removeAll(of: opened.id, kind: .journal, on: db)
        try await Scrubber(services: services, db: db, logger: Logger(label: "vertrouwd.journal")).scrub(
            tables: [JournalItem.schema, Journal.schema])
    }
}
