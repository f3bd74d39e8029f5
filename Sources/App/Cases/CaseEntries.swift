import Foundation

/// The structured pieces of a case, each stored encrypted as one content item (JSON).

/// What the person agreed to or decided, and when (the time is the content row's). The person's own
/// events have no kind (`withdrawn`, `identity-revealed`); a counsellor records a consent the
/// person gave or withdrew in conversation (`given`/`withdrawn` with a kind).
struct ConsentEvent: Codable {
    let event: String
    var kind: String? = nil

    /// The things a counsellor may only do with the person's consent.
    static let kinds = ["contact-hr", "contact-manager", "share-identity", "referral", "formal-procedure"]
}

/// A private note of the counsellor. An edit is a new item in the same thread: nothing is overwritten.
struct NoteEntry: Codable {
    let thread: UUID
    let text: String
}

/// A referral, recorded as such: the counsellor refers; they do not investigate, judge or mediate.
struct ReferralEntry: Codable {
    let to: String
    let note: String

    static let targets = ["hr", "company-doctor", "mediation", "police", "huis-klokkenluiders", "complaints-committee"]
}

/// The retaliation (benadeling) signal switched on or off.
struct SignalEntry: Codable {
    let on: Bool
}

/// The statuses a case can have. `closed` needs a registration; `withdrawn` is the person's.
enum CaseStatus {
    static let all = ["new", "in-conversation", "referred", "closed", "withdrawn"]
    static let ended = ["closed", "withdrawn"]
}
