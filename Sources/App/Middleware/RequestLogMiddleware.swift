import Vapor

/// One log line per request: method, route pattern, status and duration. Never the client's address,
/// the concrete path (which may hold an id or token), the query string, cookies or the body.
struct RequestLogMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let started = ContinuousClock.now
        return next.respond(to: request).map { response in
            log(request, status: response.status, since: started)
            return response
        }.flatMapErrorThrowing { error in
            log(request, status: (error as? any AbortError)?.status ?? .internalServerError, since: started)
            throw error
        }
    }

    private func log(_ request: Request, status: HTTPResponseStatus, since started: ContinuousClock.Instant) {
        // Nothing to build when the line would not be written (a level above info).
        guard request.logger.logLevel <= .info else { return }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        // A request that matched no route was either a static file (200/304) or nothing at all.
        let unmatched = status == .ok || status == .notModified ? "static" : "unmatched"
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? unmatched
        request.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "route": .string(route),
                "status": .stringConvertible(status.code),
                "ms": .string(String(format: "%.1f", milliseconds)),
            ])
    }
}
