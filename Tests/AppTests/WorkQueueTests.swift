import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

/// The counsellor's work queue against a brute-force reference: order, filters, counts, pages that
/// neither skip nor repeat, and rows that only ever show a counsellor their own cases.
@Suite("The counsellor's work queue")
struct WorkQueueTests {
    /// Random cases with random standings, held by random counsellors; the reference is the
    /// counsellor's own rows, filtered in Swift and sorted by `WorkQueuePosition`.
    struct World {
        let app: Application
        var counsellors: [UUID] = []
        var organisations: [UUID] = []
        var generator: SystemRandomNumberGenerator = .init()

        func rows(of counsellor: UUID) async throws -> [QueueRow] {
            try await QueueRow.query(on: app.db).filter(\.$counsellorID == counsellor).all()
        }

        /// A case in a random state, held by a random non-empty set of counsellors.
        mutating func addCase(now: Date) async throws {
            let record = CaseRecord(
                id: UUID(), organisationID: organisations.randomElement(using: &generator)!,
                kind: Bool.random(using: &generator) ? .contact : .formalReport)
            record.status = CaseStatus.allCases.randomElement(using: &generator)!
            record.language = [nil, "nl", "en"].randomElement(using: &generator)!
            try await record.create(on: app.db)
            let holders = counsellors.filter { _ in Bool.random(using: &generator) }
            for holder in holders.isEmpty ? [counsellors[0]] : holders {
                let row = QueueRow(counsellorID: holder, caseID: try record.requireID(), shared: Bool.random(using: &generator))
                row.apply(record, randomEntry(now: now))
                try await row.create(on: app.db)
            }
        }

        mutating func randomEntry(now: Date) -> WorkQueueEntry {
            let day = 86_400.0
            // Whole hours make equal keys likely, so the case id has to break ties.
            func moment(_ range: ClosedRange<Double>) -> Date {
                now.addingTimeInterval((Double.random(in: range, using: &generator) / 3_600).rounded() * 3_600)
            }
            let received = moment(-120 * day...0)
            return WorkQueueEntry(
                WorkQueueFacts(
                    kind: Bool.random(using: &generator) ? .contact : .formalReport,
                    status: CaseStatus.allCases.randomElement(using: &generator)!, receivedAt: received,
                    acknowledgedAt: Bool.random(using: &generator) ? received.addingTimeInterval(day) : nil,
                    feedbackGivenAt: Int.random(in: 0..<4, using: &generator) == 0 ? received.addingTimeInterval(30 * day) : nil,
                    waitingSince: Int.random(in: 0..<3, using: &generator) == 0 ? moment(-20 * day...0) : nil,
                    setAside: Int.random(in: 0..<10, using: &generator) == 0,
                    matchPending: Int.random(in: 0..<6, using: &generator) == 0,
                    remindAcknowledgementDays: Int.random(in: 0...6, using: &generator),
                    remindFeedbackDays: Int.random(in: 0...60, using: &generator)))
        }

        mutating func randomFilter() -> WorkQueueFilter {
            func maybe<T>(_ values: [T]) -> T? {
                Int.random(in: 0..<3, using: &generator) == 0 ? values.randomElement(using: &generator) : nil
            }
            return WorkQueueFilter(
                organisationID: maybe(organisations), status: maybe(CaseStatus.allCases), kind: maybe(CaseKind.allCases),
                due: maybe(WorkQueueFilter.Due.allCases), language: maybe(Language.allCases), scope: maybe(WorkQueueFilter.Scope.allCases))
        }

        static func make(_ app: Application, cases: Int, now: Date) async throws -> World {
            var world = World(app: app)
            for index in 0..<2 {
                world.organisations.append(try await Fixtures.organisation(app, slug: "org-\(index)", name: "Org \(index)").requireID())
            }
            for index in 0..<3 {
                let account = StaffAccount(email: EmailAddress("c\(index)@practice.example")!, displayName: "C\(index)", role: .counsellor)
                try await account.create(on: app.db)
                world.counsellors.append(try account.requireID())
            }
            for _ in 0..<cases { try await world.addCase(now: now) }
            return world
        }
    }

    static func reference(_ rows: [QueueRow], _ filter: WorkQueueFilter, at now: Int64) -> [UUID] {
        rows.filter { $0.standing != WorkQueueTier.setAside.rawValue && filter.admits($0, at: now) }
            .map { row in
                let place = row.entry.place(at: now)
                return WorkQueuePosition(tier: place.tier, key: place.key, caseID: row.caseID)
            }
            .sorted().map(\.caseID)
    }

