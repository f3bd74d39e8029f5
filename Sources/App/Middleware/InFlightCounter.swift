import NIOConcurrencyHelpers
import Vapor

/// Counts the requests this instance is answering, from the first middleware to the last byte of
/// the answer's making. Tests wait for it to reach zero before they stop an application whose
/// connections they cut (an answer made after the stop would find its services gone).
final class InFlightCounter: Middleware, Sendable {
    private let count = NIOLockedValueBox(0)

    var current: Int { count.withLockedValue { $0 } }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        count.withLockedValue { $0 += 1 }
        return next.respond(to: request).always { _ in self.count.withLockedValue { $0 -= 1 } }
    }
}

extension Application {
    private struct InFlightKey: StorageKey {
        typealias Value = InFlightCounter
    }

    /// The application's count of requests in flight (`configure` makes it).
    var requestsInFlight: InFlightCounter {
        get { configured(InFlightKey.self) }
        set { storage[InFlightKey.self] = newValue }
    }
}
