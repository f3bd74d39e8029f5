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
    ]

    static func isSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.contains("password") || lowered.contains("phrase") || lowered == "code" || lowered.contains("totp")
    }

    /// The form fields of `request`, read from its body (which may not have been read yet).
    static func from(_ request: Request) async -> KeptForm? {
        guard request.method == .POST, !request.url.path.hasPrefix("/api/") else { return nil }
        var body = request.body.data
        if body == nil {
            let limit = request.application.vertrouwd.settings.maxUploadSize
            body = try? await request.body.collect(max: limit).get()
        }
        guard var buffer = body, let bytes = buffer.readBytes(length: buffer.readableBytes) else { return nil }
        let contentType = request.headers.contentType
        var pairs: [(String, String)] = []
        var hadFiles = false
        if contentType?.type == "multipart", let boundary = contentType?.parameters["boundary"] {
            (pairs, hadFiles) = multipartFields(bytes, boundary: boundary)
        } else {
            pairs = urlEncodedFields(String(decoding: bytes, as: UTF8.self))
        }
        let kept = pairs.filter { !isSecret($0.0) && $0.0.count <= 100 }
        return KeptForm(
            action: request.url.path,
            shown: kept.compactMap { name, value in labels[name].map { Field(name: name, value: value, labelKey: $0) } },
            hidden: kept.filter { labels[$0.0] == nil }.map { Field(name: $0.0, value: $0.1, labelKey: nil) }, hadFiles: hadFiles,
            hadSecrets: pairs.contains { isSecret($0.0) })
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

    static func multipartFields(_ bytes: [UInt8], boundary: String) -> ([(String, String)], Bool) {
        let parser = MultipartParser(boundary: boundary)
        var fields: [(String, String)] = []
        var hadFiles = false
        var headers: [(String, String)] = []
        var value: [UInt8] = []
        parser.onHeader = { name, text in headers.append((name.lowercased(), text)) }
        parser.onBody = { buffer in value += buffer.readableBytesView }
        parser.onPartComplete = {
            let disposition = headers.first { $0.0 == "content-disposition" }?.1 ?? ""
            if disposition.contains("filename=") {
                hadFiles = hadFiles || !value.isEmpty
            } else if let name = disposition.firstMatch(of: /name="([^"]*)"/)?.output.1 {
                fields.append((String(name), String(decoding: value, as: UTF8.self)))
            }
            headers = []
            value = []
        }
        do {
            try parser.execute(ByteBuffer(bytes: bytes))
        } catch {
            return ([], false)
        }
        return (fields, hadFiles)
    }
}
