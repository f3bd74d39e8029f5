import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VertrouwdCore

@testable import App

/// Several instances on one database: any of them serves any request, throttles count across them,
/// and each job's work is done once.
@Suite("Several instances on one database")
struct InstancesTests {
    @Test func aCounsellorAndAPersonCarryOnAtTheOtherInstance() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let receipt = try await Fixtures.contact(app, slug: "acme", to: anna, message: "Mijn chef schreeuwt elke week")
            let counsellor = TestBrowser(app)
            try await counsellor.logIn(anna, at: clock.now)
            let casePath = try #require(try await counsellor.get("/backoffice").firstCasePath)
            try await withSecondInstance(of: app, clock: clock) { second in
                // The next request goes to the other instance: the session and the unlocked key are there too.
                counsellor.app = second
                let casePage = try await counsellor.get(casePath)
                #expect(casePage.status == .ok)
                #expect(
                    casePage.body.contains("Mijn chef schreeuwt elke week"), "the case opens with the key unlocked at the first instance")
                let replied = try await counsellor.post("\(casePath)/reply", [("message", "Ik lees je bericht.")], csrf: casePage.csrf)
                #expect(replied.location == casePath)

                // The person opens the inbox at the second instance and answers at the first.
                let person = TestBrowser(second)
                let login = try await person.get("/o/acme/inbox")
                let opened = try await person.post("/o/acme/inbox", [("receipt", receipt), ("action", "open")], csrf: login.csrf)
                #expect(opened.body.contains("Ik lees je bericht."))
                person.app = app
                let answered = try await person.post(
                    "/o/acme/inbox", [("receipt", receipt), ("action", "reply"), ("message", "Dank je, tot morgen.")], csrf: opened.csrf)
                #expect(answered.body.contains("Dank je, tot morgen."))
                counsellor.app = app
                #expect(try await counsellor.get(casePath).body.contains("Dank je, tot morgen."))

