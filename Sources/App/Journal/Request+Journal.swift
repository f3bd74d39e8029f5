import Fluent
import Vapor
import VertrouwdCore

extension Request {
    static let journalSessionKey = "journal"

    private struct OpenJournalKey: StorageKey {
        typealias Value = JournalVault.Opened
    }

    /// The journal open in this session, if any, as `OpenJournalMiddleware` found it.
    var openJournal: JournalVault.Opened? {
        get { storage[OpenJournalKey.self] }
        set { storage[OpenJournalKey.self] = newValue }
    }

    /// The open journal, or the start page when there is none (closed, timed out, or a restart).
    func requireJournal() throws -> JournalVault.Opened {
        guard let opened = openJournal else { throw Abort.redirect(to: "\(try journalPath(.journal))?gesloten=1") }
        return opened
    }

    /// Keeps the open journal's key sealed under a handle in a new session (a new id and CSRF token,
    /// like a staff login), so a session id seen before the journal was opened is worth nothing afterwards.
    func rememberJournal(_ opened: JournalVault.Opened) async throws {
        if let old = session.data[Self.journalSessionKey] { try await unlockedKeys.remove(old) }
        var data = session.data
        data[SessionKeys.csrf] = Token.generate(using: vertrouwd.random)
        BrowserSecret.renew(self)
        data[Self.journalSessionKey] = try await unlockedKeys.put(opened.key.rawRepresentation, kind: .journal, owner: opened.id)
        // A counsellor signed in in the same browser keeps their key: it is sealed again under the new secret.
        if let key = counsellorKey, let accountID = staffAccount?.id, let old = data[SessionKeys.keyHandle] {
            try await unlockedKeys.remove(old)
            data[SessionKeys.keyHandle] = try await unlockedKeys.put(Array(key.rawRepresentation), kind: .counsellor, owner: accountID)
        }
        if let oldID = session.id { try await application.sessions.driver.deleteSession(oldID, for: self).get() }
        session.id = nil
        session.data = data
        openJournal = opened
    }

    func forgetJournal() async throws {
        if let handle = session.data[Self.journalSessionKey] { try await unlockedKeys.remove(handle) }
        session.data[Self.journalSessionKey] = nil
        openJournal = nil
        if session.data[SessionKeys.keyHandle] == nil { BrowserSecret.forget(self) }
    }

    /// One of the journal's pages under the organisation in the path.
    func journalPath(_ endpoint: Endpoint, anchor: String? = nil) throws -> String {
        guard let slug = parameters.get("slug"), Slug(slug) != nil else { throw PageError.notFound }
        return endpoint.path(slug, anchor: anchor)
    }

    var journalVault: JournalVault { JournalVault(services: vertrouwd, db: db) }
}
