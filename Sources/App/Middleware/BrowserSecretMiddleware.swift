import Crypto
import Fluent
import Vapor
import VertrouwdCore

/// Sets the browser-secret cookie on the response of the request that made one.
struct BrowserSecretMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        // Read now: the answer may come after the application stopped (a connection cut at shutdown).
        let secure = request.vertrouwd.settings.usesTLS
        return next.respond(to: request).map { response in
            Self.setCookie(on: response, for: request, secure: secure)
            return response
        }
    }

    private static func setCookie(on response: Response, for request: Request, secure: Bool) {
        if let made = BrowserSecret.madeDuring(request) {
            response.cookies[UnlockedKeys.cookieName] = HTTPCookies.Value(
                string: Data(made).base64EncodedString(), path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .strict)
        } else if BrowserSecret.isForgotten(request), request.cookies[UnlockedKeys.cookieName] != nil {
            response.cookies[UnlockedKeys.cookieName] = HTTPCookies.Value(
                string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isSecure: secure, isHTTPOnly: true,
                sameSite: .strict)
        }
    }
}
