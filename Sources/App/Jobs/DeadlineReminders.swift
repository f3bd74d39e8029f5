import Fluent
import SQLKit
import Vapor
import VertrouwdCore

/// Reminds the counsellors of a formal report by e-mail when a Wbk deadline comes near (the
/// organisation's reminder terms; a deadline that passed unnoticed is reminded at once), once per
/// deadline. The mark and the queued mail are stored together, by whichever instance set the mark.
struct DeadlineReminders {
    let services: VertrouwdServices
    let db: any Database

    /// Queues the reminders that are due now; returns how many cases got one.
    @discardableResult
    func queueDue() async throws -> Int {
        let now = services.clock.now
        var reminded = 0
        let open = try await CaseRecord.query(on: db).filter(\.$kind == .formalReport).filter(\.$status !~ CaseStatus.ended)
            .filter(\.$flaggedAt == nil).with(\.$organisation).all()
        for record in open {
            guard let receivedAt = record.receivedAt, let caseID = record.id else { continue }
            let deadlines = FormalReportDeadlines(
                receivedAt: receivedAt, acknowledgedAt: record.acknowledgedAt, feedbackGivenAt: record.feedbackGivenAt)
            let organisation = record.organisation
            let template: String
            let mark: String
            if record.acknowledgedAt == nil, record.acknowledgementRemindedAt == nil,
                now >= deadlines.acknowledgementDue.addingTimeInterval(-Double(organisation.remindAcknowledgementDays) * 86_400)
            {
                (template, mark) = ("reminder-acknowledgement", "acknowledgement_reminded_at")
            } else if record.feedbackGivenAt == nil, record.feedbackRemindedAt == nil,
                now >= deadlines.feedbackDue.addingTimeInterval(-Double(organisation.remindFeedbackDays) * 86_400)
            {
                (template, mark) = ("reminder-feedback", "feedback_reminded_at")
            } else {
                continue
            }
            // The mark is set only where it is still empty, and the mail is queued only by the one
            // update that set it: an instance that looked at the same case at the same time queues nothing.
            let queued = try await db.transaction { db in
                guard let sql = db as? any SQLDatabase else { return false }
                let claimed = try await sql.raw(
                    """
                    UPDATE \(ident: CaseRecord.schema) SET \(ident: mark) = \(bind: now) \
                    WHERE id = \(bind: caseID) AND \(ident: mark) IS NULL RETURNING id
                    """
                ).all()
                guard claimed.count == 1 else { return false }
                try await Notifier(services: services, db: db).caseChanged(caseID, template: template)
                return true
            }
            if queued { reminded += 1 }
        }
        return reminded
    }
}
