import Vapor
import VertrouwdCore

/// Settles the response language before anything renders.
struct LanguageMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        request.resolveLanguage()
        return try await next.respond(to: request)
    }
}
