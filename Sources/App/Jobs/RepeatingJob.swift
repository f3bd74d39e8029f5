import Vapor

/// Work the server repeats while it runs: the outbox every few seconds, deadline reminders every
/// ten minutes, the retention purge once a day. Each job is idempotent, so a restart repeats
/// nothing; on shutdown the loop stops before the database closes, after the round in progress.
struct RepeatingJob: LifecycleHandler {
    let name: String
    /// The wait before the first round (a purge should not wait a whole day after a restart).
    let firstRun: Duration
    let interval: Duration
    let work: @Sendable (Application) async -> Void

    func didBootAsync(_ application: Application) async throws {
        let task = Task { [firstRun, interval, work] in
            var wait = firstRun
            while true {
                do { try await Task.sleep(for: wait) } catch { return }
                guard !Task.isCancelled else { return }
                await work(application)
                wait = interval
            }
        }
        var tasks = application.storage[Tasks.self] ?? [:]
        tasks[name] = task
        application.storage[Tasks.self] = tasks
    }

    func shutdownAsync(_ application: Application) async {
        guard let task = application.storage[Tasks.self]?[name] else { return }
        task.cancel()
        await task.value
    }

    struct Tasks: StorageKey {
        typealias Value = [String: Task<Void, Never>]
    }
}

extension Application {
    /// The outbox, the deadline reminders and the retention purge.
    func registerJobs() {
        lifecycle.use(
            RepeatingJob(name: "outbox", firstRun: .seconds(5), interval: .seconds(5)) { app in
                guard app.vertrouwd.settings.smtp != nil else { return }
                _ = try? await OutboxSender(services: app.vertrouwd, db: app.db, logger: app.logger).sendDue()
            })
        lifecycle.use(
            RepeatingJob(name: "reminders", firstRun: .seconds(60), interval: .seconds(600)) { app in
                _ = try? await DeadlineReminders(services: app.vertrouwd, db: app.db).queueDue()
            })
        lifecycle.use(
            RepeatingJob(name: "purge", firstRun: .seconds(300), interval: .seconds(86_400)) { app in
                do {
                    try await CasePurger(services: app.vertrouwd, db: app.db, logger: app.logger).purge()
                } catch {
                    app.logger.error("purge failed", metadata: ["error": .string(String(describing: type(of: error)))])
                }
            })
    }
}
