import Crypto
import Fluent
import Vapor
import VertrouwdCore

/// What the session remembers about a signed-in staff member, and the rules for how long.
///
/// Sessions live in the database (Fluent's session driver), so any instance can serve any request.
/// A session ends after `sessionIdleTimeout` without a request or `sessionAbsoluteTimeout` after login.
extension Request {
    private struct StaffKey: StorageKey {
        typealias Value = StaffAccount
    }

    private struct CounsellorKeyKey: StorageKey {
        typealias Value = Curve25519.KeyAgreement.PrivateKey
    }

    /// The signed-in staff member, once `StaffSessionMiddleware` has checked the session.
    var staffAccount: StaffAccount? {
        get { storage[StaffKey.self] }
        set { storage[StaffKey.self] = newValue }
    }

    /// A signed-in counsellor's unlocked private key, for this request only.
    var counsellorKey: Curve25519.KeyAgreement.PrivateKey? {
        get { storage[CounsellorKeyKey.self] }
        set { storage[CounsellorKeyKey.self] = newValue }
    }

    /// Starts a fresh session for a person who just proved who they are. A new id defeats session fixation.
    func beginStaffSession(for account: StaffAccount, keyHandle: String?) async throws {
        let oldID = session.id
        var data = SessionData()
        data[SessionKeys.csrf] = Token.generate(using: vertrouwd.random)
        data[SessionKeys.account] = account.id?.uuidString
        data[SessionKeys.keyHandle] = keyHandle
        let stamp = String(Int(now.timeIntervalSince1970))
        data[SessionKeys.issuedAt] = stamp
        data[SessionKeys.seenAt] = stamp
        if let oldID { try await application.sessions.driver.deleteSession(oldID, for: self).get() }
        session.id = nil
        session.data = data
        staffAccount = account
    }

    /// Ends the staff session but keeps a fresh, empty one for the notice and the next form.
    func endStaffSession(notice: String) async throws {
        for key in [SessionKeys.keyHandle, SessionKeys.pendingKey] {
            if let handle = session.data[key] { try await unlockedKeys.remove(handle) }
        }
        counsellorKey = nil
        BrowserSecret.forget(self)
        if let oldID = session.id { try await application.sessions.driver.deleteSession(oldID, for: self).get() }
        session.id = nil
        session.data = SessionData()
        session.data[SessionKeys.notice] = notice
        staffAccount = nil
    }
}
