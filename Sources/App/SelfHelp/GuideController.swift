import Vapor
import VertrouwdCore

/// `/o/:slug/wegwijzer`: the guide, one question per page. The answers so far travel as hidden fields
/// in the form (POST), so they are never stored, logged or put in an address; the back button and a
/// fresh start work without JavaScript. It takes no session (`Endpoint.takesNoSession`): every
/// visitor who gave the same answers sees the same page, from the page cache.
struct GuideController: RouteCollection {
    struct GuideForm: Content {
        var a: [String]?
        var answer: String?
        var action: String?
    }

    struct OptionView: Encodable {
        let id: String
        let label: String
        let hint: String?
        let checked: Bool
    }

    struct QuestionContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let breadcrumbs: [Breadcrumb]
        let question: String
        let hint: String?
        let options: [OptionView]
        let answers: [String]
        let canGoBack: Bool
        let step: Int
        let errors: FormErrors
    }

    struct StepView: Encodable {
        let id: String
        let title: String
        let text: String
        let href: String?
    }

    struct OutcomeContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let breadcrumbs: [Breadcrumb]
        let title: String
        let text: String
        let kinds: [LinkCard]
        let hasKinds: Bool
        let notes: [String]
        let steps: [StepView]
        let hasSteps: Bool
        let routes: [LinkCard]
        let answers: [String]
        let planKey: String
    }

    static let maximumAnswers = 12

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.guide, use: start)
        routes.post(.guide, use: step)
    }

    func start(req: Request) async throws -> Response {
        try await req.cachedPage {
            let organisation = try await req.organisationFromPath()
            return try await render(req, PortalHeader(organisation), answers: [], errors: [])
        }
    }

    /// The next question or the outcome, from the page cache; a restart or a missing choice is
    /// answered afresh.
    func step(req: Request) async throws -> Response {
        let form = Self.form(of: req)
        let encoded = (form.a ?? []).prefix(Self.maximumAnswers)
        var answers = encoded.compactMap(Guide.Answer.init(encoded:))
        let guide = req.vertrouwd.guide
        guard answers.count == encoded.count, let current = try? guide.position(after: answers) else {
            let organisation = try await req.organisationFromPath()
            return try await render(req, PortalHeader(organisation), answers: [], notice: "guide.notice.restarted", errors: [])
        }
        var previous: String?
        switch form.action {
        case "back":
            // The answer taken back stays chosen, so going back and forth loses nothing.
            previous = answers.popLast()?.option
        case "restart":
            answers = []
        default:
            guard case .question(let id, let question) = current else { break }
            guard let chosen = form.answer, question.options.contains(where: { $0.id == chosen }) else {
                let organisation = try await req.organisationFromPath()
                return try await render(
                    req, PortalHeader(organisation), answers: answers,
                    errors: [FieldError(field: "options", key: "guide.error.choose")], status: .unprocessableEntity)
            }
            answers.append(Guide.Answer(question: id, option: chosen))
        }
        let variant = answers.map(\.encoded).joined(separator: ",") + "|" + (previous ?? "")
        return try await req.cachedPage(variant: variant) { [answers] in
            let organisation = try await req.organisationFromPath()
            return try await render(req, PortalHeader(organisation), answers: answers, chosen: previous, errors: [])
        }
    }

    /// The step's three fields, read by hand from a URL-encoded body (the page's own form); any
    /// other body through Vapor's decoders.
    static func form(of req: Request) -> GuideForm {
        guard let fields = req.urlEncodedFields else { return req.form(GuideForm.self, orEmpty: GuideForm()) }
        let answers = fields.all("a") + fields.all("a[]")
        return GuideForm(a: answers.isEmpty ? nil : answers, answer: fields.value("answer"), action: fields.value("action"))
    }

    private func render(
        _ req: Request, _ portal: PortalHeader, answers: [Guide.Answer], chosen previous: String? = nil, notice: String? = nil,
        errors: [FieldError], status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let language = req.language
        let breadcrumbs = [Breadcrumb(label: portal.name, href: portal.base), Breadcrumb(label: req.t("guide.title"), href: nil)]
        switch try req.vertrouwd.guide.position(after: answers) {
        case .question(_, let question):
            let context = QuestionContext(
                shell: PageShell(req, page: "guide-question", titleKey: "guide.title", publicPage: true, noticeKey: notice),
                portal: portal, breadcrumbs: breadcrumbs, question: question.text(language), hint: question.hint.map { $0(language) },
                options: question.options.map {
                    OptionView(id: $0.id, label: $0.label(language), hint: $0.hint.map { $0(language) }, checked: $0.id == previous)
                },
                answers: answers.map(\.encoded), canGoBack: !answers.isEmpty, step: answers.count + 1, errors: FormErrors(errors))
            return try await req.render("guide/question", context, status: status)
        case .outcome(let result):
            let parts = Self.outcomeParts(result, portal: portal, req: req)
            let context = OutcomeContext(
                shell: PageShell(req, page: "guide-outcome", titleKey: "guide.outcome.title", publicPage: true), portal: portal,
                breadcrumbs: breadcrumbs, title: result.outcome.title(language), text: result.outcome.text(language),
                kinds: parts.kinds, hasKinds: !parts.kinds.isEmpty, notes: result.notes.map { $0.text(language) },
                steps: parts.steps, hasSteps: !parts.steps.isEmpty, routes: parts.routes,
                answers: answers.map(\.encoded), planKey: "plan-\(result.outcomeID)")
            return try await req.render("guide/outcome", context)
        }
    }

    /// Where a route's link (`article:`, `tel:`, `https://`, `page:contact`, `page:help`) leads on the portal.
    static func href(_ link: String, portal: PortalHeader) -> String {
        if link.hasPrefix("article:") { return "\(portal.base)/kennisbank/\(link.dropFirst(8))" }
        if link.hasPrefix("tel:") || link.hasPrefix("https://") { return link }
        if link == "page:contact" { return "\(portal.base)/contact" }
        if link == "page:help" { return Endpoint.knowledgeBase.path(portal.slug, anchor: "hulp-buiten") }
        return portal.base
    }

    /// An outcome's kinds, steps and routes as links into the organisation's portal (page and API alike).
    static func outcomeParts(
        _ result: Guide.Result, portal: PortalHeader, req: Request
    ) -> (
        kinds: [LinkCard], steps: [StepView], routes: [LinkCard]
    ) {
        let language = req.language
        let base = req.vertrouwd.knowledgeBase
        let kinds = result.kinds.map { kind in
            LinkCard(
                title: base.article(kind.article, in: language)?.title ?? kind.rawValue,
                text: base.article(kind.article, in: language)?.summary ?? "", href: Endpoint.article.path(portal.slug, kind.article))
        }
        let steps = result.steps.map {
            StepView(
                id: $0.id, title: $0.title(language), text: $0.text(language), href: $0.article.map { "\(portal.base)/kennisbank/\($0)" })
        }
        let routes = result.routes.map {
            LinkCard(title: $0.route.title(language), text: $0.route.text(language), href: href($0.route.link, portal: portal))
        }
        return (kinds, steps, routes)
    }
}
