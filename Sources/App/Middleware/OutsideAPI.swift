import Vapor

/// Runs `wrapped` for every request except the JSON API's (`/api/`), which takes no session: no
/// session is read, refreshed or sent back as a cookie there.
struct OutsideAPI: Middleware {
    let wrapped: any Middleware

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if request.url.path.hasPrefix("/api/") { return next.respond(to: request) }
        return wrapped.respond(to: request, chainingTo: next)
    }
}