                // Logging out at one instance ends the session at both.
                counsellor.app = second
                let page = try await counsellor.get("/backoffice")
                try await counsellor.post("/logout", [], csrf: page.csrf)
                counsellor.app = app
                #expect(try await counsellor.get("/backoffice").location == "/login")
            }
        }
    }

    @Test func anOpenJournalStaysOpenAtTheOtherInstance() async throws {
        try await withTestApp { app, clock in
            _ = try await Fixtures.organisation(app)
            let flow = JournalFlowTests()
            let person = TestBrowser(app)
            _ = try await flow.start(person)
            let saved = try await flow.write(
                person,
                [
                    ("date", "2026-09-01"), ("time_precision", "exact"), ("time", "10:10"),
                    ("what", "Vandaag weer uitgescholden in het overleg"),
                ])
            #expect(saved.location == "/o/acme/logboek/tijdlijn")
            try await withSecondInstance(of: app, clock: clock) { second in
                person.app = second
                let timeline = try await person.get("/o/acme/logboek/tijdlijn")
                #expect(timeline.status == .ok)
                #expect(timeline.body.contains("Vandaag weer uitgescholden"))
            }
        }
    }

    @Test func guessesCountAcrossInstances() async throws {
        try await withTestApp { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            try await Fixtures.contact(app, slug: "acme", to: anna)
            try await withSecondInstance(of: app, clock: clock) { second in
                let guesser = TestBrowser(app)
                let free = ReceiptGate.clientPolicy.freeAttempts
                var statuses: [HTTPResponseStatus] = []
                for attempt in 0...free {
                    guesser.app = attempt.isMultiple(of: 2) ? app : second
                    let form = try await guesser.get("/o/acme/inbox")
                    let wrong = Receipt.generate().description
                    statuses.append(
                        try await guesser.post("/o/acme/inbox", [("receipt", wrong), ("action", "open")], csrf: form.csrf).status)
                }
                #expect(statuses.prefix(free).allSatisfy { $0 == .notFound }, "\(statuses)")
                #expect(statuses.last == .tooManyRequests, "the guesses at both instances count together: \(statuses)")
                // And the hold is the same at either instance.
                for instance in [app, second] {
                    guesser.app = instance
                    let form = try await guesser.get("/o/acme/inbox")
                    let held = try await guesser.post(
                        "/o/acme/inbox", [("receipt", Receipt.generate().description), ("action", "open")], csrf: form.csrf)
                    #expect(held.status == .tooManyRequests)
                }
            }
        }
    }

    @Test func everyMailIsSentOnceWhenTwoInstancesSendAtOnce() async throws {
        try await withTestAppAndRelay { app, clock, server in
            for number in 0..<12 {
                try await OutgoingMail(recipient: "staff\(number)@acme.example", template: "new-case", now: clock.now).create(on: app.db)
            }
            try await withSecondInstance(of: app, clock: clock) { second in
                async let first = OutboxSender(services: app.vertrouwd, db: app.db, logger: app.logger).sendDue()
                async let other = OutboxSender(services: second.vertrouwd, db: second.db, logger: second.logger).sendDue()
                let (a, b) = try await (first, other)
                #expect(a + b == 12)
                let recipients = server.messages.map(\.recipient)
                #expect(recipients.count == 12)
                #expect(Set(recipients).count == 12, "no mail went twice")
                #expect(try await OutgoingMail.query(on: app.db).filter(\.$sentAt == nil).count() == 0)
                #expect(try await OutgoingMail.query(on: app.db).filter(\.$claim != nil).count() == 0, "every claim is let go")
            }
        }
    }

    @Test func aMailClaimedByAnInstanceThatDiedIsSentByAnother() async throws {
        try await withTestAppAndRelay { app, clock, server in
            try await OutgoingMail(recipient: "anna@acme.example", template: "new-case", now: clock.now).create(on: app.db)
            let dying = OutboxSender(services: app.vertrouwd, db: app.db, logger: app.logger)
            // The first instance claims the mail and dies before sending it.
            let (_, claim) = try #require(try await dying.claimNext())
            try await withSecondInstance(of: app, clock: clock) { second in
                let other = OutboxSender(services: second.vertrouwd, db: second.db, logger: second.logger)
                #expect(try await other.sendDue() == 0, "a live claim is left alone")
                clock.advance(by: dying.claimTime + 1)
                #expect(try await other.sendDue() == 1, "an expired claim is taken over")
                #expect(server.messages.count == 1)
                let mail = try #require(try await OutgoingMail.query(on: app.db).first())
                #expect(mail.claim == nil && mail.sentAt != nil)
                // The dead instance's claim no longer counts: a late outcome under it changes nothing.
                let late = try #require(try await OutgoingMail.query(on: app.db).first())
                late.sentAt = nil
                late.attempts = 7
                #expect(try await !dying.record(late, claim: claim))
                let after = try #require(try await OutgoingMail.query(on: app.db).first())
                #expect(after.sentAt != nil && after.attempts == 0)
            }
        }
    }

    @Test func aDeadlineReminderIsQueuedOnceWhenTwoInstancesLook() async throws {
        let server = try TestSMTPServer()
        defer { server.stop() }
        try await withTestApp(adjust: {
            $0.smtp = SMTPClient.Settings(host: "127.0.0.1", port: server.port, from: "noreply@vertrouwd.example", timeout: 30)
        }) { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let membership = try #require(
                try await OrganisationMembership.query(on: app.db).filter(\.$account.$id == anna.account.requireID()).first())
            membership.receivesReports = true
            try await membership.save(on: app.db)
            for number in 0..<4 { try await Self.report(app, to: anna, "Melding \(number) over fraude bij inkoop") }
            try await OutgoingMail.query(on: app.db).delete()
            clock.advance(by: 8 * 86_400)  // past the acknowledgement deadline
            try await withSecondInstance(of: app, clock: clock) { second in
                async let first = DeadlineReminders(services: app.vertrouwd, db: app.db).queueDue()
                async let other = DeadlineReminders(services: second.vertrouwd, db: second.db).queueDue()
                let (a, b) = try await (first, other)
                #expect(a + b == 4, "each report is reminded by one instance (\(a) + \(b))")
                let mails = try await OutgoingMail.query(on: app.db).filter(\.$template == "reminder-acknowledgement").count()
                #expect(mails == 4)
                #expect(try await DeadlineReminders(services: second.vertrouwd, db: second.db).queueDue() == 0)
            }
        }
    }

    @Test func aJobLeaseIsHeldByOneInstanceAndFreedWhenItsHolderDies() async throws {
        try await withTestApp { app, clock in
            let a = JobLeases(db: app.db, holder: "a")
            let b = JobLeases(db: app.db, holder: "b")
            #expect(try await a.take("purge", interval: 3600, lease: 600, now: clock.now))
            #expect(try await !b.take("purge", interval: 3600, lease: 600, now: clock.now), "held by a")
            try await a.finish("purge", now: clock.now, succeeded: true)
            #expect(try await !b.take("purge", interval: 3600, lease: 600, now: clock.now), "done this interval")
            clock.advance(by: 3601)
            #expect(try await b.take("purge", interval: 3600, lease: 600, now: clock.now))
            // b dies holding it: a takes it over once the lease has run out, not before.
            clock.advance(by: 300)
            #expect(try await !a.take("purge", interval: 3600, lease: 600, now: clock.now))
            clock.advance(by: 301)
            #expect(try await a.take("purge", interval: 3600, lease: 600, now: clock.now))
            // The dead holder's late finish changes nothing.
            try await b.finish("purge", now: clock.now, succeeded: true)
            #expect(try await JobLease.find("purge", on: app.db)?.holder == "a")
            // A failed round frees the job for the next look at once.
            try await a.finish("purge", now: clock.now, succeeded: false)
            #expect(try await b.take("purge", interval: 3600, lease: 600, now: clock.now))
        }
    }

    @Test func anInstanceWithAnotherSecretRefusesTheDatabase() async throws {
        try await withTestApp { app, clock in
            try await InstanceCheck.verifySecret(app.vertrouwd, on: app.db)
            try await InstanceCheck.verifySecret(app.vertrouwd, on: app.db)
            try await withSecondInstance(
                of: app, clock: clock, adjust: { $0.secretBase64 = Data(repeating: 9, count: 32).base64EncodedString() }
            ) { second in
                await #expect(throws: InstanceCheck.Failure.self) { try await InstanceCheck.verifySecret(second.vertrouwd, on: second.db) }
            }
            let stored = try #require(try await InstanceCheck.find(InstanceCheck.secretFingerprint, on: app.db))
            #expect(!stored.value.contains(Data(app.vertrouwd.instanceSecret.bytes).base64EncodedString()))
        }
    }

    /// A formal report through the real form.
    static func report(_ app: Application, to point: Fixtures.Staff, _ message: String) async throws {
        let person = TestBrowser(app)
        let form = try await person.get("/o/acme/melden")
        let submission = try #require(form.submissionToken)
        let sent = try await person.post(
            "/o/acme/melden",
            [
                ("counsellor", try point.account.requireID().uuidString), ("message", message), ("identity", "anonymous"),
                ("channel", "written"), ("kinds[]", "misstanden-maatschappij"), ("submission", submission),
            ], csrf: form.csrf)
        #expect(sent.receiptCode != nil)
    }
}

