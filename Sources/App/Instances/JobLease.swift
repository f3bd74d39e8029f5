import Fluent
import SQLKit
import Vapor

/// A job's turn, shared by every instance through the database: the deadline reminders and the
/// retention purge each run on one instance at a time, at most once per interval.
///
/// An instance takes the job with one conditional UPDATE (so two cannot both take it), holds it
/// until `lease_until`, and marks it finished. An instance that dies holding it loses it when the
/// lease runs out, and the next one to look runs the job again; each job is safe to repeat.
final class JobLease: Model, @unchecked Sendable {
    static let schema = "job_leases"

    @ID(custom: "name", generatedBy: .user) var id: String?
    @OptionalField(key: "holder") var holder: String?
    @OptionalField(key: "lease_until") var leaseUntil: Date?
    @OptionalField(key: "last_finished_at") var lastFinishedAt: Date?

    init() {}
}

struct JobLeases {
    let db: any Database
    /// This process, as the holder of a lease.
    let holder: String

    /// Takes `name` for `lease` when it last finished at least `interval` ago and nobody holds it.
    func take(_ name: String, interval: TimeInterval, lease: TimeInterval, now: Date) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        try await sql.raw("INSERT INTO job_leases (name) VALUES (\(bind: name)) ON CONFLICT (name) DO NOTHING").run()
        let taken = try await sql.raw(
            """
            UPDATE job_leases SET holder = \(bind: holder), lease_until = \(bind: now.addingTimeInterval(lease)) \
            WHERE name = \(bind: name) AND (lease_until IS NULL OR lease_until < \(bind: now)) \
            AND (last_finished_at IS NULL OR last_finished_at <= \(bind: now.addingTimeInterval(-interval))) RETURNING name
            """
        ).all()
        return !taken.isEmpty
    }

    /// Marks `name` finished, if this process still holds it; `succeeded: false` frees it for the next look.
    func finish(_ name: String, now: Date, succeeded: Bool) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let finished: SQLQueryString = succeeded ? "\(bind: now)" : "last_finished_at"
        try await sql.raw(
            "UPDATE job_leases SET holder = NULL, lease_until = NULL, last_finished_at = \(finished) WHERE name = \(bind: name) AND holder = \(bind: holder)"
        ).run()
    }
}
