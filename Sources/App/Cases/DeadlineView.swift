import Vapor
import VertrouwdCore

/// One Wbk deadline as a page shows it: what, by when, and whether it is on time, overdue or done.
struct DeadlineView: Encodable {
    let labelKey: String
    let due: String
    let stateKey: String
    let isOverdue: Bool

    static func list(for record: CaseRecord, on req: Request) -> [DeadlineView] {
        guard let deadlines = record.deadlines else { return [] }
        let now = req.now
        return [
            DeadlineView(
                labelKey: "deadline.acknowledgement", due: req.formatted(deadlines.acknowledgementDue),
                stateKey: "deadline.state.\(deadlines.acknowledgement(at: now).rawValue)",
                isOverdue: deadlines.acknowledgement(at: now) == .overdue),
            DeadlineView(
                labelKey: "deadline.feedback", due: req.formatted(deadlines.feedbackDue),
                stateKey: "deadline.state.\(deadlines.feedback(at: now).rawValue)", isOverdue: deadlines.feedback(at: now) == .overdue),
        ]
    }
}
