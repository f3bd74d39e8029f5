import App
import Fluent
import Foundation
import SQLKit
import Vapor
import VertrouwdCore

/// A practice at full size (issue 22): 300 organisations, 40 counsellors who can sign in, and cases
/// in random states (deadlines, people waiting, matches to confirm, shared cases), each with its
/// key sealed to its counsellors, a conversation encrypted under that key, a named party, and its
/// audit trail; seeded straight into a fresh SQLite file (or the PostgreSQL of `DATABASE_URL`). At
/// each size it times, for random counsellors, against an indexed COUNT(*) of that counsellor's rows
/// in the same run: the work queue's reads as the dashboard makes them (the first page, the
/// summary's counting pass, a filtered page and the 50th page, or the last for a counsellor with
/// fewer), then over HTTP with a signed-in counsellor's cookies, the dashboard and a case page.
func practiceBenchmark(sizes: [Int], samples: Int) async throws {
    try await withBenchmarkDatabase { app, postgres in
        var practice = try await Practice.make(app, postgres: postgres)
        var pages = try await PracticePages.start(app)
        do {
            for counsellor in practice.counsellorAccounts.prefix(8) { try await pages.signIn(counsellor) }
            print("database: \(postgres ? "PostgreSQL" : "SQLite (file)"), 300 organisations, 40 counsellors, \(samples) samples each")
            row(["cases, read", "p50 ms", "p99 ms", "× count p50"])
            for size in sizes {
                try await practice.seed(upTo: size)
                var timings = try await practice.measure(samples: samples)
                try await pages.measure(practice, samples: samples, into: &timings)
                practice.report(timings)
            }
        } catch {
            await pages.stop()
            throw error
        }
        await pages.stop()
    }
}

struct Practice {
    let app: Application
    let sql: any SQLDatabase
    let organisations: [UUID]
    let counsellorAccounts: [BenchmarkCounsellor]
    let counsellors: [UUID]
    var cases = 0
    var random = SplitMix64(seed: 22)
    let now = Date()
    /// The last case seeded per organisation, to pair a match with; and the audit chain's end.
    var lastCase: [Int: UUID] = [:]
    var lastAudit: AuditChain.Entry?

    static func make(_ app: Application, postgres: Bool) async throws -> Practice {
        guard let sql = app.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        let organisations = (0..<300).map { _ in UUID() }
        let values = organisations.enumerated().map { index, id -> SQLQueryString in
            "(\(bind: id), \(bind: "Organisatie \(index)"), \(bind: "org-\(index)"), 'nl', 36)"
        }
        // Cases are kept three years after they end: the seeded cases go back that far.
        try await sql.raw(
            "INSERT INTO organisations (id, name, slug, default_language, retention_months) VALUES " + values.joined(separator: ", ")
        ).run()
        var counsellors: [BenchmarkCounsellor] = []
        for index in 0..<40 {
            counsellors.append(
                try await BenchmarkCounsellor.make(
                    app, email: "c\(index)@praktijk.example", name: "Counsellor \(index)", password: "praktijk-\(index)-wachtwoord"))
        }
        let practice = Practice(
            app: app, sql: sql, organisations: organisations, counsellorAccounts: counsellors, counsellors: counsellors.map(\.id))
        // Each organisation is served by two external counsellors.
        let memberships = organisations.indices.flatMap { index -> [SQLQueryString] in
            let (chosen, colleague) = practice.serving(index)
            return [chosen, colleague].map { counsellor in
                "(\(bind: UUID()), \(bind: organisations[index]), \(bind: counsellor), 'external', \(bind: false))"
            }
        }
        try await sql.raw(
            "INSERT INTO organisation_memberships (id, organisation_id, account_id, counsellor_kind, receives_reports) VALUES "
                + memberships.joined(separator: ", ")
        ).run()
        return practice
    }

    /// The two counsellors who serve organisation `index`.
    func serving(_ index: Int) -> (UUID, UUID) { (counsellors[index % 40], counsellors[(index * 7 + 3) % 40]) }

