import Fluent
import ServiceLifecycle
import Vapor
import VertrouwdCore

/// Work the server repeats while it runs: the outbox every few seconds, deadline reminders every
/// ten minutes, the retention purge once a day.
///
/// Every instance runs the loops. The outbox claims its mails one by one, so instances share the
/// sending; the reminders and the purge take a `JobLease` first, so one instance runs each round.
/// Every job is safe to repeat: a round cut short by a crash is run again by the next one.
struct RepeatingJob: Sendable {
    let name: String
    /// The wait before the first round (a purge should not wait a whole day after a restart).
    let firstRun: Duration
    let interval: Duration
    /// How long one round may hold the job's lease; nil: no lease, every instance runs each round.
    let lease: TimeInterval?
    let work: @Sendable (Application) async throws -> Void

    /// Runs rounds until graceful shutdown; a round in progress is finished, not cut off.
    func run(_ application: Application) async {
        var wait = firstRun
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { [wait] in try await Task.sleep(for: wait) }
            } catch {
                return
            }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            wait = interval
            await round(application)
        }
    }

    /// One round: takes the lease if the job has one, does the work, and marks the lease finished
    /// (or frees it at once after a failure, for the next look).
    func round(_ application: Application) async {
        let services = application.vertrouwd
        let leases = JobLeases(db: application.db, holder: services.instanceID)
        if let lease {
            // A little under the interval, so that instances whose loops are out of step still run it each interval.
            let due = Double(interval.components.seconds) * 0.9
            do {
                // Another instance ran it this interval: nothing to do and nothing to say.
                guard try await leases.take(name, interval: due, lease: lease, now: services.clock.now) else { return }
            } catch {
                application.logger.warning(
                    "job lease not taken; round skipped",
                    metadata: ["action": .string(name), "error": .string(String(reflecting: type(of: error)))])
                return
            }
        }
        var succeeded = false
        do {
            try await work(application)
            succeeded = true
        } catch {
            application.logger.error(
                "job failed", metadata: ["action": .string(name), "error": .string(String(describing: type(of: error)))])
        }
        guard lease != nil else { return }
        do {
            try await leases.finish(name, now: services.clock.now, succeeded: succeeded)
        } catch {
            // The lease then runs out by itself; the next round after that runs the job again.
            application.logger.warning(
                "job lease not released", metadata: ["action": .string(name), "error": .string(String(reflecting: type(of: error)))])
        }
    }
}

extension RepeatingJob {
    /// The outbox, the deadline reminders, the retention purge and the page cache's look at the shared
    /// version, with the application's settings.
    static func all(for settings: AppSettings) -> [RepeatingJob] {
        let reminders = settings.reminderIntervalSeconds
        return [
            RepeatingJob(
                name: "outbox", firstRun: .seconds(min(5, settings.outboxIntervalSeconds)),
                interval: .seconds(settings.outboxIntervalSeconds), lease: nil
            ) { app in
                guard app.vertrouwd.settings.smtp != nil else { return }
                try await OutboxSender(services: app.vertrouwd, db: app.db, logger: app.logger).sendDue()
            },
            RepeatingJob(
                name: "reminders", firstRun: .seconds(min(60, reminders)), interval: .seconds(reminders),
                lease: 600
            ) { app in
                try await DeadlineReminders(services: app.vertrouwd, db: app.db).queueDue()
            },
            RepeatingJob(name: "page-cache", firstRun: .seconds(1), interval: .seconds(2), lease: nil) { app in
                if let version = try await PageCacheVersion.current(on: app.db) { app.pageCache.follow(version: version) }
            },
            RepeatingJob(name: "purge", firstRun: .seconds(300), interval: .seconds(86_400), lease: 3600) { app in
                let services = app.vertrouwd
                try await UnlockedKeys.sweep(idleTimeout: services.settings.sessionIdleTimeout, now: services.clock.now, on: app.db)
                try await CasePurger(services: services, db: app.db, logger: app.logger).purge()
            },
        ]
    }
}

/// The job loops as one service of the process's `ServiceGroup` (see `Vertrouwd.serve`).
struct JobService: Service {
    let application: Application
    let jobs: [RepeatingJob]

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for job in jobs {
                group.addTask { await job.run(application) }
            }
        }
    }
}