extension InstancesTests {
    /// Instances starting together migrate one after another. On PostgreSQL the test holds the
    /// migration lock itself and checks that a migration waits for it; on SQLite (one instance per
    /// file) there is no lock, and a migration of a current database does nothing.
    @Test func instancesStartingTogetherMigrateOneAfterAnother() async throws {
        try await withTestApp { app, clock in
            try await withSecondInstance(of: app, clock: clock) { second in
                guard usingPostgres, let sql = app.db as? any SQLDatabase else {
                    try await second.migrateExclusively()
                    #expect(try await TestBrowser(second).get("/ready").status == .ok)
                    return
                }
                let migrating = try await sql.withSession { session in
                    try await session.raw("SELECT pg_advisory_lock(\(bind: Application.migrationLockKey))").run()
                    let migrating = Task { try await second.migrateExclusively() }
                    try? await Task.sleep(for: .milliseconds(500))
                    let waiting = try await session.raw("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                        .first()?.decode(column: "n", as: Int.self)
                    try await session.raw("SELECT pg_advisory_unlock(\(bind: Application.migrationLockKey))").run()
                    #expect(waiting == 1, "the second instance waits for the lock")
                    return migrating
                }
                try await migrating.value
                #expect(try await TestBrowser(second).get("/ready").status == .ok)
            }
        }
    }
}
