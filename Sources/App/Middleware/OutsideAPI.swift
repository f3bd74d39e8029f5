import Vapor

/// Runs `wrapped` for every request except the JSON API's (`/api/`), which takes no session: no
/// session is read, refreshed or sent back as a cookie there.
struct OutsideAPI: AsyncMiddleware {
    let wrapped: any Middleware

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.url.path.hasPrefix("/api/") { return try await next.respond(to: request) }
        return try await wrapped.respond(to: request, chainingTo: next).get()
    }
}
