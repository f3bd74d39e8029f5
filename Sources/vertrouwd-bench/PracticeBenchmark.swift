import App
import Fluent
import Foundation
import SQLKit
import Vapor
import VertrouwdCore

/// A practice at full size (issue 22): 300 organisations, 40 counsellors and cases in random states
/// (deadlines, people waiting, matches to confirm, shared cases), seeded straight into a fresh SQLite
/// file (or the PostgreSQL of `DATABASE_URL`). At each size it times the work queue's reads as the
/// dashboard makes them, for random counsellors, against an indexed COUNT(*) of that counsellor's
/// rows in the same run: the first page, the summary's counting pass, a filtered page and the 50th
/// page (or the last, for a counsellor with fewer). Only the queue is seeded, not case content:
/// the queue never reads it.
func practiceBenchmark(sizes: [Int], samples: Int) async throws {
    try await withBenchmarkDatabase { app, postgres in
        var practice = try await Practice.make(app, postgres: postgres)
        print("database: \(postgres ? "PostgreSQL" : "SQLite (file)"), 300 organisations, 40 counsellors, \(samples) samples each")
        row(["cases, read", "p50 ms", "p99 ms", "× count p50"])
        for size in sizes {
            try await practice.seed(upTo: size)
            try await practice.measure(samples: samples)
        }
    }
}

private struct Practice {
    let app: Application
    let sql: any SQLDatabase
    let organisations: [UUID]
    let counsellors: [UUID]
    var cases = 0
    var random = SplitMix64(seed: 22)
    let now = Date()

    static func make(_ app: Application, postgres: Bool) async throws -> Practice {
        guard let sql = app.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        let organisations = (0..<300).map { _ in UUID() }
        let values = organisations.enumerated().map { index, id -> SQLQueryString in
            "(\(bind: id), \(bind: "Organisatie \(index)"), \(bind: "org-\(index)"), 'nl')"
        }
        try await sql.raw("INSERT INTO organisations (id, name, slug, default_language) VALUES " + values.joined(separator: ", ")).run()
        let counsellors = (0..<40).map { _ in UUID() }
        let accounts = counsellors.enumerated().map { index, id -> SQLQueryString in
            "(\(bind: id), \(bind: "c\(index)@praktijk.example"), \(bind: "C\(index)"), 'counsellor', \(bind: false))"
        }
        try await sql.raw(
            "INSERT INTO staff_accounts (id, email, display_name, role, is_disabled) VALUES " + accounts.joined(separator: ", ")
        )
        .run()
        return Practice(app: app, sql: sql, organisations: organisations, counsellors: counsellors)
    }

    /// The two counsellors who serve organisation `index`.
    func serving(_ index: Int) -> (UUID, UUID) { (counsellors[index % 40], counsellors[(index * 7 + 3) % 40]) }

    mutating func seed(upTo target: Int) async throws {
        let started = ContinuousClock.now
        var caseValues: [SQLQueryString] = []
        var queueValues: [SQLQueryString] = []
        func flush() async throws {
            guard !caseValues.isEmpty else { return }
            try await sql.raw(
                "INSERT INTO cases (id, organisation_id, kind, status, key_version, created_at, received_at, language) VALUES "
                    + caseValues.joined(separator: ", ")
            ).run()
            try await sql.raw(
                "INSERT INTO case_queue (id, counsellor_id, case_id, organisation_id, kind, status, language, shared, standing, "
                    + "standing_key, due_at, remind_at, deadline, received_at, waiting_since, match_pending) VALUES "
                    + queueValues.joined(separator: ", ")
            ).run()
            caseValues.removeAll()
            queueValues.removeAll()
        }
        while cases < target {
            let index = Int.random(in: 0..<organisations.count, using: &random)
            let facts = randomFacts()
            let entry = WorkQueueEntry(facts)
            let caseID = UUID()
            let language = Bool.random(using: &random) ? "nl" : "en"
            caseValues.append(
                "(\(bind: caseID), \(bind: organisations[index]), \(bind: facts.kind.rawValue), \(bind: facts.status.rawValue), 1, "
                    + "\(bind: facts.receivedAt), \(bind: facts.receivedAt), \(bind: language))")
            let (chosen, colleague) = serving(index)
            let holders = Int.random(in: 0..<5, using: &random) == 0 ? [(chosen, false), (colleague, true)] : [(chosen, false)]
            for (holder, shared) in holders {
                queueValues.append(
                    "(\(bind: UUID()), \(bind: holder), \(bind: caseID), \(bind: organisations[index]), \(bind: facts.kind.rawValue), "
                        + "\(bind: facts.status.rawValue), \(bind: language), \(bind: shared), \(bind: entry.standing.rawValue), "
                        + "\(bind: entry.standingKey), \(bind: entry.dueAt), \(bind: entry.remindAt), \(bind: entry.deadline), "
                        + "\(bind: entry.receivedAt), \(bind: entry.waitingSince), \(bind: entry.matchPending))")
            }
            cases += 1
            if caseValues.count == 400 { try await flush() }
        }
        try await flush()
        // Fresh statistics, as a database that has run for a while has them.
        try await sql.raw("ANALYZE").run()
        let seconds = (ContinuousClock.now - started).components.seconds
        print("seeded up to \(cases) cases in \(seconds) s")
    }

