import Vapor
import VertrouwdCore

/// `/api/v1/…`: the public, read-only JSON API — knowledge-base search and the guide — described
/// by `openapi.json` beside it. It takes no session and no cookie, stores nothing and logs no
/// query or answer; the language comes from `Accept-Language` (or the organisation's default).
struct PublicAPIController: RouteCollection {
    struct SearchResponse: Encodable {
        let query: String
        let results: [SearchController.Result]
    }

    struct GuideRequest: Decodable {
        var answers: [String]
    }

    struct GuideResponse: Encodable {
        /// `question` or `outcome`.
        let status: String
        let step: Int
        let answers: [String]
        let restarted: Bool
        let question: QuestionView?
        let outcome: OutcomeView?
    }

    struct QuestionView: Encodable {
        struct Option: Encodable {
            let id: String
            let label: String
            let hint: String?
        }

        let id: String
        let text: String
        let hint: String?
        let options: [Option]
    }

    struct OutcomeView: Encodable {
        let id: String
        let title: String
        let text: String
        let kinds: [LinkCard]
        let notes: [String]
        let steps: [GuideController.StepView]
        let routes: [LinkCard]
    }

    struct ErrorResponse: Encodable {
        let error: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.apiDocument, use: openAPI)
        routes.get(.apiSearch, use: search)
        routes.post(.apiGuide, use: guide)
    }

    func openAPI(req: Request) async throws -> Response {
        let path = req.application.directory.resourcesDirectory + "API/openapi.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw Abort(.notFound) }
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = .json
        return response
    }

    func search(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let query = String((req.query[String.self, at: "q"] ?? "").cleanedInput.prefix(SearchController.maximumQueryLength))
        let results = try await SearchController.search(query, organisation: organisation, req: req)
        return try .json(SearchResponse(query: query, results: results))
    }

    func guide(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let portal = PortalHeader(organisation)
        guard let body = try? req.content.decode(GuideRequest.self) else {
            return try await Self.refuse(req, "api.error.body")
        }
        guard body.answers.count <= GuideController.maximumAnswers, body.answers.allSatisfy({ $0.count <= 80 }) else {
            return try await Self.refuse(req, "api.error.body")
        }
        // Like the page: answers that do not follow the guide (outdated, changed) start it again.
        var answers = body.answers.compactMap(Guide.Answer.init(encoded:))
        var restarted = false
        let guide = req.vertrouwd.guide
        if answers.count != body.answers.count || (try? guide.position(after: answers)) == nil {
            answers = []
            restarted = true
        }
        let position = try guide.position(after: answers)
        let language = req.language
        let encoded = answers.map(\.encoded)
        switch position {
        case .question(let id, let question):
            let view = QuestionView(
                id: id, text: question.text(language), hint: question.hint.map { $0(language) },
                options: question.options.map { .init(id: $0.id, label: $0.label(language), hint: $0.hint.map { $0(language) }) })
            return try .json(
                GuideResponse(
                    status: "question", step: answers.count + 1, answers: encoded, restarted: restarted, question: view, outcome: nil))
        case .outcome(let result):
            let page = GuideController.outcomeParts(result, portal: portal, req: req)
            let view = OutcomeView(
                id: result.outcomeID, title: result.outcome.title(language), text: result.outcome.text(language), kinds: page.kinds,
                notes: result.notes.map { $0.text(language) }, steps: page.steps, routes: page.routes)
            return try .json(
                GuideResponse(
                    status: "outcome", step: answers.count, answers: encoded, restarted: restarted, question: nil, outcome: view))
        }
    }

    static func refuse(_ req: Request, _ key: String) async throws -> Response {
        try .json(ErrorResponse(error: req.t(key)), status: .unprocessableEntity)
    }
}

extension Response {
    /// A JSON body for an API client.
    static func json(_ value: some Encodable, status: HTTPResponseStatus = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let response = Response(status: status, body: .init(data: try encoder.encode(value)))
        response.headers.contentType = .json
        return response
    }
}
