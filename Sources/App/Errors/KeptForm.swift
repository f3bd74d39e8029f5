import Vapor

/// What a person sent in a form that could not be saved, so the page that says so can give it back
/// and send it again. Passwords, codes and phrases are never echoed; files cannot be kept.
struct KeptForm: Encodable {
    struct Field: Encodable {
        let name: String
        let value: String
        /// The label of a text the person wrote, shown in a text box; nil for a hidden field.
        let labelKey: String?
    }

    let action: String
    let shown: [Field]
    let hidden: [Field]
    let hadFiles: Bool
    /// A password, code or phrase was sent and is not given back.
    let hadSecrets: Bool

    /// Fields the person wrote themselves, with the label they are shown under.
    static let labels: [String: String] = [
        "message": "unavailable.field.message", "name": "unavailable.field.name", "contact": "unavailable.field.contact",
        "notify": "unavailable.field.contact", "what": "unavailable.field.what", "effect": "unavailable.field.other",
        "place": "unavailable.field.other", "people": "unavailable.field.other", "witnesses": "unavailable.field.other",
        "evidence": "unavailable.field.other", "note": "unavailable.field.other", "signal": "unavailable.field.other",
        "referral_to": "unavailable.field.other", "referral_note": "unavailable.field.other", "signals": "unavailable.field.other",
        "recommendations": "unavailable.field.other", "title": "unavailable.field.other", "summary": "unavailable.field.other",
        "body": "unavailable.field.other", "introduction_nl": "unavailable.field.other", "introduction_en": "unavailable.field.other",
        "availability_nl": "unavailable.field.other", "availability_en": "unavailable.field.other",
        "party_name": "unavailable.field.other", "party_email": "unavailable.field.other", "party_role": "unavailable.field.other",
        "party_team": "unavailable.field.other",
    ]

    /// Fields sent back unseen, so that the form means the same when it is sent again. Anything not
    /// here or in `labels` (passwords, codes, phrases, receipts, recovery codes) is never echoed.
    static let hiddenAllowed: Set<String> = [
        "csrf", "submission", "counsellor", "identity", "channel", "urgency", "kinds[]", "share_journal", "action", "mode",
        "a[]", "a", "answer", "entry", "date", "time_precision", "time", "consent_kind", "consent_event", "thread", "item",
        "language", "languages[]", "status", "outcome", "match_choice", "match",
    ]
    /// Beyond these, the plain 503 page is shown instead: nobody types more into one form.
    static let maximumFields = 200
    static let maximumEchoedBytes = 256 * 1024

    /// The form fields of `request`, read from its body (which may not have been read yet), within
    /// the same limits the CSRF check applies; nil when there is nothing a person could have typed.
    static func from(_ request: Request) async -> KeptForm? {
        let path = request.url.path
        guard request.method == .POST, !path.hasPrefix("/api/"), request.application.routes.methods(matching: path).contains("POST")
        else { return nil }
        let settings = request.application.vertrouwd.settings
        let contentType = request.headers.contentType
        let isMultipart = contentType?.type == "multipart"
        let limit = isMultipart && (Endpoint.matching(path)?.takesFiles ?? false) ? settings.maxUploadSize : settings.maxBodySize
        var body = request.body.data
        if body == nil { body = try? await request.body.collect(max: limit).get() }
        guard let buffer = body, buffer.readableBytes <= limit else { return nil }
        var pairs: [(String, String)] = []
        var hadFiles = false
        if isMultipart, let boundary = contentType?.parameters["boundary"], !boundary.isEmpty {
            (pairs, hadFiles) = multipartFields(buffer, boundary: boundary)
        } else {
            pairs = urlEncodedFields(String(buffer: buffer))
        }
        let echoed = pairs.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count }
        guard pairs.count <= maximumFields, echoed <= maximumEchoedBytes else { return nil }
        return KeptForm(
            action: path,
            shown: pairs.compactMap { name, value in labels[name].map { Field(name: name, value: value, labelKey: $0) } },
            hidden: pairs.filter { hiddenAllowed.contains($0.0) }.map { Field(name: $0.0, value: $0.1, labelKey: nil) },
            hadFiles: hadFiles, hadSecrets: pairs.contains { labels[$0.0] == nil && !hiddenAllowed.contains($0.0) })
    }

    static func urlEncodedFields(_ body: String) -> [(String, String)] {
        body.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring?) -> String {
                let spaced = (text ?? "").replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts.first), decode(parts.count > 1 ? parts[1] : nil))
        }
    }

    static func multipartFields(_ buffer: ByteBuffer, boundary: String) -> ([(String, String)], Bool) {
        let parser = MultipartParser(boundary: boundary)
        var fields: [(String, String)] = []
        var hadFiles = false
        var disposition = ""
        var value: [UInt8] = []
        parser.onHeader = { name, text in
            if name.lowercased() == "content-disposition" { disposition = text }
        }
        parser.onBody = { chunk in
            // A file's bytes are not kept: only that there was one.
            if disposition.contains("filename=") {
                hadFiles = hadFiles || chunk.readableBytes > 0
            } else {
                value += chunk.readableBytesView
            }
        }
        parser.onPartComplete = {
            if !disposition.contains("filename="), let name = disposition.firstMatch(of: /name="([^"]*)"/)?.output.1 {
                fields.append((String(name), String(decoding: value, as: UTF8.self)))
            }
            disposition = ""
            value = []
        }
        do {
            try parser.execute(buffer)
        } catch {
            return ([], false)
        }
        return (fields, hadFiles)
    }
}
