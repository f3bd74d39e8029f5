import Crypto
import Fluent
import Vapor
import VertrouwdCore

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
