import Fluent
import Foundation
import VertrouwdCore

/// One case as one counsellor's work queue holds it: a copy of the case's clear columns (never its
/// content) with its standing in the queue (`WorkQueueEntry`), one row per counsellor who holds the
/// case's key. It exists so that every page of the queue is one index range for one counsellor,
/// however many cases the practice has; `WorkQueueStore` keeps it in step with the case.
final class QueueRow: Model, @unchecked Sendable {
    static let schema = "case_queue"

    @ID(key: .id) var id: UUID?
    @Field(key: "counsellor_id") var counsellorID: UUID
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "kind") var kind: CaseKind
    @Field(key: "status") var status: CaseStatus
    /// The language the person wrote in (`nl`, `en`); nil for cases from before it was kept.
    @OptionalField(key: "language") var language: String?
    /// The counsellor has the case from a colleague (a share, a transfer, a hand-over), not from
    /// the person's own choice.
    @Field(key: "shared") var shared: Bool
    @Field(key: "standing") var standing: Int
    @Field(key: "standing_key") var standingKey: Int64
    @OptionalField(key: "due_at") var dueAt: Int64?
    @OptionalField(key: "remind_at") var remindAt: Int64?
    @OptionalField(key: "deadline") var deadline: String?
    @Field(key: "received_at") var receivedAt: Int64
    @OptionalField(key: "waiting_since") var waitingSince: Int64?
    @Field(key: "match_pending") var matchPending: Bool
    /// When the case ended (closed or withdrawn), for the cases whose retention term ends soon.
    @OptionalField(key: "ended_at") var endedAt: Int64?

    init() {}

    init(counsellorID: UUID, caseID: UUID, shared: Bool) {
        self.counsellorID = counsellorID
        self.caseID = caseID
        self.shared = shared
    }

    /// Another counsellor's row of the same case, for `counsellorID`: the case's columns and
    /// standing are the same for everyone who holds it.
    convenience init(copying other: QueueRow, for counsellorID: UUID) {
        self.init(counsellorID: counsellorID, caseID: other.caseID, shared: false)
        organisationID = other.organisationID
        kind = other.kind
        status = other.status
        language = other.language
        standing = other.standing
        standingKey = other.standingKey
        dueAt = other.dueAt
        remindAt = other.remindAt
        deadline = other.deadline
        receivedAt = other.receivedAt
        waitingSince = other.waitingSince
        matchPending = other.matchPending
        endedAt = other.endedAt
    }

    /// Copies the case's clear columns and standing; true when anything changed.
    @discardableResult
    func apply(_ record: CaseRecord, _ entry: WorkQueueEntry) -> Bool {
        let before = state
        organisationID = record.$organisation.id
        kind = record.kind
        status = record.status
        language = record.language
        standing = entry.standing.rawValue
        standingKey = entry.standingKey
        dueAt = entry.dueAt
        remindAt = entry.remindAt
        deadline = entry.deadline
        receivedAt = entry.receivedAt
        waitingSince = entry.waitingSince
        matchPending = entry.matchPending
        endedAt = record.endedAt.map(WorkQueueEntry.seconds)
        return before != state
    }

    private struct State: Equatable {
        let organisationID: UUID?
        let kind: CaseKind?
        let status: CaseStatus?
        let language: String?
        let endedAt: Int64?
        let entry: WorkQueueEntry?
    }

    private var state: State {
        let isSet = $standing.value != nil && $standingKey.value != nil && $receivedAt.value != nil && $matchPending.value != nil
        return State(
            organisationID: $organisationID.value, kind: $kind.value, status: $status.value, language: language,
            endedAt: endedAt, entry: isSet ? entry : nil)
    }

    /// A case's standing from its clear columns, its organisation's reminder terms and whether a
    /// match waits for its counsellor's confirmation.
    static func entry(
        for record: CaseRecord, remindDays: (acknowledgement: Int, feedback: Int), matchPending: Bool, now: Date
    ) -> WorkQueueEntry {
        WorkQueueEntry(
            WorkQueueFacts(
                kind: record.kind, status: record.status, receivedAt: record.receivedAt ?? record.createdAt ?? now,
                acknowledgedAt: record.acknowledgedAt, feedbackGivenAt: record.feedbackGivenAt, waitingSince: record.waitingSince,
                setAside: record.flaggedAt != nil, matchPending: matchPending, remindAcknowledgementDays: remindDays.acknowledgement,
                remindFeedbackDays: remindDays.feedback))
    }

    var entry: WorkQueueEntry {
        WorkQueueEntry(
            standing: WorkQueueTier(rawValue: standing) ?? .rest, standingKey: standingKey, dueAt: dueAt, remindAt: remindAt,
            deadline: deadline, receivedAt: receivedAt, waitingSince: waitingSince, matchPending: matchPending)
    }
}
