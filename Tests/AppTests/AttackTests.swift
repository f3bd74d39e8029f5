import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

#if canImport(Glibc)
import Glibc
#endif

/// Hostile input in every field that is shown again somewhere, injection strings, hostile file
/// names, fixed sessions, redirects elsewhere, and guessing that tries to lock a real person out.
@Suite("Attacks")
struct AttackTests {
    /// Markup that would run if any page showed it as markup: a script, an event handler, a link.
    static let payload = #"<script>alert(1)</script>"><img src=x onerror=alert(2)>[klik](javascript:alert(3)) ' OR '1'='1"#
    static let escapedScript = "&lt;script&gt;alert(1)&lt;/script&gt;"

    /// The live forms of the payload found in a page: none may be there.
    static func live(_ body: String) -> [String] {
        var found: [String] = []
        if body.contains("<script>alert") { found.append("a script") }
        if body.range(of: #"<img[^>]*onerror"#, options: [.regularExpression, .caseInsensitive]) != nil {
            found.append("an onerror handler")
        }
        if body.range(of: #"href\s*=\s*"?\s*javascript:"#, options: [.regularExpression, .caseInsensitive]) != nil {
            found.append("a javascript: link")
        }
        return found
    }

    @Test func hostileTextIsShownAsTextWhereverItAppears() async throws {
        try await withTestApp { app, clock in
            let acme = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)
            let year = FormalReportDeadlines.calendar.component(.year, from: clock.now) - 1
            var sample = SampleRegistrations(seed: 3, lopsided: false)
            _ = try await YearlyReportTests.register(
                app, (0..<12).map { _ in sample.registration() }, organisation: acme, counsellor: anna, year: year)
            var pages: [(String, TestBrowser.Page)] = []
            let hostileFile = "<img src=x onerror=alert(4)>.pdf"

            // The person: a confidential contact with the payload in every field, and a file with a hostile name.
            let person = TestBrowser(app)
            let form = try await person.get("/o/acme/contact")
            let submission = try #require(form.submissionToken)
            let receiptPage = try await person.postMultipart(
                "/o/acme/contact",
                [
                    ("counsellor", try anna.account.requireID().uuidString), ("message", Self.payload), ("identity", "confidential"),
                    ("name", Self.payload), ("contact", Self.payload), ("channel", "messages"), ("kinds[]", "pesten"),
                    ("submission", submission),
                ], files: [.init(hostileFile, AttachmentFlowTests.pdf)], csrf: form.csrf)
            let receipt = try #require(receiptPage.receiptCode, "\(receiptPage.status)")
            pages.append(("receipt", receiptPage))

            // The counsellor reads it, replies, notes, signals and refers with the payload too.
            let counsellor = TestBrowser(app)
            try await counsellor.logIn(anna, at: clock.now)
            pages.append(("dashboard", try await counsellor.get("/backoffice")))
            let casePath = try #require(try await counsellor.get("/backoffice").firstCasePath)
            let first = try await counsellor.get(casePath)
            #expect(first.body.contains(Self.escapedScript), "the payload reached the case page, escaped")
            for (action, fields) in [
                ("reply", [("message", Self.payload)]), ("notes", [("note", Self.payload)]), ("signal", [("signal", Self.payload)]),
                ("consent", [("consent_kind", "referral"), ("consent_event", "given")]),
                ("referral", [("referral_to", Self.payload), ("referral_note", Self.payload)]),
                ("referral", [("referral_to", "mediation"), ("referral_note", Self.payload)]),
            ] {
                let page = try await counsellor.post("\(casePath)/\(action)", fields, csrf: first.csrf)
                #expect(page.status.code < 500, "\(action)")
            }
            pages.append(("case", try await counsellor.get(casePath)))
            let opened = try await person.post("/o/acme/inbox", [("receipt", receipt), ("action", "open")], csrf: receiptPage.csrf)
            #expect(opened.body.contains(Self.escapedScript), "the reply reached the person, escaped")
            pages.append(("inbox", opened))
            pages.append(
                (
                    "inbox reply",
                    try await person.post(
                        "/o/acme/inbox", [("receipt", receipt), ("action", "reply"), ("message", Self.payload)], csrf: opened.csrf)
                ))

            // The counsellor's public profile and the yearly report's narrative, as management will see it.
            let profile = try await counsellor.get("/account/profile")
            try await counsellor.postMultipart(
                "/account/profile", [("introduction_nl", Self.payload), ("availability_nl", Self.payload), ("languages[]", "nl")],
                files: [], csrf: profile.csrf)
            pages.append(("counsellors", try await person.get("/o/acme/vertrouwenspersonen")))
            pages.append(("contact form", try await person.get("/o/acme/contact")))
            let reportPath = "/backoffice/jaarverslag/acme/\(year)"
            let draft = try await counsellor.get(reportPath)
            try await counsellor.post(reportPath, [("signals", Self.payload), ("recommendations", Self.payload)], csrf: draft.csrf)
            let preview = try await counsellor.get(reportPath)
            pages.append(("report draft", preview))
            let fingerprint = try #require(preview.firstMatch(#"name="fingerprint" value="([0-9a-f]+)""#))
            try await counsellor.post("\(reportPath)/release", [("fingerprint", fingerprint), ("confirm", "yes")], csrf: preview.csrf)
            let report = try #require(
                try await YearlyReport.query(on: app.db).filter(\.$status == YearlyReport.Status.released.rawValue).first())
            let released = try await counsellor.get("/jaarverslag/\(try report.requireID())")
            #expect(released.body.contains(Self.escapedScript))
            pages.append(("released report", released))
            pages.append(("report print", try await counsellor.get("/jaarverslag/\(try report.requireID())/print")))