    /// Every page after the first reads the clock its cursor carries, as the dashboard does.
    static func pageThrough(
        _ app: Application, _ counsellor: UUID, _ filter: WorkQueueFilter, now: Int64, size: Int,
        between: (Int) async throws -> Void = { _ in }
    ) async throws -> [UUID] {
        var seen: [UUID] = []
        var cursor: String?
        var pages = 0
        repeat {
            let parsed = cursor.flatMap(WorkQueuePosition.parse(cursor:))
            let query = try WorkQueueQuery(db: app.db, counsellorID: counsellor, filter: filter, now: parsed?.asOf ?? now)
            let page = try await query.page(after: parsed?.position, limit: size)
            #expect(page.items.count <= size)
            seen += page.items.map(\.item.case_id)
            cursor = page.next
            pages += 1
            try await between(pages)
        } while cursor != nil && pages < 1_000
        return seen
    }

    @Test func orderFiltersAndCountsAgreeWithABruteForceReference() async throws {
        try await withTestApp { app, clock in
            var world = try await World.make(app, cases: 150, now: clock.now)
            let now = WorkQueueEntry.seconds(clock.now)
            for round in 0..<40 {
                let filter = round == 0 ? WorkQueueFilter() : world.randomFilter()
                let counsellor = world.counsellors[round % world.counsellors.count]
                let own = try await world.rows(of: counsellor)
                let expected = Self.reference(own, filter, at: now)
                let size = [1, 4, 7, 25, 200][round % 5]
                let seen = try await Self.pageThrough(app, counsellor, filter, now: now, size: size)
                #expect(seen == expected, "filter \(filter), page size \(size)")

                let counts = try await WorkQueueQuery(db: app.db, counsellorID: counsellor, filter: filter, now: now).counts()
                let admitted = own.filter { $0.standing != WorkQueueTier.setAside.rawValue && filter.admits($0, at: now) }
                #expect(counts.total == admitted.count)
                #expect(counts.new ?? 0 == admitted.filter { $0.status == .new }.count)
                #expect(counts.waiting ?? 0 == admitted.filter { $0.waitingSince != nil }.count)
                #expect(counts.overdue ?? 0 == admitted.filter { $0.entry.isOverdue(at: now) }.count)
                #expect(counts.due_soon ?? 0 == admitted.filter { $0.entry.deadlineCalls(at: now) && !$0.entry.isOverdue(at: now) }.count)
                #expect(counts.matches ?? 0 == admitted.filter(\.matchPending).count)
            }
            // The first page starts with the most urgent tier the counsellor has.
            let own = try await world.rows(of: world.counsellors[0])
            let first = try await WorkQueueQuery(db: app.db, counsellorID: world.counsellors[0], filter: WorkQueueFilter(), now: now)
                .page(after: nil, limit: 1)
            let top = own.filter { $0.standing != WorkQueueTier.setAside.rawValue }.map { $0.entry.place(at: now).tier }.min()
            #expect(first.items.first?.position.tier == top)
        }
    }

    @Test func pagesNeitherSkipNorRepeatACaseWhileOthersChange() async throws {
        try await withTestApp { app, clock in
            var world = try await World.make(app, cases: 90, now: clock.now)
            let counsellor = world.counsellors[0]
            let now = WorkQueueEntry.seconds(clock.now)
            let before = try await world.rows(of: counsellor)
            var touched = Set<UUID>()
            let seen = try await Self.pageThrough(app, counsellor, WorkQueueFilter(), now: now, size: 6) { _ in
                // Between pages: a new case arrives, one is purged, one moves, and a day passes.
                try await world.addCase(now: clock.now)
                let rows = try await world.rows(of: counsellor)
                if let gone = rows.randomElement() {
                    touched.insert(gone.caseID)
                    try await QueueRow.query(on: app.db).filter(\.$caseID == gone.caseID).delete()
                }
                if let moved = rows.randomElement() {
                    touched.insert(moved.caseID)
                    moved.standingKey += Int64.random(in: -5_000_000...5_000_000)
                    try await moved.save(on: app.db)
                }
                clock.advance(by: 86_400)
            }
            let unchanged = Self.reference(before.filter { !touched.contains($0.caseID) }, WorkQueueFilter(), at: now)
            let seenUnchanged = seen.filter { !touched.contains($0) && Set(unchanged).contains($0) }
            #expect(seenUnchanged == unchanged, "every unchanged case once, in order, although the clock moved")
            let steady = seen.filter { !touched.contains($0) }
            #expect(steady.count == Set(steady).count, "no case that stayed put is shown twice")
        }
    }

