import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

/// A tiny browser for in-process tests: keeps cookies, posts forms, finds the CSRF token in a page.
final class TestBrowser {
    var app: Application
    private(set) var cookies: [String: String] = [:]
    var acceptLanguage: String?
    /// Sent as `X-Forwarded-For`, to act as a distinct client when the app trusts a proxy.
    var forwardedFor: String?

    init(_ app: Application) {
        self.app = app
    }

    struct Page {
        let status: HTTPResponseStatus
        let headers: HTTPHeaders
        let body: String
        let bytes: [UInt8]

        var location: String? { headers.first(name: .location) }
        /// The id the server gave this request, which its log lines carry.
        var requestID: String? { headers.first(name: .xRequestId) }

        /// The value of the first hidden `csrf` field on the page.
        var csrf: String? { firstMatch(#"name="csrf" value="([^"]+)""#) }

        var dataPage: String? { firstMatch(#"data-page="([^"]+)""#) }
        var lang: String? { firstMatch(#"<html lang="([^"]+)""#) }
        var heading: String? { firstMatch(#"<h1>([^<]*)</h1>"#) }
        /// The one-time token of a contact or report form.
        var submissionToken: String? { firstMatch(#"name="submission" value="([^"]+)""#) }
        /// The receipt code shown once after a contact or report is sent.
        var receiptCode: String? { firstMatch(#"id="receipt-code">([0-9A-Z-]+)<"#) }
        /// The first case linked from the counsellor's dashboard.
        var firstCasePath: String? { firstMatch(#"href="(/backoffice/cases/[0-9A-F-]+)""#) }

        func firstMatch(_ pattern: String) -> String? {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                let match = regex.firstMatch(in: body, range: NSRange(body.startIndex..., in: body)),
                let range = Range(match.range(at: 1), in: body)
            else { return nil }
            return String(body[range])
        }
    }

    @discardableResult
    func get(_ path: String) async throws -> Page {
        try await send(.GET, path, body: nil, contentType: nil)
    }

    /// Posts `fields` as an HTML form would; the page's CSRF token is added unless `csrf` is given as nil explicitly.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf: String?) async throws -> Page {
        var all = fields
        if let csrf { all.append(("csrf", csrf)) }
        let encoded = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, body: Array(encoded.utf8), contentType: "application/x-www-form-urlencoded")
    }

    /// A file as a browser sends it in a multipart form.
    struct Upload {
        let field: String
        let filename: String
        let contentType: String
        let bytes: [UInt8]

        init(_ filename: String, _ bytes: [UInt8], field: String = "attachments[]", contentType: String = "application/octet-stream") {
            self.field = field
            self.filename = filename
            self.contentType = contentType
            self.bytes = bytes
        }
    }

    /// Posts `fields` and `files` as `multipart/form-data`, like a form with a file field.
    @discardableResult
    func postMultipart(_ path: String, _ fields: [(String, String)], files: [Upload], csrf: String?) async throws -> Page {
        var all = fields
        if let csrf { all.append(("csrf", csrf)) }
        let boundary = "----vertrouwd-test-\(UUID().uuidString)"
        var body: [UInt8] = []
        for (name, value) in all {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            body += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.filename)\"\r\nContent-Type: \(file.contentType)\r\n\r\n"
                    .utf8)
            body += file.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return try await send(.POST, path, body: body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    @discardableResult
    func postRaw(_ path: String, bytes: [UInt8], contentType: String) async throws -> Page {
        try await send(.POST, path, body: bytes, contentType: contentType)
    }

    func clearCookies() { cookies = [:] }

    /// Sets a cookie as another site or an attacker with access to the browser could.
    func setCookie(_ name: String, _ value: String) { cookies[name] = value }

    var sessionCookie: String? { cookies["vertrouwd_session"] }

    private func send(_ method: HTTPMethod, _ path: String, body: [UInt8]?, contentType: String?) async throws -> Page {
        var headers = HTTPHeaders()
        if !cookies.isEmpty {
            headers.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let contentType { headers.add(name: .contentType, value: contentType) }
        if let acceptLanguage { headers.add(name: .acceptLanguage, value: acceptLanguage) }
        if let forwardedFor { headers.add(name: "X-Forwarded-For", value: forwardedFor) }
        let buffer = body.map { ByteBuffer(bytes: $0) }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: buffer)
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";", maxSplits: 1)[0].split(
                separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            let name = String(pair[0]).trimmingCharacters(in: .whitespaces)
            let value = String(pair[1])
            if header.lowercased().contains("expires=thu, 01 jan 1970") || header.lowercased().contains("max-age=0") || value.isEmpty {
                cookies[name] = nil
            } else {
                cookies[name] = value
            }
        }
        var responseBody = response.body
        let bytes = responseBody.readBytes(length: responseBody.readableBytes) ?? []
        return Page(status: response.status, headers: response.headers, body: String(decoding: bytes, as: UTF8.self), bytes: bytes)
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
