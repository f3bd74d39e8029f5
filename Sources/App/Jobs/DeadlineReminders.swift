import Fluent
import Vapor
import VertrouwdCore

/// Reminds the counsellors of a formal report by e-mail when a Wbk deadline comes near (the
/// organisation's reminder terms; a deadline that passed unnoticed is reminded at once), once per
/// deadline. The mark and the queued mail are stored together.
struct DeadlineReminders {
    let services: VertrouwdServices
    let db: any Database

    /// Queues the reminders that are due now; returns how many cases got one.
    @discardableResult
    func queueDue() async throws -> Int {
        let now = services.clock.now
        var reminded = 0
        let open = try await CaseRecord.query(on: db).filter(\.$kind == "report").filter(\.$status !~ CaseStatus.ended)
            .filter(\.$flaggedAt == nil).with(\.$organisation).all()
        for record in open {
            guard let receivedAt = record.receivedAt, let caseID = record.id else { continue }
            let deadlines = ReportDeadlines(
                receivedAt: receivedAt, acknowledgedAt: record.acknowledgedAt, feedbackGivenAt: record.feedbackGivenAt)
            let organisation = record.organisation
            var template: String?
            if record.acknowledgedAt == nil, record.acknowledgementRemindedAt == nil,
                now >= deadlines.acknowledgementDue.addingTimeInterval(-Double(organisation.remindAcknowledgementDays) * 86_400)
            {
                record.acknowledgementRemindedAt = now
                template = "reminder-acknowledgement"
            } else if record.feedbackGivenAt == nil, record.feedbackRemindedAt == nil,
                now >= deadlines.feedbackDue.addingTimeInterval(-Double(organisation.remindFeedbackDays) * 86_400)
            {
                record.feedbackRemindedAt = now
                template = "reminder-feedback"
            }
            guard let template else { continue }
            try await db.transaction { db in
                try await record.save(on: db)
                try await Notifier(services: services, db: db).caseChanged(caseID, template: template)
            }
            reminded += 1
        }
        return reminded
    }
}
