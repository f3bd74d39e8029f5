import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor
import VertrouwdCore

/// A person's journal. The row says only that a journal exists and when it was started; it belongs
/// to no organisation, account or case, and nothing about it reaches any page but its owner's.
final class Journal: Model, @unchecked Sendable {
    static let schema = "journals"

    @ID(key: .id) var id: UUID?
    /// `JournalKey.lookupDigest`: HMAC under the instance secret of a value only the phrase gives.
    @Field(key: "lookup") var lookup: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(id: UUID? = nil, lookup: String) {
        self.id = id
        self.lookup = lookup
    }
}

/// One encrypted item of a journal, in the order written: a version of an entry, a share with a
/// case, the end of a share, a file or its description (`JournalRecord`). No clear timestamp: when
/// something was written is inside the ciphertext (the hash chain).
final class JournalItem: Model, @unchecked Sendable {
    static let schema = "journal_items"

    @ID(key: .id) var id: UUID?
    @Parent(key: "journal_id") var journal: Journal
    @Field(key: "sequence") var sequence: Int
    @Field(key: "ciphertext") var ciphertext: Data
    /// A file's bytes (large): skipped when the journal is listed; its name and size are in a small
    /// `fileMeta` record next to it.
    @Field(key: "is_file") var isFile: Bool

    init() {}

    init(journalID: UUID, sequence: Int, ciphertext: [UInt8], isFile: Bool = false) {
        self.$journal.id = journalID
        self.sequence = sequence
        self.ciphertext = Data(ciphertext)
        self.isFile = isFile
    }
}

/// What one journal item holds once decrypted.
struct JournalRecord: Codable {
    enum Kind: String, Codable {
        case version
        case share
        case shareStopped = "share-stopped"
        case fileMeta = "file"
    }

    let kind: Kind
    var entryID: UUID? = nil
    var version: Int? = nil
    /// The entry's exact JSON (its digest is in the link).
    var entryJSON: String? = nil
    var link: JournalChain.Link? = nil
    var caseID: UUID? = nil
    /// A standing share keeps the case's receipt, sealed under the journal key like everything here,
    /// so later entries can be added to the case with its current key.
    var receipt: String? = nil
    var at: Date? = nil
    /// For a file: the item holding its bytes, and what to show without opening it.
    var fileSequence: Int? = nil
    var fileName: String? = nil
    var fileSize: Int? = nil
    var metadataRemoved: Bool? = nil
    /// SHA-256 of the file's bytes (listed in the next version's JSON, so the chain covers files).
    var fileDigest: String? = nil
    /// For a version: an HMAC of its link under the instance secret, proving this server wrote it
    /// at that time. A version restored from a backup made elsewhere, or forged, has none that fits.
    var serverMAC: String? = nil

    var entry: JournalEntry? {
        entryJSON.flatMap { try? JSONDecoder().decode(JournalEntry.self, from: Data($0.utf8)) }
    }
}
