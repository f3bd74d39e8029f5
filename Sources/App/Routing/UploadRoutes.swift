/// The paths whose forms carry files, and so get the larger body limit (`CSRFMiddleware`) and keep
/// a refused form's file names (`KeptForm`).
enum UploadRoutes {
    /// The form routes with a file field: contact, report and inbox of an organisation, a journal
    /// entry and a journal backup, a counsellor's reply, and the profile photo.
    static func takesFiles(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        if parts.count == 3, parts[0] == "o", ["contact", "melden", "inbox"].contains(parts[2]) { return true }
        if parts.count == 4, parts[0] == "o", parts[2] == "logboek", ["voorval", "importeren"].contains(parts[3]) { return true }
        if parts.count == 4, parts[0] == "backoffice", parts[1] == "cases", parts[3] == "reply" { return true }
        return path == "/account/profile"
    }
}
