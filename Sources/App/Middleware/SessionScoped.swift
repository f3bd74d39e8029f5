import Vapor

/// Runs `wrapped` for every request that may have a session: not for the JSON API (`/api/`), nor for
/// the pages that take none (`Endpoint.takesNoSession`). There no session is read, refreshed or sent
/// back as a cookie, and nobody is signed in.
struct SessionScoped: Middleware {
    let wrapped: any Middleware

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if request.takesNoSession { return next.respond(to: request) }
        return wrapped.respond(to: request, chainingTo: next)
    }
}
