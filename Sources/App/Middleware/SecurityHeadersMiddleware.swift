import Vapor

/// The headers every response carries. No inline script or style exists anywhere, so the policy
/// needs no `unsafe-inline`; nothing is loaded from another host.
struct SecurityHeadersMiddleware: Middleware {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "font-src 'self'", "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'",
        "base-uri 'none'", "object-src 'none'",
    ].joined(separator: "; ")

    static let permissionsPolicy = [
        "camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()", "interest-cohort=()",
    ].joined(separator: ", ")

    static let fixedHeaders = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Permissions-Policy", permissionsPolicy),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
    ]

    /// Static assets may be cached; everything else may show personal data and must not be.
    static let cacheablePrefixes = ["/css/", "/js/", "/img/", "/favicon"]

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        // Read now: the answer may come after the application stopped (a connection cut at shutdown).
        let usesTLS = request.application.vertrouwd.settings.usesTLS
        let path = request.path
        return next.respond(to: request).map { response in
            Self.addHeaders(to: response, path: path, usesTLS: usesTLS)
            return response
        }
    }

    static func addHeaders(to response: Response, path: String, usesTLS: Bool) {
        // A download sets its own, stricter policy (a sandbox); every page gets the standard one.
        if !response.headers.contains(name: "Content-Security-Policy") {
            response.headers.add(name: "Content-Security-Policy", value: Self.contentSecurityPolicy)
        }
        for (name, value) in Self.fixedHeaders { response.headers.replaceOrAdd(name: name, value: value) }
        if usesTLS {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000")
        }
        if Self.cacheablePrefixes.contains(where: { path.hasPrefix($0) }) && [.ok, .notModified].contains(response.status) {
            response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        } else {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
    }
}
