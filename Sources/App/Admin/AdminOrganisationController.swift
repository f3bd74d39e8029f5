import Fluent
import Vapor
import VertrouwdCore

/// Creating and editing organisations: name, address (slug), default language, and what it accepts
/// as attachments.
struct AdminOrganisationController: RouteCollection {
    struct OrganisationForm: Content {
        var name: String?
        var slug: String?
        var language: String?
        var attachment_max_mb: String?
        var attachment_families: [String]?
        var retention_months: String?
        var remind_acknowledgement_days: String?
        var remind_feedback_days: String?
        var registers_gender: String?
        var job_groups: String?
        var locations: String?
    }

    /// The organisation's terms as whole numbers with their allowed ranges (name, default, range).
    static let terms: [(String, Int, ClosedRange<Int>)] = [
        ("retention_months", RetentionPolicy.defaultMonths, RetentionPolicy.allowedMonths),
        ("remind_acknowledgement_days", 2, 0...6),
        ("remind_feedback_days", 14, 0...60),
    ]

    struct FormContext: Encodable {
        let shell: PageShell
        let csrf: String
        let action: String
        let isNew: Bool
        let name: String
        let slug: String
        let language: String
        let attachmentMaxMebibytes: String
        let largestMaximum: Int
        let families: [FormOption]
        let retentionMonths: String
        let remindAcknowledgementDays: String
        let remindFeedbackDays: String
        let registersGender: Bool
        let jobGroups: String
        let locations: String
        let errors: FormErrors
        let articles: [ArticleRow]
        let hasArticles: Bool
        let newArticleHref: String?
    }

