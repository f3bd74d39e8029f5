import Vapor
import VertrouwdCore

/// Opens the session's journal key, if there is one, before the handler runs; a key that timed out
/// or that this browser cannot open leaves the journal closed.
struct OpenJournalMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard request.hasSession, let handle = request.session.data[Request.journalSessionKey] else {
            return next.respond(to: request)
        }
        return request.eventLoop.makeFutureWithTask {
            if let (owner, raw) = try await request.unlockedKeys.open(handle, kind: .journal),
                let key = JournalKey(rawRepresentation: raw)
            {
                request.openJournal = JournalVault.Opened(id: owner, key: key)
            }
            return try await next.respond(to: request).get()
        }
    }
}
