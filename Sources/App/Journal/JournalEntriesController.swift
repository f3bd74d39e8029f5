import Fluent
import Vapor
import VertrouwdCore

/// The open journal's pages: the timeline with filters, writing an entry (an edit is a new version),
/// and the pattern summary. Export and sharing have their own controllers.
struct JournalEntriesController: RouteCollection {
    struct EntryForm: Content {
        var entry: String?
        var date: String?
        var time_precision: String?
        var time: String?
        var place: String?
        var people: String?
        var witnesses: String?
        var what: String?
        var effect: String?
        var kinds: [String]?
        var evidence: String?
        var attachments: [File]?
    }

    struct Filter: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct TimelineContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let csrf: String
        let entries: [JournalEntryView]
        let hasEntries: Bool
        let total: Int
        let oldestFirst: Bool
        let people: [Filter]
        let hasPeople: Bool
        let kinds: [Filter]
        let filtered: Bool
        let shares: Int
    }

    struct FormContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let csrf: String
        let entryID: String
        let isEdit: Bool
        let date: String
        let precisions: [FormOption]
        let time: String
        let place: String
        let people: String
        let witnesses: String
        let what: String
        let effect: String
        let evidence: String
        let kinds: [FormOption]
        let knownNames: [String]
        let attachments: AttachmentFieldView
        let existingFiles: [JournalFileView]
        let hasExistingFiles: Bool
        let errors: FormErrors
    }

    struct SummaryContext: Encodable {
        struct Count: Encodable {
            let label: String
            let count: Int
        }

        let shell: PageShell
        let portal: PortalHeader
        let csrf: String
        let patternKey: String
        let count: Int
        let first: String
        let last: String
        let spanDays: Int
        let perWeek: String?
        let recurring: [Count]
        let hasRecurring: Bool
        let kinds: [Count]
        let hasKinds: Bool
        let suggestsHelp: Bool
    }

    static let maximumText = 10_000

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.journalTimeline, use: timeline)
        routes.get(.journalEntry, use: newEntry)
        routes.get(.journalEntryEdit, use: editEntry)
        routes.post(.journalEntry, use: save)
        routes.get(.journalFile, use: file)
        routes.get(.journalPattern, use: summary)
    }

    func timeline(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let opened = try req.requireJournal()
        let contents = try await req.journalVault.contents(of: opened)
        let oldestFirst = req.query[String.self, at: "volgorde"] == "oud"
        // The filter names a person by a short digest, so no name ends up in an address or history.
        let person = req.query[String.self, at: "persoon"] ?? ""
        let kind = req.query[String.self, at: "soort"].flatMap(Kind.init(rawValue:))
        var entries = contents.entries.sorted { ($0.entry.date, $0.entry.time) < ($1.entry.date, $1.entry.time) }
        if !oldestFirst { entries.reverse() }
        let shown = entries.filter { item in
            (person.isEmpty || (item.entry.people + item.entry.witnesses).contains { Self.personRef($0) == person })
                && (kind.map(item.entry.kinds.contains) ?? true)
        }
        var names: [String: String] = [:]
        for item in entries {
            for name in item.entry.people where names[PersonName.key(name)] == nil { names[PersonName.key(name)] = name }
        }
        let context = TimelineContext(
            shell: PageShell(req, page: "journal-timeline", titleKey: "journal.title", publicPage: true),
            portal: PortalHeader(organisation), csrf: req.csrfToken(),
            entries: shown.map {
                JournalEntryView.make(
                    $0.id, $0.entry, versions: $0.versions, writtenAt: $0.latest.link.writtenAt, files: contents.files(of: $0.id),
                    confirmed: $0.latest.confirmed, req: req)
            },
            hasEntries: !shown.isEmpty, total: entries.count, oldestFirst: oldestFirst,
            people: names.sorted { $0.value < $1.value }.map {
                Filter(value: Self.personRef($0.value), label: $0.value, selected: Self.personRef($0.value) == person)
            },
            hasPeople: !names.isEmpty,
            kinds: Kind.allCases.map { Filter(value: $0.rawValue, label: req.t("kind.\($0.rawValue)"), selected: $0 == kind) },
            filtered: !person.isEmpty || kind != nil, shares: contents.shares.count)
        return try await req.render("journal/timeline", context)
    }

    /// An opaque reference to a person's name for the timeline filter.
    static func personRef(_ name: String) -> String {
        String(JournalChain.contentDigest(Array(PersonName.key(name).utf8)).prefix(12))
    }

    func newEntry(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let opened = try req.requireJournal()
        let contents = try await req.journalVault.contents(of: opened)
        let today = JournalChain.timestamp(req.now).prefix(10)
        return try await render(
            req, organisation, contents: contents, form: EntryForm(date: String(today), time_precision: "unknown"), errors: [])
    }

    func editEntry(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let opened = try req.requireJournal()
        let contents = try await req.journalVault.contents(of: opened)
        guard let id = req.parameters.get("entry").flatMap(UUID.init(uuidString:)),
            let item = contents.entries.first(where: { $0.id == id })
        else { throw PageError.notFound }
        let entry = item.entry
        let form = EntryForm(
            entry: id.uuidString, date: entry.date, time_precision: entry.timePrecision.rawValue, time: entry.time, place: entry.place,
            people: entry.people.joined(separator: ", "), witnesses: entry.witnesses.joined(separator: ", "), what: entry.what,
            effect: entry.effect, kinds: entry.kinds.map(\.rawValue), evidence: entry.evidence)
        return try await render(req, organisation, contents: contents, form: form, errors: [])
    }

    func save(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let opened = try req.requireJournal()
        let form = req.form(EntryForm.self, orEmpty: EntryForm())
        let contents = try await req.journalVault.contents(of: opened)
        let (parsedEntry, parseErrors) = Self.parse(form)
        var errors = parseErrors
        let entryID = form.entry.flatMap(UUID.init(uuidString:))
        if let entryID, !contents.entries.contains(where: { $0.id == entryID }) { throw PageError.notFound }
        let files = UploadedFiles(form.attachments, policy: organisation.attachmentPolicy)
        errors += files.summaryErrors
        guard let parsed = parsedEntry, errors.isEmpty else {
            return try await render(
                req, organisation, contents: contents, form: form, errors: errors, files: files, status: .unprocessableEntity)
        }
        let (id, version) = try await req.journalVault.save(parsed, entryID: entryID, files: files.accepted, to: opened)
        // Standing shares take new entries (and new versions) along, each with the case's current key.
        do {
            try await JournalShareController.shareLater(req, entryID: id, version: version, shares: contents.shares)
        } catch {
            // The entry is safe in the journal; only the copy to the case failed. Say so; never lose the entry.
            req.logger.warning("journal share failed", metadata: ["error": .string(String(describing: type(of: error)))])
            req.setNotice("journal.notice.share_failed")
            return req.redirect(to: try req.journalPath(.journalTimeline))
        }
        req.setNotice(entryID == nil ? "journal.notice.saved" : "journal.notice.new_version")
        return req.redirect(to: try req.journalPath(.journalTimeline))
    }

    /// Checks what was typed; names are split on commas.
    static func parse(_ form: EntryForm) -> (JournalEntry?, [FieldError]) {
        var errors: [FieldError] = []
        let date = (form.date ?? "").cleanedInput
        let probe = JournalEntry(date: date, what: "")
        if probe.day == nil { errors.append(FieldError(field: "date", key: "journal.error.date")) }
        let precision = JournalEntry.TimePrecision(rawValue: form.time_precision ?? "") ?? .unknown
        let time = (form.time ?? "").cleanedInput
        if precision != .unknown, time.wholeMatch(of: /([01][0-9]|2[0-3]):[0-5][0-9]/) == nil {
            errors.append(FieldError(field: "time", key: "journal.error.time"))
        }
        let what = (form.what ?? "").cleanedInput
        if what.isEmpty { errors.append(FieldError(field: "what", key: "journal.error.what")) }
        let texts = [form.place, form.people, form.witnesses, form.what, form.effect, form.evidence].map { ($0 ?? "").cleanedInput }
        if texts.contains(where: { $0.count > maximumText }) { errors.append(FieldError(field: "what", key: "journal.error.too_long")) }
        guard errors.isEmpty else { return (nil, errors) }
        return (
            JournalEntry(
                date: date, timePrecision: precision, time: precision == .unknown ? "" : time, place: texts[0],
                people: JournalEntry.names(texts[1]), witnesses: JournalEntry.names(texts[2]), what: what, effect: texts[4],
                kinds: Kind.allCases.filter { (form.kinds ?? []).contains($0.rawValue) }, evidence: texts[5]), []
        )
    }

    /// A file of the open journal, as a download.
    func file(req: Request) async throws -> Response {
        _ = try await req.organisationFromPath()
        let opened = try req.requireJournal()
        guard let sequence = req.parameters.get("sequence").flatMap(Int.init),
            let envelope = try await req.journalVault.file(sequence, of: opened)
        else { throw PageError.notFound }
        return .download(envelope)
    }

    private func render(
        _ req: Request, _ organisation: Organisation, contents: JournalVault.Contents, form: EntryForm, errors: [FieldError],
        files: UploadedFiles = UploadedFiles(), status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let existing = form.entry.flatMap(UUID.init(uuidString:)).map { contents.files(of: $0) } ?? []
        let existingViews = JournalFileView.list(existing, req: req)
        var known: [String: String] = [:]
        for version in contents.versions {
            for name in version.entry.people + version.entry.witnesses { known[PersonName.key(name)] = known[PersonName.key(name)] ?? name }
        }
        let precision = form.time_precision ?? "unknown"
        let context = FormContext(
            shell: PageShell(req, page: "journal-entry", titleKey: "journal.entry.title", publicPage: true),
            portal: PortalHeader(organisation), csrf: req.csrfToken(), entryID: form.entry ?? "",
            isEdit: form.entry.flatMap(UUID.init(uuidString:)) != nil, date: form.date ?? "",
            precisions: JournalEntry.TimePrecision.allCases.map {
                FormOption(value: $0.rawValue, labelKey: "journal.time.\($0.rawValue)", checked: $0.rawValue == precision)
            },
            time: form.time ?? "", place: form.place ?? "", people: form.people ?? "", witnesses: form.witnesses ?? "",
            what: form.what ?? "",
            effect: form.effect ?? "", evidence: form.evidence ?? "",
            kinds: Kind.allCases.map {
                FormOption(value: $0.rawValue, labelKey: "kind.\($0.rawValue)", checked: (form.kinds ?? []).contains($0.rawValue))
            },
            knownNames: known.values.sorted(),
            attachments: AttachmentFieldView(
                req, policy: organisation.attachmentPolicy, problems: files.problems,
                reselect: !UploadedFiles.chosen(form.attachments).isEmpty),
            existingFiles: existingViews, hasExistingFiles: !existingViews.isEmpty, errors: FormErrors(errors))
        return try await req.render("journal/entry", context, status: status)
    }

    func summary(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let opened = try req.requireJournal()
        let contents = try await req.journalVault.contents(of: opened)
        let summary = JournalSummary(contents.entries.map(\.entry))
        let perWeek = summary.perWeek.map { value in
            value >= 1
                ? req.t(
                    "journal.summary.per_week",
                    String(format: "%.1f", value).replacingOccurrences(of: ".", with: req.language == .dutch ? "," : "."))
                : req.t(
                    "journal.summary.per_month",
                    String(format: "%.1f", value * 30 / 7).replacingOccurrences(of: ".", with: req.language == .dutch ? "," : "."))
        }
        let context = SummaryContext(
            shell: PageShell(req, page: "journal-summary", titleKey: "journal.summary.title", publicPage: true),
            portal: PortalHeader(organisation), csrf: req.csrfToken(),
            patternKey: "journal.pattern.\(summary.pattern.rawValue)",
            count: summary.count, first: summary.first.map(req.formattedDay) ?? "", last: summary.last.map(req.formattedDay) ?? "",
            spanDays: summary.spanDays, perWeek: perWeek,
            recurring: summary.recurring.map { SummaryContext.Count(label: $0.name, count: $0.count) },
            hasRecurring: !summary.recurring.isEmpty,
            kinds: summary.kinds.map { SummaryContext.Count(label: req.t("kind.\($0.kind.rawValue)"), count: $0.count) },
            hasKinds: !summary.kinds.isEmpty, suggestsHelp: summary.suggestsHelp)
        return try await req.render("journal/summary", context)
    }
}
