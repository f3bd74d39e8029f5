import Vapor

extension Request {
    /// Renders a Leaf template with a typed context into a response with the given status.
    func render(_ template: String, _ context: some Encodable, status: HTTPResponseStatus = .ok) async throws -> Response {
        let response = try await view.render(template, context).encodeResponse(for: self)
        response.status = status
        return response
    }

    /// Decodes a submitted form; a body that is not a well-formed form counts as an empty one,
    /// so that the person sees "this field is required" instead of an error page.
    func form<Form: Decodable & Sendable>(_ type: Form.Type, orEmpty empty: Form) -> Form {
        (try? content.decode(Form.self)) ?? empty
    }
}

extension String {
    /// Trimmed, with control characters other than newlines and tabs removed.
    var cleanedInput: String {
        String(
            String.UnicodeScalarView(
                unicodeScalars.filter { scalar in
                    !(scalar.properties.generalCategory == .control) || scalar == "\n" || scalar == "\t"
                })
        ).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
