import Crypto
import Fluent
import Vapor
import VertrouwdCore

/// Loads the signed-in staff member on every request and ends sessions that timed out.
/// A request without a signed-in account passes without a task of its own (most public pages).
struct StaffSessionMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard request.hasSession, let raw = request.session.data[SessionKeys.account] else {
            return next.respond(to: request)
        }
        return request.eventLoop.makeFutureWithTask {
            try await Self.load(raw, request: request, next: next)
        }
    }

    private static func load(_ raw: String, request: Request, next: any Responder) async throws -> Response {
        let settings = request.vertrouwd.settings
        let now = request.now.timeIntervalSince1970
        let issued = Double(request.session.data[SessionKeys.issuedAt] ?? "") ?? 0
        let seen = Double(request.session.data[SessionKeys.seenAt] ?? "") ?? 0
        if now - seen > settings.sessionIdleTimeout || now - issued > settings.sessionAbsoluteTimeout {
            try await request.endStaffSession(notice: "login.notice.expired")
            return try await next.respond(to: request).get()
        }
        guard let id = UUID(uuidString: raw), let account = try await StaffAccount.find(id, on: request.db),
            !account.isDisabled, account.isActivated
        else {
            try await request.endStaffSession(notice: "login.notice.ended")
            return try await next.respond(to: request).get()
        }
        if account.role == .counsellor {
            // No key (it timed out, was dropped by a reset, or the browser lost its half): log in again to unlock it.
            guard let handle = request.session.data[SessionKeys.keyHandle],
                let (owner, raw) = try await request.unlockedKeys.open(handle, kind: .counsellor), owner == account.id,
                let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)
            else {
                try await request.endStaffSession(notice: "login.notice.key_locked")
                return try await next.respond(to: request).get()
            }
            request.counsellorKey = key
        }
        // Written now and then (`lastSeenInterval`), not on every request, so that reading a page costs
        // no session write; an idle session so ends up to that much before its time, never after.
        if now - seen >= settings.lastSeenInterval { request.session.data[SessionKeys.seenAt] = String(Int(now)) }
        request.staffAccount = account
        return try await next.respond(to: request).get()
    }
}