    struct ArticleRow: Encodable {
        let title: String
        let language: String
        let editHref: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.adminNewOrganisation, use: new)
        routes.post(.adminOrganisations, use: create)
        routes.get(.adminOrganisationEdit, use: edit)
        routes.post(.adminOrganisation, use: update)
    }

    func new(req: Request) async throws -> Response {
        try await render(
            req, organisation: nil,
            form: OrganisationForm(
                name: "", slug: "", language: "nl", attachment_max_mb: String(AttachmentPolicy.defaultMaximumMebibytes),
                attachment_families: FileFormat.Family.allCases.map(\.rawValue), retention_months: "12",
                remind_acknowledgement_days: "2", remind_feedback_days: "14", registers_gender: nil, job_groups: "", locations: ""),
            errors: [])
    }

    func create(req: Request) async throws -> Response {
        let form = req.form(OrganisationForm.self, orEmpty: OrganisationForm())
        let (values, errors) = try await validate(form, excluding: nil, on: req)
        guard let values, errors.isEmpty else {
            return try await render(req, organisation: nil, form: form, errors: errors, status: .unprocessableEntity)
        }
        let organisation = Organisation(name: values.name, slug: values.slug.value, defaultLanguage: values.language.code)
        organisation.attachmentMaxMebibytes = values.maximum
        organisation.attachmentFamilies = values.families
        (organisation.retentionMonths, organisation.remindAcknowledgementDays, organisation.remindFeedbackDays) = values.terms
        (organisation.registersGender, organisation.jobGroups, organisation.locations) = values.breakdowns
        try await organisation.create(on: req.db)
        req.setNotice("admin.notice.organisation_saved")
        return req.redirect(to: Endpoint.admin.path())
    }

    func edit(req: Request) async throws -> Response {
        let organisation = try await find(req)
        let form = OrganisationForm(
            name: organisation.name, slug: organisation.slug, language: organisation.defaultLanguage,
            attachment_max_mb: String(organisation.attachmentMaxMebibytes),
            attachment_families: organisation.attachmentFamilies.split(separator: ",").map(String.init),
            retention_months: String(organisation.retentionMonths),
            remind_acknowledgement_days: String(organisation.remindAcknowledgementDays),
            remind_feedback_days: String(organisation.remindFeedbackDays), registers_gender: organisation.registersGender ? "on" : nil,
            job_groups: organisation.jobGroups, locations: organisation.locations)
        return try await render(req, organisation: organisation, form: form, errors: [])
    }

    func update(req: Request) async throws -> Response {
        let organisation = try await find(req)
        let form = req.form(OrganisationForm.self, orEmpty: OrganisationForm())
        let (values, errors) = try await validate(form, excluding: organisation.id, on: req)
        guard let values, errors.isEmpty else {
            return try await render(req, organisation: organisation, form: form, errors: errors, status: .unprocessableEntity)
        }
        let oldTerms = [organisation.remindAcknowledgementDays, organisation.remindFeedbackDays]
        organisation.name = values.name
        organisation.slug = values.slug.value
        organisation.defaultLanguage = values.language.code
        organisation.attachmentMaxMebibytes = values.maximum
        organisation.attachmentFamilies = values.families
        (organisation.retentionMonths, organisation.remindAcknowledgementDays, organisation.remindFeedbackDays) = values.terms
        (organisation.registersGender, organisation.jobGroups, organisation.locations) = values.breakdowns
        let termsChanged = oldTerms != [organisation.remindAcknowledgementDays, organisation.remindFeedbackDays]
        try await req.db.transaction { db in
            try await organisation.save(on: db)
            // The queue's deadline tier starts at the reminder term: move every case of the organisation.
            if termsChanged, let id = organisation.id { try await WorkQueueStore.refresh(organisationID: id, on: db) }
        }
        req.setNotice("admin.notice.organisation_saved")
        return req.redirect(to: Endpoint.admin.path())
    }

    // MARK: - Helpers

    private func find(_ req: Request) async throws -> Organisation {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let organisation = try await Organisation.find(id, on: req.db)
        else { throw PageError.notFound }
        return organisation
    }

    private func validate(
        _ form: OrganisationForm, excluding id: UUID?, on req: Request
    ) async throws -> (
        (
            name: String, slug: Slug, language: Language, maximum: Int, families: String, terms: (Int, Int, Int),
            breakdowns: (Bool, String, String)
        )?, [FieldError]
    ) {
        var errors: [FieldError] = []
        let name = (form.name ?? "").cleanedInput
        if name.isEmpty { errors.append(FieldError(field: "name", key: "admin.organisation.error.name_required")) }
        if name.count > 120 { errors.append(FieldError(field: "name", key: "admin.organisation.error.name_long")) }
        let slug = Slug(form.slug ?? "")
        if slug == nil { errors.append(FieldError(field: "slug", key: "admin.organisation.error.slug_invalid")) }
        if let slug, let existing = try await Organisation.query(on: req.db).filter(\.$slug == slug.value).first(), existing.id != id {
            errors.append(FieldError(field: "slug", key: "admin.organisation.error.slug_taken"))
        }
        let language = Language(rawValue: form.language ?? "")
        if language == nil { errors.append(FieldError(field: "language", key: "admin.organisation.error.language")) }
        let maximum = Int((form.attachment_max_mb ?? String(AttachmentPolicy.defaultMaximumMebibytes)).trimmingCharacters(in: .whitespaces))
        if !(maximum.map { (1...AttachmentPolicy.largestMaximumMebibytes).contains($0) } ?? false) {
            errors.append(FieldError(field: "attachment_max_mb", key: "admin.organisation.error.attachment_size"))
        }
        // No family ticked means no attachments at all: allowed, for organisations that want text only.
        let families = FileFormat.Family.allCases.map(\.rawValue).filter { (form.attachment_families ?? []).contains($0) }
        // Missing fields (an older form) keep the defaults; present ones must be whole numbers in range.
        let raw = [form.retention_months, form.remind_acknowledgement_days, form.remind_feedback_days]
        var terms: [Int] = []
        for ((field, fallback, range), value) in zip(Self.terms, raw) {
            let number = Int((value ?? String(fallback)).trimmingCharacters(in: .whitespaces))
            if let number, range.contains(number) {
                terms.append(number)
            } else {
                errors.append(FieldError(field: field, key: "admin.organisation.error.\(field)"))
            }
        }
        // Optional breakdowns: lists of at most 30 lines of at most 80 characters, stored cleaned.
        var lists: [String] = []
        for (field, text) in [("job_groups", form.job_groups), ("locations", form.locations)] {
            if let categories = OptionalBreakdown.categories(from: text ?? "") {
                lists.append(categories.joined(separator: "\n"))
            } else {
                errors.append(FieldError(field: field, key: "admin.organisation.error.breakdown_list"))
            }
        }
        guard errors.isEmpty, let slug, let language, let maximum, terms.count == 3, lists.count == 2 else { return (nil, errors) }
        return (
            (
                name, slug, language, maximum, families.joined(separator: ","), (terms[0], terms[1], terms[2]),
                (form.registers_gender == "on", lists[0], lists[1])
            ), []
        )
    }

    private func render(
        _ req: Request, organisation: Organisation?, form: OrganisationForm, errors: [FieldError], status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let isNew = organisation == nil
        var articles: [ArticleRow] = []
        if let organisation, let id = organisation.id {
            articles = try await OrganisationArticle.query(on: req.db).filter(\.$organisation.$id == id).sort(\.$language).sort(\.$title)
                .all()
                .map {
                    ArticleRow(
                        title: $0.title, language: $0.language,
                        editHref: Endpoint.adminArticleEdit.path(id, $0.id?.uuidString ?? ""))
                }
        }
        let context = FormContext(
            shell: PageShell(
                req, page: "admin-organisation", titleKey: isNew ? "admin.organisation.new.title" : "admin.organisation.edit.title",
                publicPage: false),
            csrf: req.csrfToken(),
            action: isNew ? Endpoint.adminOrganisations.path() : Endpoint.adminOrganisation.path(organisation?.id?.uuidString ?? ""),
            isNew: isNew, name: form.name ?? "", slug: form.slug ?? "", language: form.language ?? "nl",
            attachmentMaxMebibytes: form.attachment_max_mb ?? "", largestMaximum: AttachmentPolicy.largestMaximumMebibytes,
            families: FileFormat.Family.allCases.map {
                FormOption(
                    value: $0.rawValue, labelKey: "attachment.family.\($0.rawValue)",
                    checked: (form.attachment_families ?? []).contains($0.rawValue))
            },
            retentionMonths: form.retention_months ?? "", remindAcknowledgementDays: form.remind_acknowledgement_days ?? "",
            remindFeedbackDays: form.remind_feedback_days ?? "", registersGender: form.registers_gender == "on",
            jobGroups: form.job_groups ?? "", locations: form.locations ?? "",
            errors: FormErrors(errors),
            articles: articles, hasArticles: !articles.isEmpty,
            newArticleHref: organisation?.id.map { Endpoint.adminNewArticle.path($0) })
        return try await req.render("admin/organisation-form", context, status: status)
    }
}
