import Crypto
import Fluent
import Vapor
import VertrouwdCore

/// Sets the browser-secret cookie on the response of the request that made one.
struct BrowserSecretMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let secure = request.vertrouwd.settings.usesTLS
        if let made = BrowserSecret.madeDuring(request) {
            response.cookies[UnlockedKeys.cookieName] = HTTPCookies.Value(
                string: Data(made).base64EncodedString(), path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .strict)
        } else if BrowserSecret.isForgotten(request), request.cookies[UnlockedKeys.cookieName] != nil {
            response.cookies[UnlockedKeys.cookieName] = HTTPCookies.Value(
                string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isSecure: secure, isHTTPOnly: true,
                sameSite: .strict)
        }
        return response
    }
}
