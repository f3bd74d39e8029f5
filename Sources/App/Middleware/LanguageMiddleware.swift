import Vapor
import VertrouwdCore

/// Settles the response language before anything renders.
struct LanguageMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        request.resolveLanguage()
        return next.respond(to: request)
    }
}
