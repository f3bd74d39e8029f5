import App
import Fluent
import Foundation
import SQLKit
import Vapor
import VertrouwdCore

/// The practice benchmark's pages over HTTP: the application's own server on a local port, and
/// counsellors signed in through the login form and its authenticator step, exactly as in a
/// browser, so each request carries every cookie a signed-in counsellor holds. Every answer must be
/// a 200 with the page's own marker; anything else (a redirect to the login, an error page) stops
/// the benchmark with what came back.
struct PracticePages {
    static let dashboard = "dashboard (HTTP)"
    static let casePage = "case page (HTTP)"

    let app: Application
    let base: String
    /// The cookies of each signed-in counsellor, as one `Cookie` header.
    var cookies: [UUID: String] = [:]

    /// Starts the server; call `stop` before the application shuts down, also after an error.
    static func start(_ app: Application, port: Int = 8197) async throws -> PracticePages {
        app.http.client.configuration.redirectConfiguration = .disallow
        try await app.server.start(address: .hostname("127.0.0.1", port: port))
        return PracticePages(app: app, base: "http://127.0.0.1:\(port)")
    }

    func stop() async {
        await app.server.shutdown()
    }

    struct Answer {
        let status: HTTPResponseStatus
        let body: String
        let headers: HTTPHeaders
    }

    func request(_ method: HTTPMethod, _ path: String, cookie: String, form: [String: String]? = nil) async throws -> Answer {
        var headers = HTTPHeaders()
        if !cookie.isEmpty { headers.add(name: .cookie, value: cookie) }
        let response = try await app.client.send(method, headers: headers, to: URI(string: base + path)) { request in
            if let form {
                let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
                let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
                request.headers.contentType = .urlEncodedForm
                request.body = ByteBuffer(string: body.joined(separator: "&"))
            }
        }
        let body = response.body.map { String(buffer: $0) } ?? ""
        return Answer(status: response.status, body: body, headers: response.headers)
    }

    /// The password step, then the authenticator step, keeping every cookie the server sets.
    mutating func signIn(_ counsellor: BenchmarkCounsellor) async throws {
        var jar: [String: String] = [:]
        func keep(_ answer: Answer) {
            for line in answer.headers[.setCookie] {
                let pair = line.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
                if pair.count == 2 { jar[String(pair[0])] = String(pair[1]) }
            }
        }
        var header: String { jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        func token(_ path: String) async throws -> String {
            let page = try await request(.GET, path, cookie: header)
            keep(page)
            guard let range = page.body.range(of: #"name="csrf" value="([^"]+)""#, options: .regularExpression) else {
                throw Failure(what: "no form at \(path): \(page.status.code)")
            }
            return String(page.body[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
        }
        let passwordToken = try await token("/login")
        let password = try await request(
            .POST, "/login", cookie: header,
            form: ["csrf": passwordToken, "email": counsellor.email, "password": counsellor.password])
        keep(password)
        guard password.headers.first(name: .location) == "/login/2fa" else { throw Failure(what: "password step: \(password.status.code)") }
        let code = TOTP(secret: counsellor.totpSecret).code(at: Date())
        let codeToken = try await token("/login/2fa")
        let second = try await request(.POST, "/login/2fa", cookie: header, form: ["csrf": codeToken, "code": code])
        keep(second)
        guard second.status == .seeOther || second.status == .found else { throw Failure(what: "code step: \(second.status.code)") }
        cookies[counsellor.id] = header
    }

    /// For random signed-in counsellors: their dashboard, and a case page of a random case of theirs.
    func measure(_ practice: Practice, samples: Int, into timings: inout [String: [Double]]) async throws {
        var generator = SplitMix64(seed: UInt64(practice.cases) &+ 7)
        var held: [UUID: Int] = [:]
        for counsellor in cookies.keys {
            held[counsellor] =
                try await practice.sql.raw("SELECT COUNT(*) AS n FROM case_queue WHERE counsellor_id = \(bind: counsellor)")
                .first(decoding: Practice.Count.self)?.n ?? 0
        }
        // Counsellors who hold a case (at a small size some hold none).
        let signedIn = held.filter { $0.value > 0 }.keys.sorted { $0.uuidString < $1.uuidString }
        guard !signedIn.isEmpty else { throw Failure(what: "no signed-in counsellor holds a case") }
        for _ in 0..<samples {
            let counsellor = signedIn[Int.random(in: 0..<signedIn.count, using: &generator)]
            let cookie = cookies[counsellor] ?? ""
            let offset = Int.random(in: 0..<max(1, held[counsellor] ?? 1), using: &generator)
            guard
                let caseID = try await practice.sql.raw(
                    "SELECT case_id FROM case_queue WHERE counsellor_id = \(bind: counsellor) ORDER BY case_id LIMIT 1 OFFSET \(literal: offset)"
                ).first(decoding: CaseRow.self)?.case_id
            else { throw Failure(what: "no case for a counsellor") }
            try await time(Self.dashboard, into: &timings) {
                try await expect(request(.GET, "/backoffice", cookie: cookie), marker: #"data-page="backoffice""#)
            }
            try await time(Self.casePage, into: &timings) {
                try await expect(request(.GET, "/backoffice/cases/\(caseID.uuidString)", cookie: cookie), marker: #"data-page="case""#)
            }
        }
    }

    struct CaseRow: Decodable { let case_id: UUID }

    struct Failure: Error, CustomStringConvertible {
        let what: String
        var description: String { "practice pages: \(what)" }
    }

    func expect(_ answer: Answer, marker: String) throws {
        guard answer.status == .ok, answer.body.contains(marker) else {
            throw Failure(what: "expected \(marker), got \(answer.status.code) \(answer.headers.first(name: .location) ?? "")")
        }
    }

    func time(_ name: String, into timings: inout [String: [Double]], _ body: () async throws -> Void) async throws {
        let started = ContinuousClock.now
        try await body()
        timings[name, default: []].append(milliseconds(ContinuousClock.now - started))
    }
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
}