    @Test func theDashboardPagesThroughOnlyTheCounsellorsOwnCases() async throws {
        try await withTestApp { app, clock in
            let acme = try await Fixtures.organisation(app)
            let other = try await Fixtures.organisation(app, slug: "other", name: "Andere Zaak")
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)
            try await OrganisationMembership(
                organisationID: other.requireID(), accountID: anna.account.requireID(), counsellorKind: .external
            )
            .create(on: app.db)
            let bram = try await Fixtures.staff(app, role: .counsellor, email: "bram@acme.example", serving: acme)
            let vault = CaseVault(services: app.vertrouwd, db: app.db)
            var annas = Set<UUID>()
            for index in 0..<31 {
                let organisation = index % 3 == 0 ? other : acme
                let (opened, _) = try await vault.createCase(
                    organisationID: organisation.requireID(), kind: index % 2 == 0 ? .contact : .formalReport,
                    counsellorIDs: [anna.account.requireID()])
                annas.insert(opened.caseID)
                clock.advance(by: 60)
            }
            let (brams, _) = try await vault.createCase(
                organisationID: acme.requireID(), kind: .contact, counsellorIDs: [bram.account.requireID()])
            // The second newest case, a report, will be on the second page; its feedback reminder
            // starts ten minutes from now, while Anna is between the two pages.
            let report = try #require(
                try await CaseRecord.query(on: app.db).filter(\.$id ~~ annas).filter(\.$kind == .formalReport)
                    .sort(\.$receivedAt, .descending).first())
            let remindAt = clock.now.addingTimeInterval(600 + 14 * 86_400)
            report.acknowledgedAt = FormalReportDeadlines.calendar.date(byAdding: .month, value: -3, to: remindAt)
            try await report.save(on: app.db)
            let remind = try #require(try await QueueRow.query(on: app.db).filter(\.$caseID == report.requireID()).first()?.remindAt)
            #expect((WorkQueueEntry.seconds(clock.now) + 1...WorkQueueEntry.seconds(clock.now) + 900).contains(remind))

            let browser = TestBrowser(app)
            try await browser.logIn(anna, at: clock.now)
            var page = try await browser.get("/backoffice")
            #expect(page.firstMatch(#"id="summary-new">(\d+)<"#) == "31")
            var seen: [UUID] = []
            for _ in 0..<5 {
                seen += page.body.matches(of: /id="select-([0-9A-F-]{36})"/).compactMap { UUID(uuidString: String($0.1)) }
                guard let next = page.firstMatch(#"id="queue-next" class="button secondary" href="([^"]+)""#) else { break }
                #expect(page.body.contains("id=\"queue-first\"") || seen.count == WorkQueuePage.pageSize)
                // A quarter of an hour passes: the report's reminder starts, but the second page is
                // read at the first page's clock, so the report is neither skipped nor shown twice.
                clock.advance(by: 900)
                page = try await browser.get(next.replacingOccurrences(of: "&amp;", with: "&"))
                #expect(page.status == .ok)
            }
            #expect(seen.count == 31 && Set(seen) == annas, "every case once, over two pages")
            let reportID = try report.requireID()
            #expect((seen.firstIndex(of: reportID) ?? 0) >= WorkQueuePage.pageSize, "the report came on the second page")
            // On a fresh first page the report now stands first, with its deadline.
            let fresh = try await browser.get("/backoffice")
            #expect(fresh.firstMatch(#"id="select-([0-9A-F-]{36})""#) == report.id?.uuidString)
            #expect(!seen.contains(brams.caseID))

            // A filter narrows the list and the count, and the next page keeps it.
            let reports = try await browser.get("/backoffice?kind=report&organisation=acme")
            let shown = reports.body.matches(of: /id="select-([0-9A-F-]{36})"/).compactMap { UUID(uuidString: String($0.1)) }
            let expected = try await CaseRecord.query(on: app.db).filter(\.$id ~~ annas).filter(\.$kind == .formalReport)
                .filter(\.$organisation.$id == acme.requireID()).count()
            #expect(shown.count == expected && expected > 0)
            #expect(reports.body.contains(app.vertrouwd.catalog.text("backoffice.queue.count", in: .dutch, ["\(expected)"])))
            // Bram's filter shows his one case; an unknown organisation or cursor shows the plain queue.
            let brams2 = TestBrowser(app)
            try await brams2.logIn(bram, at: clock.now)
            let his = try await brams2.get("/backoffice?organisation=other&after=nonsense")
            #expect(his.status == .ok)
            #expect(his.body.matches(of: /id="select-[0-9A-F-]{36}"/).count == 1)
            try await expectQueueInStep(app)
        }
    }
}

/// Rebuilding the queue from the cases changes nothing: every write kept it in step.
func expectQueueInStep(_ app: Application, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    func snapshot() async throws -> [String] {
        try await QueueRow.query(on: app.db).all().map { row in
            "\(row.counsellorID) \(row.caseID) \(row.organisationID) \(row.kind) \(row.status) \(row.language ?? "-") \(row.shared) \(row.entry) \(row.endedAt ?? -1)"
        }.sorted()
    }
    let before = try await snapshot()
    try await WorkQueueStore.rebuild(on: app.db)
    let after = try await snapshot()
    #expect(before == after, "the queue is what its cases say", sourceLocation: sourceLocation)
}
