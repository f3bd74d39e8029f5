import Vapor
import VertrouwdCore

/// Refuses every state-changing request whose `csrf` form field does not match the token in the
/// person's session. The token is made when a form is first rendered (`req.csrfToken()`).
struct CSRFMiddleware: Middleware {

    struct Field: Decodable {
        var csrf: String?
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard [.POST, .PUT, .PATCH, .DELETE].contains(request.method) else {
            return next.respond(to: request)
        }
        // Parsed once: Vapor parses the header anew (through Foundation) on every look.
        let contentType = request.headers.contentType
        do {
            try Self.refuseUnreadableBody(contentType)
        } catch {
            return request.eventLoop.makeFailedFuture(error)
        }
        // A method no route of this path takes changes nothing: let the router answer it (405 or 404).
        if !request.application.routes.methods(matching: request.path).contains(request.method.rawValue) {
            return next.respond(to: request)
        }
        // Collecting here also enforces the body limit (413) for every form, before any handler runs.
        // Forms with files have their own, larger limit: only on the routes that take files.
        let settings = request.application.vertrouwd.settings
        let limit =
            contentType?.type == "multipart" && (Endpoint.matching(request.path)?.takesFiles ?? false)
            ? settings.maxUploadSize : settings.maxBodySize
        return request.body.collect(max: limit).flatMapThrowing { body in
            try Self.check(request, body: body, contentType: contentType, limit: limit)
        }.flatMap { next.respond(to: request) }
    }

    /// Throws unless a state-changing request whose body has been collected may go on.
    private static func check(_ request: Request, body: ByteBuffer?, contentType: HTTPMediaType?, limit: Int) throws {
        // A body that arrived whole is not re-checked by `collect`, so measure it here too.
        if let body, body.readableBytes > limit { throw Abort(.payloadTooLarge) }
        if let body { try refuseTooManyFields(body, contentType: contentType) }
        // The JSON API and the pages that take no session (the guide) are stateless: they read no
        // session or cookie and change nothing, so a forged request from another site can learn or
        // do nothing it could not with a link.
        if request.takesNoSession { return }
        let sent = (try? request.content.decode(Field.self))?.csrf ?? ""
        guard let expected = request.hasSession ? request.session.data[SessionKeys.csrf] : nil, !sent.isEmpty,
            constantTimeEquals(Array(sent.utf8), Array(expected.utf8))
        else {
            throw PageError.csrf
        }
    }

    /// A body no form of ours can send, refused before any decoder sees it: a multipart body without
    /// a boundary (the multipart parser stops the process on an empty one), and more fields than any
    /// form has (the form decoder's time grows with the square of repeated names).
    static let maximumFields = 1_000

    static func refuseUnreadableBody(_ contentType: HTTPMediaType?) throws {
        if let contentType, contentType.type == "multipart",
            (contentType.parameters["boundary"] ?? "").isEmpty
        {
            throw Abort(.badRequest)
        }
    }

    static func refuseTooManyFields(_ body: ByteBuffer, contentType: HTTPMediaType?) throws {
        let bytes = body.readableBytesView
        let fields: Int
        if contentType?.type == "multipart", let boundary = contentType?.parameters["boundary"] {
            // Every part starts with "--" and the boundary.
            let marker = Array("--\(boundary)".utf8)
            var count = 0
            var index = bytes.startIndex
            while let found = bytes[index...].firstIndex(of: marker[0]) {
                if bytes[found...].starts(with: marker) {
                    count += 1
                    index = found + marker.count
                } else {
                    index = found + 1
                }
            }
            fields = count
        } else {
            fields = bytes.lazy.filter { $0 == UInt8(ascii: "&") }.count
        }
        if fields > maximumFields { throw Abort(.payloadTooLarge) }
    }
}