            // The journal, search, the guide and the login form, which show back what was typed.
            let writer = TestBrowser(app)
            _ = try await JournalFlowTests().start(writer)
            let saved = try await JournalFlowTests().write(
                writer,
                [
                    ("date", "2026-09-01"), ("time_precision", "day"), ("place", Self.payload), ("people", Self.payload),
                    ("witnesses", Self.payload), ("what", Self.payload), ("effect", Self.payload), ("kinds[]", "pesten"),
                ])
            #expect(saved.status == .seeOther)
            for path in ["tijdlijn", "patroon", "export", "delen"] { pages.append((path, try await writer.get("/o/acme/logboek/\(path)"))) }
            let encoded = TestBrowser.encode(Self.payload)
            pages.append(("search", try await person.get("/o/acme/zoeken?q=\(encoded)")))
            pages.append(("find", try await person.get("/o?code=\(encoded)")))
            let guide = try await person.get("/o/acme/wegwijzer")
            pages.append(
                ("guide", try await person.post("/o/acme/wegwijzer", [("a", Self.payload), ("answer", Self.payload)], csrf: guide.csrf)))
            let login = TestBrowser(app)
            let loginForm = try await login.get("/login")
            pages.append(("login", try await login.post("/login", [("email", Self.payload), ("password", "x")], csrf: loginForm.csrf)))