    mutating func seed(upTo target: Int) async throws {
        let started = ContinuousClock.now
        var batch = SeedBatch()
        // The chain goes on from its last entry: sign-ins and case reads add to it between sizes.
        lastAudit = try await sql.raw(
            "SELECT sequence, at, actor, action, case_id, detail, previous, digest FROM audit_events ORDER BY sequence DESC LIMIT 1"
        ).first(decoding: AuditRow.self).map {
            AuditChain.Entry(
                sequence: $0.sequence, at: $0.at, actor: $0.actor, action: $0.action, caseID: $0.case_id, detail: $0.detail,
                previous: $0.previous, digest: $0.digest)
        }
        let publicKeys = Dictionary(uniqueKeysWithValues: counsellorAccounts.map { ($0.id, $0.publicKey) })
        while cases < target {
            let index = Int.random(in: 0..<organisations.count, using: &random)
            let facts = randomFacts()
            let entry = WorkQueueEntry(facts)
            let caseID = UUID()
            let language = Bool.random(using: &random) ? "nl" : "en"
            let ended =
                facts.status.isEnded ? facts.receivedAt.addingTimeInterval(Double.random(in: 30...120, using: &random) * 86_400) : nil
            batch.cases.append(
                "(\(bind: caseID), \(bind: organisations[index]), \(bind: facts.kind.rawValue), \(bind: facts.status.rawValue), 1, "
                    + "\(bind: facts.receivedAt), \(bind: facts.receivedAt), \(bind: ended), \(bind: language))")
            let (chosen, colleague) = serving(index)
            let holders = Int.random(in: 0..<5, using: &random) == 0 ? [(chosen, false), (colleague, true)] : [(chosen, false)]
            let key = CaseDataKey.generate()
            for (holder, shared) in holders {
                batch.queue.append(
                    "(\(bind: UUID()), \(bind: holder), \(bind: caseID), \(bind: organisations[index]), \(bind: facts.kind.rawValue), "
                        + "\(bind: facts.status.rawValue), \(bind: language), \(bind: shared), \(bind: entry.standing.rawValue), "
                        + "\(bind: entry.standingKey), \(bind: entry.dueAt), \(bind: entry.remindAt), \(bind: entry.deadline), "
                        + "\(bind: entry.receivedAt), \(bind: entry.waitingSince), \(bind: entry.matchPending), "
                        + "\(bind: ended.map(WorkQueueEntry.seconds)))")
                let sealed = try SealedDataKey.seal(key, caseID: caseID, to: .counsellor(holder), publicKey: publicKeys[holder]!)
                batch.grants.append(
                    "(\(bind: UUID()), \(bind: caseID), 1, 'counsellor', \(bind: holder), \(bind: Data(sealed.encapsulatedKey)), "
                        + "\(bind: Data(sealed.ciphertext)), \(bind: facts.receivedAt))")
            }
            // The conversation: the person's first message, then turns both ways.
            for turn in 0..<Int.random(in: 1...6, using: &random) {
                let itemID = UUID()
                let author: ContentAuthor = turn.isMultiple(of: 2) ? .person : .counsellor
                let text = (0..<Int.random(in: 8...60, using: &random)).map { _ in Self.words.randomElement(using: &random)! }
                    .joined(separator: " ")
                let ciphertext = try CaseCipher.seal(
                    text, at: ContentAddress(caseID: caseID, field: ContentField.message.rawValue, itemID: itemID), with: key)
                let written = facts.receivedAt.addingTimeInterval(Double(turn) * 3_600)
                batch.contents.append(
                    "(\(bind: itemID), \(bind: caseID), 'message', 1, 1, \(bind: author.rawValue), \(bind: Data(ciphertext)), "
                        + "\(bind: written))")
                if author == .counsellor { audit(.caseReply, by: chosen, caseID: caseID, at: written, into: &batch) }
            }
            audit(.caseRead, by: chosen, caseID: caseID, at: facts.receivedAt, into: &batch)
            // A named party; a case waiting for a match shares it with the organisation's previous case.
            let pairedWith = facts.matchPending ? lastCase[index] : nil
            let digest = pairedWith.map { "party-\($0.uuidString)" } ?? "party-\(caseID.uuidString)"
            batch.parties.append(
                "(\(bind: UUID()), \(bind: organisations[index]), \(bind: caseID), 'email', \(bind: digest), \(bind: false))")
            if let other = pairedWith {
                let (first, second) = caseID.uuidString < other.uuidString ? (caseID, other) : (other, caseID)
                batch.matches.append(
                    "(\(bind: UUID()), \(bind: organisations[index]), \(bind: first), \(bind: second), 'undecided', 'undecided', "
                        + "\(bind: facts.receivedAt), 'email')")
            } else {
                lastCase[index] = caseID
            }
            cases += 1
            if batch.cases.count == 400 { try await batch.flush(sql) }
        }
        try await batch.flush(sql)
        // Fresh statistics, as a database that has run for a while has them.
        try await sql.raw("ANALYZE").run()
        let seconds = (ContinuousClock.now - started).components.seconds
        print("seeded up to \(cases) cases in \(seconds) s")
    }

