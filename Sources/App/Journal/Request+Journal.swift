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

    func rememberJournal(_ opened: JournalVault.Opened) {
        if let old = session.data[Self.journalSessionKey] { vertrouwd.journalKeys.remove(old) }
        session.data[Self.journalSessionKey] = vertrouwd.journalKeys.put(
            opened.key, journalID: opened.id, now: now, random: vertrouwd.random)
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
