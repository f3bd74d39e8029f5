import Vapor
import VertrouwdCore

/// Files a person or counsellor attached to a form, checked against the organisation's policy
/// before anything is encrypted. Problems are reported per file; a form with any problem stores
/// nothing, so the person can fix it and send everything once.
struct UploadedFiles {
    /// One refused file, shown next to the file field with its name (escaped by the template).
    struct Problem: Encodable {
        let name: String
        let key: String
        let limit: String
        /// Leaf treats an empty string as true, so the template asks this.
        let hasName: Bool

        init(name: String, key: String, limit: String) {
            self.name = name
            self.key = key
            self.limit = limit
            self.hasName = !name.isEmpty
        }
    }

    var accepted: [AttachmentPolicy.Accepted] = []
    var problems: [Problem] = []

    /// True when the browser sent at least one real file (an empty file field sends an empty part).
    static func chosen(_ files: [File]?) -> [File] {
        (files ?? []).filter { !$0.filename.isEmpty || $0.data.readableBytes > 0 }
    }

    init() {}

    init(_ files: [File]?, policy: AttachmentPolicy) {
        let files = Self.chosen(files)
        let limit = String(policy.maximumBytes >> 20)
        if files.count > AttachmentPolicy.filesPerSubmission {
            problems.append(Problem(name: "", key: "attachment.error.too_many", limit: String(AttachmentPolicy.filesPerSubmission)))
            return
        }
        for file in files {
            var buffer = file.data
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            switch policy.check(name: file.filename, bytes: bytes) {
            case .success(let checked): accepted.append(checked)
            case .failure(let rejection):
                problems.append(
                    Problem(name: AttachmentPolicy.safeName(file.filename), key: "attachment.error.\(rejection.rawValue)", limit: limit))
            }
        }
    }

    /// The entry in the form's error summary that points at the file field.
    var summaryErrors: [FieldError] {
        problems.isEmpty ? [] : [FieldError(field: "attachments", key: "attachment.error.summary")]
    }
}

extension Response {
    /// A decrypted attachment as a download that the browser never shows inline or runs.
    static func download(_ envelope: AttachmentEnvelope) -> Response {
        let response = Response(status: .ok, body: .init(data: Data(envelope.bytes)))
        response.headers.replaceOrAdd(name: .contentType, value: envelope.header.format.mediaType)
        let ascii = String(
            envelope.header.name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? Character($0) : "_" })
        let encoded =
            envelope.header.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-_.~"))) ?? ascii
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)")
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "sandbox; default-src 'none'")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}

/// What the file field on a form shows: the organisation's limits, the hidden-data warning, and the
/// problems with files that were refused.
struct AttachmentFieldView: Encodable {
    let maximumMebibytes: String
    let families: String
    let accept: String
    let problems: [UploadedFiles.Problem]
    let hasProblems: Bool
    /// False when the organisation accepts no files at all: the field is not shown.
    let enabled: Bool
    /// The form came back with an error after files were chosen: browsers do not keep them.
    let reselect: Bool

    init(_ req: Request, policy: AttachmentPolicy, problems: [UploadedFiles.Problem] = [], reselect: Bool = false) {
        maximumMebibytes = String(policy.maximumBytes >> 20)
        let families = FileFormat.Family.allCases.filter { policy.families.contains($0) }
        self.families = families.map { req.t("attachment.family.\($0.rawValue)") }.joined(separator: ", ")
        accept = FileFormat.allCases.filter { policy.families.contains($0.family) }.flatMap(\.extensions).map { ".\($0)" }
            .joined(separator: ",")
        self.problems = problems
        hasProblems = !problems.isEmpty
        enabled = !policy.families.isEmpty
        self.reselect = reselect
    }
}
