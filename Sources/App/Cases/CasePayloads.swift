import Foundation
import VertrouwdCore

/// The structured pieces of a case, each stored by `CaseVault` as one encrypted content item (JSON)
/// under its `ContentField`. They live beside the vault, not in the controllers that write them,
/// because the case page, the inbox and the purge all read them.

/// The answers of the contact or report form (`ContentField.form`).
struct FormAnswers: Codable {
    let kinds: [String]
    let urgency: String?
    let channel: String
    let identity: String

    /// How soon the person would like to talk.
    static let urgencies = ["soon", "week", "none"]
}

/// The person's name and how to reach them, when they gave them (`ContentField.identity`).
struct PersonIdentity: Codable {
    let name: String
    let contact: String
}

/// What the person agreed to or decided, and when (the time is the content row's). The person's own
/// events have no kind (`withdrawn`, `identity-revealed`); a counsellor records a consent the
/// person gave or withdrew in conversation (`given`/`withdrawn` with a kind).
struct ConsentEvent: Codable {
    let event: ConsentEventKind
    var kind: ConsentKind? = nil

    /// Per consent kind: whether the last recorded event gave it. A withdrawn case withdraws everything.
    static func states(_ events: [ConsentEvent]) -> [ConsentKind: Bool] {
        var states: [ConsentKind: Bool] = [:]
        for event in events {
            if event.event == .withdrawn, event.kind == nil {
                states = [:]
            } else if let kind = event.kind {
                states[kind] = event.event == .given
            }
        }
        return states
    }
}

/// A private note of the counsellor. An edit is a new item in the same thread: nothing is overwritten.
struct NoteEntry: Codable {
    let thread: UUID
    let text: String

    static let maximumLength = 10_000
}

/// A referral, recorded as such: the counsellor refers; they do not investigate, judge or mediate.
struct ReferralEntry: Codable {
    let to: ReferralTarget
    let note: String

    static let maximumNote = 1_000
}

/// The retaliation (benadeling) signal switched on or off.
struct SignalEntry: Codable {
    let on: Bool
}

/// One journal entry the person shared into the case (`ContentField.journal`): the version as the
/// person wrote it, and its place in the journal's hash chain.
struct SharedJournalEntry: Codable {
    let entryID: UUID
    let version: Int
    let entry: JournalEntry
    let writtenAt: String
    let digest: String
    /// False for a version this server cannot vouch for (restored from a backup made elsewhere).
    var confirmed: Bool? = nil
}

/// One decrypted content item read as its payload type.
struct DecodedContent<Value> {
    let item: CaseVault.DecryptedContent
    let value: Value
}

extension Array where Element == CaseVault.DecryptedContent {
    /// The items of one field that decode as `type`, oldest first. An item that does not decode is
    /// left out rather than failing the page: it can only be one written by a later version.
    func decoded<T: Decodable>(_ type: T.Type, _ field: ContentField) -> [DecodedContent<T>] {
        let decoder = JSONDecoder()
        return filter { $0.field == field }.compactMap { item in
            (try? decoder.decode(T.self, from: Data(item.bytes))).map { DecodedContent(item: item, value: $0) }
        }
    }
}
