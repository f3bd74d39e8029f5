import Vapor
import VertrouwdCore

extension Request {
    static let journalSessionKey = "journal"

    /// The journal open in this session, if any (its key lives in memory, see `JournalKeyStore`).
    var openJournal: JournalVault.Opened? {
        guard hasSession, let handle = session.data[Self.journalSessionKey],
            let (id, key) = vertrouwd.journalKeys.get(handle, now: now)
        else { return nil }
        return JournalVault.Opened(id: id, key: key)
    }

    /// The open journal, or the start page when there is none (closed, timed out, or a restart).
    func requireJournal() throws -> JournalVault.Opened {
        guard let opened = openJournal else { throw Abort.redirect(to: "\(try journalBase())?gesloten=1") }
        return opened
    }

    /// Keeps the open journal's handle in a new session (a new id and CSRF token, like a staff login),
    /// so a session id seen before the journal was opened is worth nothing afterwards.
    func rememberJournal(_ opened: JournalVault.Opened) async throws {
        if let old = session.data[Self.journalSessionKey] { vertrouwd.journalKeys.remove(old) }
        var data = session.data
        data[CSRFMiddleware.sessionKey] = Token.generate(using: vertrouwd.random)
        data[Self.journalSessionKey] = vertrouwd.journalKeys.put(opened.key, journalID: opened.id, now: now, random: vertrouwd.random)
        if let oldID = session.id { try await application.sessions.driver.deleteSession(oldID, for: self).get() }
        session.id = nil
        session.data = data
    }

    func forgetJournal() {
        if let handle = session.data[Self.journalSessionKey] { vertrouwd.journalKeys.remove(handle) }
        session.data[Self.journalSessionKey] = nil
    }

    func journalBase() throws -> String {
        guard let slug = parameters.get("slug"), Slug(slug) != nil else { throw PageError.notFound }
        return "/o/\(slug)/logboek"
    }

    var journalVault: JournalVault { JournalVault(services: vertrouwd, db: db) }
}