    mutating func audit(_ action: AuditAction, by counsellor: UUID, caseID: UUID, at: Date, into batch: inout SeedBatch) {
        let entry = AuditChain.next(
            after: lastAudit, at: at, actor: "staff:\(counsellor.uuidString)", action: action.rawValue, caseID: caseID.uuidString,
            detail: "")
        lastAudit = entry
        batch.audit.append(
            "(\(bind: UUID()), \(bind: entry.sequence), \(bind: entry.at), \(bind: entry.actor), \(bind: entry.action), "
                + "\(bind: entry.caseID), \(bind: entry.detail), \(bind: entry.previous), \(bind: entry.digest))")
    }

    static let words = [
        "ik", "mijn", "leidinggevende", "collega", "vergadering", "opmerkingen", "steeds", "weer", "voel", "me", "niet", "veilig",
        "gisteren", "team", "afspraak", "gesprek", "wil", "graag", "weten", "wat", "kan", "doen", "dank", "voor", "uw", "bericht",
    ]

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

    /// The reads in the order they are printed; the first is the baseline.
    static let order = [
        "indexed COUNT(*) (baseline)", "first page", "summary counts", "filtered page", "page 50 (or last)",
        PracticePages.dashboard, PracticePages.casePage,
    ]

    func measure(samples: Int) async throws -> [String: [Double]] {
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
        let order = Self.order
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
                timings[name, default: []].append(milliseconds(elapsed))
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
        return timings
    }

    func report(_ timings: [String: [Double]]) {
        let baseline = percentile(timings[Self.order[0]] ?? [], 0.5)
        for name in Self.order where timings[name] != nil {
            let values = timings[name] ?? []
            let p50 = percentile(values, 0.5)
            row([
                "\(cases), \(name)", String(format: "%.2f", p50), String(format: "%.2f", percentile(values, 0.99)),
                String(format: "%.1f", p50 / max(baseline, 0.000_001)),
            ])
        }
    }

    struct Count: Decodable { let n: Int }

    struct AuditRow: Decodable {
        let sequence: Int
        let at: Date
        let actor: String
        let action: String
        let case_id: String
        let detail: String
        let previous: String
        let digest: String
    }

    /// The rows of one batch of seeded cases, written together.
    struct SeedBatch {
        var cases: [SQLQueryString] = []
        var queue: [SQLQueryString] = []
        var grants: [SQLQueryString] = []
        var contents: [SQLQueryString] = []
        var audit: [SQLQueryString] = []
        var parties: [SQLQueryString] = []
        var matches: [SQLQueryString] = []

        mutating func flush(_ sql: any SQLDatabase) async throws {
            let tables: [(String, [SQLQueryString])] = [
                ("cases (id, organisation_id, kind, status, key_version, created_at, received_at, ended_at, language)", cases),
                (
                    "case_queue (id, counsellor_id, case_id, organisation_id, kind, status, language, shared, standing, "
                        + "standing_key, due_at, remind_at, deadline, received_at, waiting_since, match_pending, ended_at)", queue
                ),
                ("case_key_grants (id, case_id, key_version, recipient, counsellor_id, encapsulated_key, sealed_key, created_at)", grants),
                ("case_contents (id, case_id, field, revision, key_version, author, ciphertext, created_at)", contents),
                ("audit_events (id, sequence, at, actor, action, case_id, detail, previous, digest)", audit),
                ("named_parties (id, organisation_id, case_id, kind, digest, initials_only)", parties),
                (
                    "party_matches (id, organisation_id, first_case_id, second_case_id, first_choice, second_choice, found_at, "
                        + "matched_kind)", matches
                ),
            ]
            for (table, rows) in tables where !rows.isEmpty {
                try await sql.raw("INSERT INTO \(unsafeRaw: table) VALUES " + rows.joined(separator: ", ")).run()
            }
            self = SeedBatch()
        }
    }

    func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.down)))]
    }
}