            #expect(pages.count > 15)
            for (name, page) in pages {
                #expect(page.status.code < 500, "\(name): \(page.status)")
                #expect(Self.live(page.body).isEmpty, "\(name) shows \(Self.live(page.body)) from the payload")
            }
        }
    }

    @Test func injectionStringsAreOnlyText() async throws {
        try await withTestApp { app, clock in
            let acme = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)
            let injections = [
                "' OR '1'='1", "'; DROP TABLE case_records; --", "\" OR \"\"=\"", "1; SELECT pg_sleep(5)--", "%' OR 1=1 --",
                "x' UNION SELECT email, password_hash FROM staff_accounts --",
            ]
            let browser = TestBrowser(app)
            for text in injections {
                let encoded = TestBrowser.encode(text)
                #expect(try await browser.get("/o?code=\(encoded)").status == .notFound)
                #expect(try await browser.get("/o/\(encoded)").status == .notFound)
                let search = try await browser.get("/o/acme/zoeken?q=\(encoded)")
                #expect(search.status == .ok && !search.body.contains(#"class="search-result""#), "\(text) found something")
                let inbox = try await browser.get("/o/acme/inbox")
                let guessed = try await browser.post("/o/acme/inbox", [("receipt", text), ("action", "open")], csrf: inbox.csrf)
                #expect(guessed.status.code >= 400 && guessed.status.code < 500, "\(text) opened a case")
                let login = try await browser.get("/login")
                #expect(try await browser.post("/login", [("email", text), ("password", text)], csrf: login.csrf).location == nil)
            }
            // Written into a case, they come back exactly as typed, and every table is still there.
            let receipt = try await Fixtures.contact(app, slug: "acme", to: anna, message: injections.joined(separator: "\n"))
            let person = TestBrowser(app)
            let inbox = try await person.get("/o/acme/inbox")
            let opened = try await person.post("/o/acme/inbox", [("receipt", receipt), ("action", "open")], csrf: inbox.csrf)
            #expect(opened.body.contains("&#39;; DROP TABLE case_records; --"))
            #expect(try await CaseRecord.query(on: app.db).count() == 1)
            #expect(try await StaffAccount.query(on: app.db).count() == 1)
            _ = clock
        }
    }

    @Test func hostileFileNamesStayNamesAndDownloadsCannotRunInThePage() async throws {
        try await withTestApp { app, clock in
            let acme = try await Fixtures.organisation(app)
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example", serving: acme)
            let dataDirectory = app.vertrouwd.settings.dataDirectory
            let before = Set((try? FileManager.default.subpathsOfDirectory(atPath: dataDirectory)) ?? [])
            // A PDF that is also an HTML page with a script, under names that try to leave the folder.
            let polyglot = Array("%PDF-1.4\n<html><script>alert(5)</script></html>\n%%EOF\n".utf8)
            let names = ["../../../../etc/passwd.pdf", "..\\..\\windows\\win.ini.pdf", "/tmp/vertrouwd-escape.pdf", "nul\u{0}byte.pdf"]
            let person = TestBrowser(app)
            let form = try await person.get("/o/acme/contact")
            let submission = try #require(form.submissionToken)
            let page = try await person.postMultipart(
                "/o/acme/contact",
                [
                    ("counsellor", try anna.account.requireID().uuidString), ("message", "Bijlagen"), ("identity", "anonymous"),
                    ("channel", "messages"), ("submission", submission),
                ], files: names.prefix(3).map { .init($0, polyglot) }, csrf: form.csrf)
            #expect(page.status.code < 500)
            let zeroByte = try await person.postMultipart(
                "/o/acme/contact", [("message", "x"), ("submission", submission)], files: [.init(names[3], polyglot)], csrf: form.csrf)
            #expect(zeroByte.status.code < 500)
            #expect(!FileManager.default.fileExists(atPath: "/tmp/vertrouwd-escape.pdf"))
            // Nothing was written beside the database: files live encrypted inside it.
            let after = Set((try? FileManager.default.subpathsOfDirectory(atPath: dataDirectory)) ?? [])
            let added = after.subtracting(before).filter { !$0.hasPrefix("vertrouwd.sqlite") }
            #expect(added.isEmpty, "files appeared in the data directory: \(added.sorted())")

            let counsellor = TestBrowser(app)
            try await counsellor.logIn(anna, at: clock.now)
            let casePath = try #require(try await counsellor.get("/backoffice").firstCasePath)
            let casePage = try await counsellor.get(casePath)
            #expect(!casePage.body.contains("../") && !casePage.body.contains("..\\"), "a path survived in a file name")
            let items = casePage.body.matches(of: /attachments\/([0-9A-F-]{36})/).map { String($0.output.1) }
            #expect(!items.isEmpty)
            for item in Set(items) {
                let download = try await counsellor.get("\(casePath)/attachments/\(item)")
                #expect(download.status == .ok)
                let disposition = download.headers.first(name: .contentDisposition) ?? ""
                #expect(disposition.hasPrefix("attachment;"), "\(disposition)")
                #expect(!disposition.contains("/") && !disposition.contains("\\"), "\(disposition)")
                #expect(download.headers.first(name: .contentType) == "application/pdf")
                #expect(download.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(download.headers.first(name: "Content-Security-Policy")?.contains("sandbox") == true)
            }
        }
    }

    @Test func aSessionIsNeverTakenOverFromACookieSetBeforeLogin() async throws {
        try await withTestApp(adjust: { $0.publicURL = "https://vertrouwd.example" }) { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            let browser = TestBrowser(app)
            let form = try await browser.get("/login")
            let before = try #require(browser.sessionCookie)
            // The cookie: not readable by scripts, not sent by other sites, only over TLS here.
            let setCookie = try #require(form.headers[.setCookie].first { $0.hasPrefix("vertrouwd_session=") })
            for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
                #expect(setCookie.localizedCaseInsensitiveContains(flag), "\(flag) missing in \(setCookie)")
            }
            try await browser.logIn(anna, at: clock.now)
            let after = try #require(browser.sessionCookie)
            #expect(after != before, "logging in keeps the session identifier from before")
            #expect(try await browser.get("/backoffice").status == .ok)
            // An attacker who planted the earlier identifier gets nothing.
            let attacker = TestBrowser(app)
            attacker.setCookie("vertrouwd_session", before)
            #expect(try await attacker.get("/backoffice").location?.hasPrefix("/login") == true)
            // A made-up identifier is not adopted either: the server issues its own.
            let planted = TestBrowser(app)
            planted.setCookie("vertrouwd_session", "chosen-by-the-attacker")
            _ = try await planted.get("/login")
            #expect(planted.sessionCookie != "chosen-by-the-attacker")
        }
    }

    /// Every page that answers with a redirect sends the visitor somewhere on this site, whatever
    /// the address asks for.
    @Test func noAddressRedirectsElsewhere() async throws {
        try await withTestApp { app, clock in
            let world = try await MatrixWorld.make(app, clock: clock)
            let hostile = [
                "//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "%0d%0aLocation:%20//evil.example",
            ]
            let query = ["return", "next", "redirect", "to", "url", "back"].flatMap { name in
                hostile.map { "\(name)=\(TestBrowser.encode($0))" }
            }.joined(separator: "&")
            let routes = app.routes.all.filter { $0.method == .GET }.map { "GET /" + $0.path.map(\.description).joined(separator: "/") }
            var redirects = 0
            for route in routes {
                for browser in [world.browsers[0], world.browsers[3]] {
                    let page = try await browser.get("\(world.fill(route))?\(query)")
                    guard let location = page.location else { continue }
                    redirects += 1
                    #expect(location.hasPrefix("/") && !location.hasPrefix("//") && !location.hasPrefix("/\\"), "\(route) → \(location)")
                    #expect(!location.contains("\r") && !location.contains("\n"))
                }
            }
            #expect(redirects > 3, "the sweep reached pages that redirect")
        }
    }

    /// Clients that open connections and then stall are cut off, while others are served.
    @Test func aStalledConnectionIsClosedAndOthersAreServed() async throws {
        try await withTestApp(adjust: { $0.idleTimeoutSeconds = 3 }) { app, _ in
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            do {
                try await Self.stall(port: try #require(app.http.server.shared.localAddress?.port))
            } catch {
                Issue.record(error)
            }
            // The requests cut off are still answering their own error; let them finish first.
            for _ in 0..<300 where app.requestsInFlight.current > 0 { try await Task.sleep(for: .milliseconds(100)) }
            #expect(app.requestsInFlight.current == 0, "a cut-off request never finished")
            await app.server.shutdown()
        }
    }

    static func stall(port: Int) async throws {
        do {
            let stalled = try (0..<20).map { _ in try RawConnection(port: port) }
            for connection in stalled { try connection.send("POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nemail=") }
            // Another client is served meanwhile. (When the whole test suite keeps every thread busy,
            // a request can wait longer than the idle period and be cut too: then it asks again.)
            var answer = ""
            for _ in 0..<30 where !answer.hasPrefix("HTTP/1.1 200") {
                let healthy = try RawConnection(port: port)
                try healthy.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                answer = try healthy.readAll(timeout: 10)
            }
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(200))")
            // Within a few idle periods every stalled connection is closed by the server.
            for connection in stalled {
                let answer = try connection.readAll(timeout: 30)
                #expect(connection.closedByServer, "a stalled connection is still open; it sent: \(answer.prefix(40))")
            }
        }
    }

    /// Someone who knows a counsellor's address can make her wait, but never for long: the wait is
    /// capped, and her own login works once it has passed.
    @Test func guessingCannotLockARealPersonOutForLong() async throws {
        try await withTestApp(adjust: { $0.trustProxy = true }) { app, clock in
            let anna = try await Fixtures.staff(app, role: .counsellor, email: "anna@acme.example")
            for attempt in 0..<60 {
                let attacker = TestBrowser(app)
                attacker.forwardedFor = "203.0.113.\(attempt % 250)"
                let form = try await attacker.get("/login")
                let page = try await attacker.post("/login", [("email", anna.email), ("password", "gok \(attempt)")], csrf: form.csrf)
                #expect(page.status == .unauthorized || page.status == .tooManyRequests)
                clock.advance(by: 1)
            }
            let maximum = ThrottlePolicy.standard.maximumDelay
            #expect(maximum <= 15 * 60)
            let owner = TestBrowser(app)
            owner.forwardedFor = "192.0.2.1"
            let form = try await owner.get("/login")
            #expect(
                try await owner.post("/login", [("email", anna.email), ("password", anna.password)], csrf: form.csrf).status
                    == .tooManyRequests)
            clock.advance(by: maximum + 1)
            let later = try await owner.post("/login", [("email", anna.email), ("password", anna.password)], csrf: form.csrf)
            #expect(later.location == "/login/2fa", "the owner is still locked out after the longest wait")
        }
    }
}

/// A plain TCP connection, for what a browser would never send.
final class RawConnection {
    let descriptor: Int32
    private(set) var closedByServer = false

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard descriptor >= 0, connected == 0 else { throw Abort(.internalServerError, reason: "cannot connect") }
    }

    deinit { close(descriptor) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else {
            throw Abort(.internalServerError, reason: "cannot send")
        }
    }

    /// Reads until the server closes the connection or `timeout` seconds pass without data.
    func readAll(timeout: Int) throws -> String {
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer[0..<count]
            } else {
                closedByServer = count == 0 || errno == ECONNRESET
                break
            }
        }
        return String(decoding: received, as: UTF8.self)
    }
}
