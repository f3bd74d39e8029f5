import Fluent
import Vapor
import VertrouwdCore

/// A case's registration for the yearly report: categories and counts only, by year and quarter
/// (never a date), kept after the case itself is purged.
final class CaseRegistration: Model, @unchecked Sendable {
    static let schema = "case_registrations"

    @ID(key: .id) var id: UUID?
    /// Nil once the case is purged.
    @OptionalField(key: "case_id") var caseID: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @OptionalField(key: "counsellor_id") var counsellorID: UUID?
    @Field(key: "year") var year: Int
    @Field(key: "quarter") var quarter: Int
    /// contact or report
    @Field(key: "case_kind") var caseKind: CaseKind
    /// Comma-separated `Kind` values.
    @Field(key: "kinds") var kinds: String
    @Field(key: "other_party") var otherParty: String
    @Field(key: "pattern") var pattern: String
    /// Comma-separated `Registration.Outcome` values.
    @Field(key: "outcomes") var outcomes: String
    @Field(key: "contacts") var contacts: Int
    @Field(key: "quarter_hours") var quarterHours: Int
    /// For formal reports: whether the Wbk deadlines were met.
    @OptionalField(key: "acknowledged_in_time") var acknowledgedInTime: Bool?
    @OptionalField(key: "feedback_in_time") var feedbackInTime: Bool?
    @Field(key: "retaliation_signal") var retaliationSignal: Bool
    @Field(key: "registered_at") var registeredAt: Date
    /// Optional breakdowns, when the organisation switched them on (nil: not recorded).
    @OptionalField(key: "gender") var gender: String?
    @OptionalField(key: "job_group") var jobGroup: String?
    @OptionalField(key: "location") var location: String?

    init() {}

    /// A registration without a case (its case purged, or made up for the demo and the tests).
    init(_ facts: RegistrationFacts, organisationID: UUID, counsellorID: UUID?, year: Int, registeredAt: Date) {
        $organisation.id = organisationID
        self.counsellorID = counsellorID
        self.year = year
        quarter = facts.quarter
        caseKind = facts.isReport ? .formalReport : .contact
        kinds = facts.registration.kinds.map(\.rawValue).joined(separator: ",")
        otherParty = facts.registration.otherParty.rawValue
        pattern = facts.registration.pattern.rawValue
        outcomes = facts.registration.outcomes.map(\.rawValue).joined(separator: ",")
        contacts = facts.registration.contacts
        quarterHours = facts.registration.quarterHours
        acknowledgedInTime = facts.isReport ? facts.acknowledgedInTime : nil
        feedbackInTime = facts.isReport ? facts.feedbackInTime : nil
        retaliationSignal = facts.retaliationSignal
        self.registeredAt = registeredAt
        optional = facts.optional
    }

    /// The optional breakdowns as the statistics see them.
    var optional: [OptionalBreakdown: String] {
        get {
            var values: [OptionalBreakdown: String] = [:]
            values[.gender] = gender
            values[.jobGroup] = jobGroup
            values[.location] = location
            return values
        }
        set {
            gender = newValue[.gender]
            jobGroup = newValue[.jobGroup]
            location = newValue[.location]
        }
    }

    var registration: Registration? {
        guard let party = Registration.OtherParty(rawValue: otherParty), let pattern = Registration.Pattern(rawValue: pattern) else {
            return nil
        }
        return Registration(
            kinds: kinds.split(separator: ",").compactMap { Kind(rawValue: String($0)) }, otherParty: party, pattern: pattern,
            outcomes: outcomes.split(separator: ",").compactMap { Registration.Outcome(rawValue: String($0)) }, contacts: contacts,
            quarterHours: quarterHours)
    }

    /// Fills the row from a registration, for a case received at `receivedAt`.
    func update(from registration: Registration, record: CaseRecord, counsellorID: UUID, retaliation: Bool, now: Date) {
        caseID = record.id
        $organisation.id = record.$organisation.id
        self.counsellorID = counsellorID
        let received = record.receivedAt ?? record.createdAt ?? now
        let parts = FormalReportDeadlines.calendar.dateComponents([.year, .month], from: received)
        year = parts.year ?? 0
        quarter = ((parts.month ?? 1) - 1) / 3 + 1
        caseKind = record.kind
        kinds = registration.kinds.map(\.rawValue).joined(separator: ",")
        otherParty = registration.otherParty.rawValue
        pattern = registration.pattern.rawValue
        outcomes = registration.outcomes.map(\.rawValue).joined(separator: ",")
        contacts = registration.contacts
        quarterHours = registration.quarterHours
        if record.kind == .formalReport, let receivedAt = record.receivedAt {
            let deadlines = FormalReportDeadlines(
                receivedAt: receivedAt, acknowledgedAt: record.acknowledgedAt, feedbackGivenAt: record.feedbackGivenAt)
            acknowledgedInTime = deadlines.acknowledgedInTime
            feedbackInTime = deadlines.feedbackInTime
        }
        retaliationSignal = retaliation
        registeredAt = now
    }
}
