import Crypto
import Fluent
import Vapor
import VertrouwdCore

/// What the session remembers about a signed-in staff member, and the rules for how long.
///
/// Sessions live in the database (Fluent's session driver), so any instance can serve any request.
/// A session ends after `sessionIdleTimeout` without a request or `sessionAbsoluteTimeout` after login.
enum SessionKeys {
    static let account = "account"
    static let issuedAt = "issued"
    static let seenAt = "seen"
    static let pendingAccount = "pending"
    static let pendingAt = "pending_at"
    static let notice = "notice"
    static let activationSecret = "activation_totp"
    /// Handle of the counsellor's unlocked private key in `UnlockedKeys` (pending: before the second factor).
    static let keyHandle = "key"
    static let pendingKey = "pending_key"
}

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

    /// A one-time message for the next page (e.g. "you have been logged out").
    func setNotice(_ key: String) {
        session.data[SessionKeys.notice] = key
    }

    func takeNotice() -> String? {
        guard hasSession, let key = session.data[SessionKeys.notice] else { return nil }
        session.data[SessionKeys.notice] = nil
        return key
    }

    /// Starts a fresh session for a person who just proved who they are. A new id defeats session fixation.
    func beginStaffSession(for account: StaffAccount, keyHandle: String?) async throws {
        let oldID = session.id
        var data = SessionData()
        data[CSRFMiddleware.sessionKey] = Token.generate(using: vertrouwd.random)
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
