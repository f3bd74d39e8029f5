import Foundation

/// The words a case is made of. Each raw value is what the database has always stored, so these
/// types change no row: they only stop the code from spelling the words by hand.

/// What a case is.
public enum CaseKind: String, Sendable, Codable, CaseIterable {
    /// A request for a conversation with a counsellor of the person's choice.
    case contact
    /// A formal report of suspected wrongdoing (melding) under the Wbk, with its two legal clocks.
    case formalReport = "report"
}

/// Where a case stands. `closed` needs a registration; `withdrawn` is the person's own step.
public enum CaseStatus: String, Sendable, Codable, CaseIterable {
    case new
    case inConversation = "in-conversation"
    case referred
    case closed
    case withdrawn

    /// Closed or withdrawn: the conversation takes nothing more, and the retention term runs.
    public var isEnded: Bool { self == .closed || self == .withdrawn }

    public static let ended: [CaseStatus] = allCases.filter(\.isEnded)
}

/// Who wrote a piece of case content.
public enum ContentAuthor: String, Sendable, Codable, CaseIterable {
    /// The person who made the case (stored as `reporter`, also for a contact).
    case person = "reporter"
    case counsellor
}

/// What one encrypted piece of case content is. The raw value is also bound into the ciphertext's
/// associated data (`ContentAddress.field`), so it can never be renamed.
public enum ContentField: String, Sendable, Codable, CaseIterable {
    case message
    case attachment
    /// The answers of the contact or report form.
    case form
    /// The person's name and contact details, when they gave them.
    case identity
    case consent
    /// The counsellor's private note (versioned by thread).
    case note
    case referral
    /// The retaliation (benadeling) signal.
    case signal
    /// Who the case is about, as the person named them.
    case party
    /// A journal entry the person shared into the case.
    case journal
}

/// The things a counsellor may do only with the person's consent.
public enum ConsentKind: String, Sendable, Codable, CaseIterable {
    case contactHR = "contact-hr"
    case contactManager = "contact-manager"
    case shareIdentity = "share-identity"
    case referral
    case formalProcedure = "formal-procedure"
}

/// What happened to a consent, or what the person decided. Stored as the event's text in the
/// encrypted consent item.
public enum ConsentEventKind: String, Sendable, Codable, CaseIterable {
    /// A consent given (with a kind), recorded by the counsellor.
    case given
    /// With a kind: a consent taken back. Without one: the person withdrew the whole case.
    case withdrawn
    case identityRevealed = "identity-revealed"
    case journalShared = "journal-shared"
    case journalSharedOngoing = "journal-shared-ongoing"
    case journalShareStopped = "journal-share-stopped"
    case matchSeparate = "match-separate"
    case matchTalk = "match-talk"
    case matchTogether = "match-together"

    /// The event that records a person's choice about cases that name the same person.
    public static func match(_ choice: MatchConsent.Choice) -> ConsentEventKind? {
        switch choice {
        case .undecided: nil
        case .separate: .matchSeparate
        case .talk: .matchTalk
        case .together: .matchTogether
        }
    }
}

/// Where a counsellor refers a person. The counsellor refers; they do not investigate, judge or mediate.
public enum ReferralTarget: String, Sendable, Codable, CaseIterable {
    case hr
    case companyDoctor = "company-doctor"
    case mediation
    case police
    case huisKlokkenluiders = "huis-klokkenluiders"
    case complaintsCommittee = "complaints-committee"
}

// MARK: - Translation keys
// Each word has a text in every catalogue; CatalogTests walks `allCases` of each, so a new case
// without its translations fails there.

extension CaseKind {
    public var translationKey: String { "case.kind.\(rawValue)" }
}

extension CaseStatus {
    public var translationKey: String { "case.status.\(rawValue)" }
}

extension ConsentKind {
    public var translationKey: String { "consent.kind.\(rawValue)" }
}

extension ConsentEventKind {
    public var translationKey: String { "consent.event.\(rawValue)" }
}

extension ReferralTarget {
    public var translationKey: String { "referral.to.\(rawValue)" }
}
