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
    }

    /// Everything in a journal, decrypted, in the order written.
    struct Contents {
        let versions: [Version]
        let shares: [(caseID: UUID, receipt: String)]

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
        let parameters = services.settings.passwordParameters
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

    func contents(of opened: Opened) async throws -> Contents {
        let items = try await JournalItem.query(on: db).filter(\.$journal.$id == opened.id).sort(\.$sequence).all()
        var versions: [Version] = []
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
                versions.append(Version(entryID: id, version: number, entry: entry, json: Array(json.utf8), link: link))
            case .share:
                if let caseID = record.caseID, let receipt = record.receipt {
                    if shares[caseID] == nil { shareOrder.append(caseID) }
                    shares[caseID] = receipt
                }
            case .shareStopped:
                if let caseID = record.caseID { shares[caseID] = nil }
            }
        }
        return Contents(versions: versions, shares: shareOrder.compactMap { id in shares[id].map { (id, $0) } })
    }

    /// Seals and stores one record as the journal's next item.
    func append(_ record: JournalRecord, to opened: Opened, on database: (any Database)? = nil) async throws {
        let target = database ?? db
        let last = try await JournalItem.query(on: target).filter(\.$journal.$id == opened.id).sort(\.$sequence, .descending).first()
        let sequence = (last?.sequence ?? 0) + 1
        let sealed = try opened.key.seal(
            Array(try JSONEncoder().encode(record)), journalID: opened.id, sequence: sequence, random: services.random)
        try await JournalItem(journalID: opened.id, sequence: sequence, ciphertext: sealed).create(on: target)
    }

    /// A new entry, or a new version of one: never an overwrite. Returns the entry's id and the version.
    func save(_ entry: JournalEntry, entryID: UUID?, to opened: Opened, contents: Contents) async throws -> (UUID, Int) {
        let id = entryID ?? UUID()
        let version = (contents.versions.filter { $0.entryID == id }.map(\.version).max() ?? 0) + 1
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = Array(try encoder.encode(entry))
        let link = JournalChain.link(after: contents.versions.last?.link, entryID: id, version: version, at: services.clock.now, json: json)
        try await append(
            JournalRecord(kind: .version, entryID: id, version: version, entryJSON: String(decoding: json, as: UTF8.self), link: link),
            to: opened)
        return (id, version)
    }

    /// The whole journal, at once and for good: rows and keys; the freed bytes overwritten on SQLite.
    func delete(_ opened: Opened) async throws {
        let isSQLite = services.settings.databaseURL == nil
        try await db.transaction { db in
            if isSQLite, let sql = db as? any SQLDatabase { try await sql.raw("PRAGMA secure_delete = ON").run() }
            try await JournalItem.query(on: db).filter(\.$journal.$id == opened.id).delete()
            try await Journal.query(on: db).filter(\.$id == opened.id).delete()
        }
        services.journalKeys.removeAll(of: opened.id)
        try await Scrubber(services: services, db: db, logger: Logger(label: "vertrouwd.journal")).scrub(
            tables: [JournalItem.schema, Journal.schema])
    }
}
