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

/// Loads the signed-in staff member on every request and ends sessions that timed out.
struct StaffSessionMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.hasSession, let raw = request.session.data[SessionKeys.account] else {
            return try await next.respond(to: request)
        }
        let settings = request.vertrouwd.settings
        let now = request.now.timeIntervalSince1970
        let issued = Double(request.session.data[SessionKeys.issuedAt] ?? "") ?? 0
        let seen = Double(request.session.data[SessionKeys.seenAt] ?? "") ?? 0
        if now - seen > settings.sessionIdleTimeout || now - issued > settings.sessionAbsoluteTimeout {
            try await request.endStaffSession(notice: "login.notice.expired")
            return try await next.respond(to: request)
        }
        guard let id = UUID(uuidString: raw), let account = try await StaffAccount.find(id, on: request.db),
            !account.isDisabled, account.isActivated
        else {
            try await request.endStaffSession(notice: "login.notice.ended")
            return try await next.respond(to: request)
        }
        if account.role == .counsellor {
            // No key (it timed out, was dropped by a reset, or the browser lost its half): log in again to unlock it.
            guard let handle = request.session.data[SessionKeys.keyHandle],
                let (owner, raw) = try await request.unlockedKeys.open(handle, kind: .counsellor), owner == account.id,
                let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)
            else {
                try await request.endStaffSession(notice: "login.notice.key_locked")
                return try await next.respond(to: request)
            }
            request.counsellorKey = key
        }
        request.session.data[SessionKeys.seenAt] = String(Int(now))
        request.staffAccount = account
        return try await next.respond(to: request)
    }
}

/// Lets a request through only for a signed-in staff member of one of `roles`.
struct RequireRole: AsyncMiddleware {
    let roles: Set<StaffRole>

    init(_ roles: StaffRole...) {
        self.roles = Set(roles)
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let account = request.staffAccount else {
            if request.method == .GET {
                if request.session.data[SessionKeys.notice] == nil { request.setNotice("login.notice.required") }
                return request.redirect(to: "/login")
            }
            throw PageError.loginRequired
        }
        guard roles.contains(account.role) else { throw PageError.forbidden }
        return try await next.respond(to: request)
    }
}
