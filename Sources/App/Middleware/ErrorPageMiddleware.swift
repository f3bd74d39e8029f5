import Vapor

/// Turns every error into a page in the person's language (or JSON for API clients) that says what
/// happened in plain words and nothing about the server's insides.
struct ErrorPageMiddleware: Middleware {
    static let knownStatuses: Set<UInt> = [400, 401, 403, 404, 405, 413, 429, 500, 503]

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapError { error in
            request.eventLoop.makeFutureWithTask { await page(for: error, request: request) }
        }
    }

    private func page(for error: any Error, request: Request) async -> Response {
        // `Abort.redirect` is a way out, not a failure.
        if let abort = error as? any AbortError, (300..<400).contains(abort.status.code),
            let location = abort.headers.first(name: .location)
        {
            return request.redirect(to: location)
        }
        if DatabaseOutage.isOutage(error) {
            request.logger.warning("database unavailable", metadata: ["error": .string(DatabaseOutage.describe(error))])
            return await unavailable(request)
        }
        var status: HTTPResponseStatus
        var bodyKey: String?
        switch error {
        case let pageError as PageError:
            status = pageError.status
            bodyKey = pageError.reason
        case let abort as any AbortError:
            status = abort.status
        default:
            status = .internalServerError
        }
        // A path that exists, asked with a method it does not take: 405 with the methods it does.
        var allowed: [String] = []
        if status == .notFound, !(error is PageError) {
            allowed = request.application.routes.methods(matching: request.url.path)
            // A route of this method that answered "not found" itself is a real 404.
            let asked = request.method == .HEAD ? "GET" : request.method.rawValue
            if allowed.contains(asked) { allowed = [] }
            if !allowed.isEmpty { status = .methodNotAllowed }
        }
        if status.code >= 500 {
            // The type tells an operator where to look; the message might carry data, so it stays out.
            request.logger.error("request failed", metadata: ["error": .string(String(reflecting: type(of: error)))])
        }
        let code = Self.knownStatuses.contains(status.code) ? status.code : (status.code >= 500 ? 500 : 400)
        let response = await errorPage(request, status: status, code: code, bodyKey: bodyKey)
        if !allowed.isEmpty { response.headers.replaceOrAdd(name: .allow, value: allowed.joined(separator: ", ")) }
        return response
    }

    /// The database is away: 503, and a form's text given back with a button to send it again.
    private func unavailable(_ request: Request) async -> Response {
        let status = HTTPResponseStatus.serviceUnavailable
        if let kept = await KeptForm.from(request) {
            let context = UnavailablePageContext(
                shell: PageShell(request, page: "unavailable", titleKey: "error.503.title", publicPage: true), form: kept)
            if let response = try? await request.view.render("unavailable", context).encodeResponse(for: request) {
                response.status = status
                response.headers.replaceOrAdd(name: .retryAfter, value: "30")
                return response
            }
        }
        let response = await errorPage(request, status: status, code: 503, bodyKey: nil)
        response.headers.replaceOrAdd(name: .retryAfter, value: "30")
        return response
    }

    private func errorPage(_ request: Request, status: HTTPResponseStatus, code: UInt, bodyKey: String?) async -> Response {
        if request.url.path.hasPrefix("/api/") || request.url.path == "/health" {
            let response = Response(status: status)
            try? response.content.encode(["error": request.t("error.\(code).title")])
            return response
        }
        let context = ErrorPageContext(
            shell: PageShell(request, page: "error", titleKey: "error.\(code).title", publicPage: true),
            status: status.code, titleKey: "error.\(code).title", bodyKey: bodyKey ?? "error.\(code).body")
        do {
            let response = try await request.view.render("error", context).encodeResponse(for: request)
            response.status = status
            return response
        } catch {
            let response = Response(status: status)
            response.headers.contentType = .plainText
            response.body = .init(string: request.t("error.\(code).title"))
            return response
        }
    }
}