    mutating func randomFacts() -> WorkQueueFacts {
        let day = 86_400.0
        let received = now.addingTimeInterval(-Double.random(in: 0...(3 * 365 * day), using: &random))
        let recent = now.timeIntervalSince(received) < 120 * day
        let status: CaseStatus =
            recent
            ? [.new, .inConversation, .inConversation, .referred].randomElement(using: &random)!
            : [.closed, .withdrawn, .closed].randomElement(using: &random)!
        return WorkQueueFacts(
            kind: Int.random(in: 0..<4, using: &random) == 0 ? .formalReport : .contact, status: status, receivedAt: received,
            acknowledgedAt: Bool.random(using: &random) ? received.addingTimeInterval(2 * day) : nil,
            feedbackGivenAt: Int.random(in: 0..<3, using: &random) == 0 ? received.addingTimeInterval(60 * day) : nil,
            waitingSince: recent && Int.random(in: 0..<4, using: &random) == 0 ? received.addingTimeInterval(day) : nil,
            setAside: Int.random(in: 0..<100, using: &random) == 0, matchPending: recent && Int.random(in: 0..<30, using: &random) == 0)
    }

    func measure(samples: Int) async throws {
        let clockNow = WorkQueueEntry.seconds(now)
        var generator = SplitMix64(seed: UInt64(cases))
        // The 50th page's cursor for each counsellor (or their last page's), found once.
        var fiftieth: [UUID: String?] = [:]
        for counsellor in counsellors {
            let probe = try WorkQueueProbe(db: app.db, counsellorID: counsellor, now: clockNow)
            var cursor: String?
            var previous: String?
            for _ in 1..<50 {
                guard let next = try await probe.page(after: cursor).next else { break }
                previous = cursor
                cursor = next
            }
            fiftieth[counsellor] = cursor ?? previous
        }
        var timings: [String: [Double]] = [:]
        let order = ["indexed COUNT(*) (baseline)", "first page", "summary counts", "filtered page", "page 50 (or last)"]
        for _ in 0..<samples {
            let index = Int.random(in: 0..<counsellors.count, using: &generator)
            let counsellor = counsellors[index]
            let organisation = organisations[(0..<organisations.count).first { serving($0).0 == counsellor } ?? 0]
            let probe = try WorkQueueProbe(db: app.db, counsellorID: counsellor, now: clockNow)
            let filtered = try WorkQueueProbe(
                db: app.db, counsellorID: counsellor, organisationID: organisation, kind: .contact, now: clockNow)
            func time(_ name: String, _ body: () async throws -> Int) async throws {
                let started = ContinuousClock.now
                let result = try await body()
                let elapsed = ContinuousClock.now - started
                guard result >= 0 else { throw Abort(.internalServerError) }
                timings[name, default: []].append(
                    Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15)
            }
            try await time(order[0]) {
                try await sql.raw("SELECT COUNT(*) AS n FROM case_queue WHERE counsellor_id = \(bind: counsellor)")
                    .first(decoding: Count.self)?.n ?? -1
            }
            try await time(order[1]) { try await probe.page(after: nil).cases }
            try await time(order[2]) { try await probe.counts() }
            try await time(order[3]) { try await filtered.page(after: nil).cases }
            try await time(order[4]) { try await probe.page(after: fiftieth[counsellor] ?? nil).cases }
        }
        if CommandLine.arguments.contains("--plans"), let cursor = fiftieth[counsellors[0]] ?? nil {
            for (name, plan) in try await WorkQueueProbe(db: app.db, counsellorID: counsellors[0], now: clockNow).plans(after: cursor) {
                print("plan, \(name):")
                for line in plan { print("    \(line)") }
            }
        }
        let baseline = percentile(timings[order[0]] ?? [], 0.5)
        for name in order {
            let values = timings[name] ?? []
            let p50 = percentile(values, 0.5)
            row([
                "\(cases), \(name)", String(format: "%.2f", p50), String(format: "%.2f", percentile(values, 0.99)),
                String(format: "%.1f", p50 / max(baseline, 0.000_001)),
            ])
        }
    }

    struct Count: Decodable { let n: Int }

    func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.down)))]
    }
}
