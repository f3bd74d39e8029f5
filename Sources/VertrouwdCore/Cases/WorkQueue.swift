import Foundation

/// Why a case stands where it does in a counsellor's work queue: what needs them now comes first.
/// Every case is in exactly one tier, the first that applies.
public enum WorkQueueTier: Int, Sendable, Codable, CaseIterable, Comparable {
    /// A Wbk deadline is overdue, or falls within the organisation's reminder term.
    case deadline = 1
    /// The person wrote and waits for an answer.
    case waiting = 2
    /// Another case may name the same person, and this case's counsellor has not confirmed it yet.
    case match = 3
    /// Nobody has taken it up yet.
    case new = 4
    /// Everything else, newest first; ended cases too.
    case rest = 5
    /// Set aside as unwanted (a bot, a flood): listed apart, never in the queue.
    case setAside = 9

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The tiers the queue shows, in order.
    public static let queue: [WorkQueueTier] = [.deadline, .waiting, .match, .new, .rest]
}

/// The clear facts about a case that decide its place in the queue; none of them is content.
public struct WorkQueueFacts: Sendable, Equatable {
    public var kind: CaseKind
    public var status: CaseStatus
    public var receivedAt: Date
    public var acknowledgedAt: Date?
    public var feedbackGivenAt: Date?
    public var waitingSince: Date?
    public var setAside: Bool
    /// A match of this case waits for this case's counsellor to confirm it.
    public var matchPending: Bool
    public var remindAcknowledgementDays: Int
    public var remindFeedbackDays: Int

    public init(
        kind: CaseKind, status: CaseStatus, receivedAt: Date, acknowledgedAt: Date? = nil, feedbackGivenAt: Date? = nil,
        waitingSince: Date? = nil, setAside: Bool = false, matchPending: Bool = false, remindAcknowledgementDays: Int = 2,
        remindFeedbackDays: Int = 14
    ) {
        self.kind = kind
        self.status = status
        self.receivedAt = receivedAt
        self.acknowledgedAt = acknowledgedAt
        self.feedbackGivenAt = feedbackGivenAt
        self.waitingSince = waitingSince
        self.setAside = setAside
        self.matchPending = matchPending
        self.remindAcknowledgementDays = remindAcknowledgementDays
        self.remindFeedbackDays = remindFeedbackDays
    }
}

/// A case's standing in the queue, as stored for each counsellor who holds it. Times are whole
/// seconds since 1970, so that a page's cursor compares exactly on every database.
///
/// Only the deadline tier depends on the clock; it is decided when the queue is read, from
/// `remindAt`. The other tiers change only when the case does, so they are stored (`standing`).
public struct WorkQueueEntry: Sendable, Equatable {
    /// The tier the case has when no deadline calls for it.
    public var standing: WorkQueueTier
    /// The order within the standing tier, ascending.
    public var standingKey: Int64
    /// The next open Wbk deadline, and when reminding of it starts; nil for a contact and an ended case.
    public var dueAt: Int64?
    public var remindAt: Int64?
    /// `acknowledgement` or `feedback`: which deadline `dueAt` is.
    public var deadline: String?
    public var receivedAt: Int64
    public var waitingSince: Int64?
    public var matchPending: Bool

    public init(
        standing: WorkQueueTier, standingKey: Int64, dueAt: Int64?, remindAt: Int64?, deadline: String?, receivedAt: Int64,
        waitingSince: Int64?, matchPending: Bool
    ) {
        self.standing = standing
        self.standingKey = standingKey
        self.dueAt = dueAt
        self.remindAt = remindAt
        self.deadline = deadline
        self.receivedAt = receivedAt
        self.waitingSince = waitingSince
        self.matchPending = matchPending
    }

    public static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    public init(_ facts: WorkQueueFacts) {
        let ended = facts.status.isEnded
        let received = Self.seconds(facts.receivedAt)
        let waiting = ended || facts.setAside ? nil : facts.waitingSince.map(Self.seconds)
        let pending = facts.matchPending && !ended && !facts.setAside
        var due: (at: Date, remind: Date, name: String)?
        if facts.kind == .formalReport, !ended, !facts.setAside {
            let deadlines = FormalReportDeadlines(
                receivedAt: facts.receivedAt, acknowledgedAt: facts.acknowledgedAt, feedbackGivenAt: facts.feedbackGivenAt)
            if facts.acknowledgedAt == nil {
                let at = deadlines.acknowledgementDue
                due = (at, at.addingTimeInterval(-Double(facts.remindAcknowledgementDays) * 86_400), "acknowledgement")
            } else if facts.feedbackGivenAt == nil {
                let at = deadlines.feedbackDue
                due = (at, at.addingTimeInterval(-Double(facts.remindFeedbackDays) * 86_400), "feedback")
            }
        }
        let standing: WorkQueueTier
        let key: Int64
        if facts.setAside {
            (standing, key) = (.setAside, -received)
        } else if let waiting {
            (standing, key) = (.waiting, waiting)
        } else if pending {
            (standing, key) = (.match, received)
        } else if facts.status == .new {
            (standing, key) = (.new, received)
        } else {
            (standing, key) = (.rest, -received)
        }
        self.init(
            standing: standing, standingKey: key, dueAt: due.map { Self.seconds($0.at) }, remindAt: due.map { Self.seconds($0.remind) },
            deadline: due?.name, receivedAt: received, waitingSince: waiting, matchPending: pending)
    }

    /// Whether a deadline calls for the case at `now`: reminding has started, or it is overdue.
    public func deadlineCalls(at now: Int64) -> Bool { remindAt.map { $0 <= now } ?? false }

    public func isOverdue(at now: Int64) -> Bool { dueAt.map { $0 < now } ?? false }

    /// The case's tier and key at `now`: the deadline tier (soonest due first) when a deadline calls,
    /// else the standing one.
    public func place(at now: Int64) -> (tier: WorkQueueTier, key: Int64) {
        if standing != .setAside, deadlineCalls(at: now), let dueAt { return (.deadline, dueAt) }
        return (standing, standingKey)
    }
}

/// A position in the queue: tier, key within it, then the case id, so that the order is total and
/// the same on every database (which compare ids as 16 bytes, like their upper-case text).
public struct WorkQueuePosition: Sendable, Hashable, Comparable {
    public let tier: WorkQueueTier
    public let key: Int64
    public let caseID: UUID

    public init(tier: WorkQueueTier, key: Int64, caseID: UUID) {
        self.tier = tier
        self.key = key
        self.caseID = caseID
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        if lhs.tier != rhs.tier { return lhs.tier < rhs.tier }
        if lhs.key != rhs.key { return lhs.key < rhs.key }
        return lhs.caseID.uuidString < rhs.caseID.uuidString
    }

    /// The cursor in a "next page" link: the position of the last case shown and the clock the
    /// first page was read at, so that a deadline crossing its reminder between pages moves nothing.
    public func cursor(asOf now: Int64) -> String { "\(tier.rawValue).\(key).\(caseID.uuidString).\(now)" }

    public static func parse(cursor: String) -> (position: WorkQueuePosition, asOf: Int64)? {
        let parts = cursor.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, let rawTier = Int(parts[0]), let tier = WorkQueueTier(rawValue: rawTier), tier != .setAside,
            let key = Int64(parts[1]), let id = UUID(uuidString: String(parts[2])), let now = Int64(parts[3])
        else { return nil }
        return (WorkQueuePosition(tier: tier, key: key, caseID: id), now)
    }
}
