import Vapor

/// Gives every request an id for its log lines and answers with it in `X-Request-Id`, so an
/// operator can follow one request through the proxy's log and each instance's.
///
/// Vapor takes the id from the client's `X-Request-Id` as it comes. Vertrouwd accepts one only from
/// a trusted proxy (`VERTROUWD_TRUST_PROXY`) and only when it is a short token; otherwise it makes its own.
struct RequestIDMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let given = request.headers.first(name: .xRequestId)
        let id: String
        if request.vertrouwd.settings.trustProxy, let given, Self.isAcceptable(given) {
            id = given
        } else {
            id = UUID().uuidString
        }
        request.logger[metadataKey: "request-id"] = .string(id)
        return next.respond(to: request).map { response in
            response.headers.replaceOrAdd(name: .xRequestId, value: id)
            return response
        }
    }

    static func isAcceptable(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D
                    || byte == 0x2E
                    || byte == 0x5F
            }
    }
}
