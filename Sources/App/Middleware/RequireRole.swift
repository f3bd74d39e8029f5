import Crypto
import Fluent
import Vapor
import VertrouwdCore

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
                return request.redirect(to: Endpoint.login.path())
            }
            throw PageError.loginRequired
        }
        guard roles.contains(account.role) else { throw PageError.forbidden }
        return try await next.respond(to: request)
    }
}
