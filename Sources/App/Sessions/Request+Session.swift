import Vapor
import VertrouwdCore

/// What a session holds, and the few things every page asks of it. Below the middleware, the views
/// and the accounts, which all use it.
enum SessionKeys {
    /// The form token every POST must carry (`CSRFMiddleware`).
    static let csrf = "csrf"
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

extension Application {
    /// The session cookie's name (set in `configure`).
    static let sessionCookieName = "vertrouwd_session"
}

extension Request {
    /// True when the request arrived with a live session (so reading `session` does not make a new one).
    var hasSession: Bool { !takesNoSession && cookies[Application.sessionCookieName] != nil }

    /// The JSON API and the pages that take no session (`Endpoint.takesNoSession`): the session
    /// middlewares pass them by, and nothing may read or write a session there.
    var takesNoSession: Bool {
        if let known = storage[SessionFreeKey.self] { return known }
        let free = path.hasPrefix("/api/") || Endpoint.isSessionFree(path)
        storage[SessionFreeKey.self] = free
        return free
    }

    private struct SessionFreeKey: StorageKey {
        typealias Value = Bool
    }

    /// The session's CSRF token, made on first use.
    func csrfToken() -> String {
        if let token = session.data[SessionKeys.csrf] { return token }
        let token = Token.generate(using: vertrouwd.random)
        session.data[SessionKeys.csrf] = token
        return token
    }
}

extension Request {
    /// A one-time message for the next page (e.g. "you have been logged out").
    func setNotice(_ key: String) {
        session.data[SessionKeys.notice] = key
    }

    func takeNotice() -> String? {
        guard hasSession, let key = session.data[SessionKeys.notice] else { return nil }
        session.data[SessionKeys.notice] = nil
        return key
    }
}
