import Fluent
import Vapor
import VertrouwdCore

/// Reminds the counsellors of a formal report by e-mail when a Wbk deadline comes near (the
/// organisation's reminder terms) and again when it has passed; each stage once per deadline.
struct DeadlineReminders {
    let services: VertrouwdServices
    let db: any Database

    /// Queues the reminders that are due now; returns how many cases got one.
    @discardableResult
    func queueDue() async throws -> Int {
        let now = services.clock.now
        let notifier = Notifier(services: services, db: db)
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
            try await record.save(on: db)
            try await notifier.caseChanged(caseID, template: template)
            reminded += 1
        }
        return reminded
    }
}

/// The server's periodic work: deadline reminders every ten minutes and the retention purge once a
/// day (also available as `vertrouwd purge`). Both are idempotent, so a restart repeats nothing.
struct JobsLifecycle: LifecycleHandler {
    let reminderInterval: Duration
    let purgeInterval: Duration

    func didBootAsync(_ application: Application) async throws {
        let task = Task { [reminderInterval, purgeInterval] in
            let clock = ContinuousClock()
            var nextPurge = clock.now
            while true {
                do { try await Task.sleep(for: reminderInterval) } catch { return }
                guard !Task.isCancelled else { return }
                let services = application.vertrouwd
                _ = try? await DeadlineReminders(services: services, db: application.db).queueDue()
                if clock.now >= nextPurge {
                    nextPurge = clock.now.advanced(by: purgeInterval)
                    do {
                        try await CasePurger(services: services, db: application.db, logger: application.logger).purge()
                    } catch {
                        application.logger.error("purge failed", metadata: ["error": .string(String(describing: type(of: error)))])
                    }
                }
            }
        }
        application.storage[TaskKey.self] = task
    }

    func shutdownAsync(_ application: Application) async {
        guard let task = application.storage[TaskKey.self] else { return }
        task.cancel()
        await task.value
    }

    struct TaskKey: StorageKey {
        typealias Value = Task<Void, Never>
    }
}
