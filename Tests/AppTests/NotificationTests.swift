import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

@Suite("Notification mail")
struct NotificationTests {
    func sendContact(_ app: Application, to counsellor: Fixtures.Staff, message: String) async throws -> String {
        let browser = TestBrowser(app)
        let form = try await browser.get("/o/acme/contact")
        let submission = try #require(form.submissionToken)
        let page = try await browser.post(
            "/o/acme/contact",
            [
                ("counsellor", try counsellor.account.requireID().uuidString), ("message", message), ("identity", "anonymous"),
                ("channel", "messages"), ("submission", submission),
            ],
            csrf: form.csrf)
        return try #require(page.receiptCode)
    }

    @Test func aNewContactMailsTheCounsellorWithoutAnyContent() async throws {
        let server = try TestSMTPServer()
        defer { server.stop() }
        try await withTestApp(adjust: {
            $0.smtp = SMTPClient.Settings(
                host: "127.0.0.1", port: server.port, from: "noreply@vertrouwd.example", timeout: TestSMTPServer.patientTimeout)
        }) { app, _ in
            let organisation = try await Fixtures.organisation(app, name: "Geheime Werkgever BV")
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            _ = try await sendContact(app, to: anna, message: "Dit mag nooit in een mail staan")
            #expect(try await OutgoingMail.query(on: app.db).count() == 1)
            let sent = try await OutboxSender(services: app.vertrouwd, db: app.db, logger: app.logger).sendDue()
            #expect(sent == 1)
            let message = try #require(server.messages.first)
            #expect(message.recipient == "anna@acme.example")
            #expect(message.data.contains("/login"))
            #expect(message.data.contains("Subject: =?utf-8?B?") || message.data.contains("Subject: Nieuw bericht"))
            for secret in ["Dit mag nooit", "Geheime Werkgever"] {
                #expect(!message.data.contains(secret), "the mail reveals \(secret)")
            }
            #expect(try await OutgoingMail.query(on: app.db).first()?.sentAt != nil)
            #expect(try await OutboxSender(services: app.vertrouwd, db: app.db, logger: app.logger).sendDue() == 0, "sent once")
        }
    }

    @Test func aRelayThatIsDownDelaysTheMailButNotTheCase() async throws {
        let port = try TestSMTPServer.freePort()
        try await withTestApp(adjust: {
            $0.smtp = SMTPClient.Settings(
                host: "127.0.0.1", port: port, from: "noreply@vertrouwd.example", timeout: TestSMTPServer.patientTimeout)
        }) { app, clock in
            let organisation = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: organisation)
            let code = try await sendContact(app, to: anna, message: "Komt dit aan?")
            #expect(Receipt(typed: code) != nil, "the person got a receipt although no mail could be sent")
            let sender = OutboxSender(services: app.vertrouwd, db: app.db, logger: app.logger)
            #expect(try await sender.sendDue() == 0)
            let waiting = try #require(try await OutgoingMail.query(on: app.db).first())
            #expect(waiting.attempts == 1 && waiting.sentAt == nil)
            #expect(waiting.nextAttemptAt == clock.now.addingTimeInterval(60))
            #expect(try await sender.sendDue() == 0, "not due yet")

            let server = try TestSMTPServer(port: port)
            defer { server.stop() }
            clock.advance(by: 61)
            #expect(try await sender.sendDue() == 1)
            #expect(server.messages.count == 1)
        }
    }

    @Test func theClientDotStuffsAndEncodes() async throws {
        let server = try TestSMTPServer()
        defer { server.stop() }
        try await SMTPClient(
            settings: .init(host: "127.0.0.1", port: server.port, from: "a@b.example", timeout: TestSMTPServer.patientTimeout)
        )
        .send(to: "c@d.example", subject: "Één bericht", body: "regel een\n.begint met een punt\n.")
        let message = try #require(server.messages.first)
        #expect(message.data.contains("..begint met een punt"))
        #expect(message.data.contains("Subject: =?utf-8?B?"))
    }

    @Test func aRelayWithoutStartTLSGetsNothingWhenTLSIsRequired() async throws {
        let server = try TestSMTPServer()
        defer { server.stop() }
        let client = SMTPClient(
            settings: .init(
                host: "127.0.0.1", port: server.port, from: "a@b.example", timeout: TestSMTPServer.patientTimeout, security: .startTLS,
                username: "vertrouwd",
                password: "geheim"))
        await #expect(throws: SMTPClient.Failure.startTLSUnavailable) {
            try await client.send(to: "c@d.example", subject: "x", body: "y")
        }
        #expect(server.messages.isEmpty)
        #expect(!server.transcript.contains { $0.contains("AUTH") || $0.contains("MAIL FROM") }, "no credentials or mail in clear")
    }

    @Test func aRelayThatNeverAnswersTimesOut() async throws {
        // A listening socket that accepts but never greets.
        let silent = try TestSMTPServer(greeting: false)
        defer { silent.stop() }
        let client = SMTPClient(settings: .init(host: "127.0.0.1", port: silent.port, from: "a@b.example", timeout: 1))
        await #expect(throws: SMTPClient.Failure.timedOut) { try await client.send(to: "c@d.example", subject: "x", body: "y") }
    }

    @Test func relaySettingsComeFromTheEnvironmentAndKeepCredentialsOffPlainConnections() throws {
        let base = ["VERTROUWD_SMTP_HOST": "smtp.example.org", "VERTROUWD_SMTP_FROM": "noreply@example.org"]
        #expect(try AppSettings.fromEnvironment(base).smtp?.security == SMTPClient.Security.none)
        #expect(try AppSettings.fromEnvironment(base.merging(["VERTROUWD_SMTP_PORT": "587"]) { $1 }).smtp?.security == .startTLS)
        #expect(try AppSettings.fromEnvironment(base.merging(["VERTROUWD_SMTP_PORT": "465"]) { $1 }).smtp?.security == .tls)
        let withLogin = base.merging(["VERTROUWD_SMTP_PORT": "587", "VERTROUWD_SMTP_USERNAME": "u", "VERTROUWD_SMTP_PASSWORD": "p"]) { $1 }
        let smtp = try #require(try AppSettings.fromEnvironment(withLogin).smtp)
        #expect(smtp.username == "u" && smtp.password == "p")
        for bad in [
            ["VERTROUWD_SMTP_SECURITY": "ssl"], ["VERTROUWD_SMTP_USERNAME": "u", "VERTROUWD_SMTP_PASSWORD": "p"],
            ["VERTROUWD_SMTP_PORT": "587", "VERTROUWD_SMTP_USERNAME": "u"], ["VERTROUWD_SMTP_CA_FILE": "/nonexistent/ca.pem"],
        ] {
            #expect(throws: AppSettings.Failure.self) { try AppSettings.fromEnvironment(base.merging(bad) { $1 }) }
        }
    }
}
