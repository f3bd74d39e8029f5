import Fluent
import Vapor
import VertrouwdCore

/// `/o/:slug/logboek`: starting, opening, closing, backing up, importing and deleting a person's
/// private journal. No account: the key phrase (or an own strong passphrase) is the only key.
/// The journal lives under the organisation's portal for the person's convenience, but belongs to
/// no organisation: nothing about it reaches a counsellor, management or the yearly report unless
/// the person shares entries with a case.
struct JournalController: RouteCollection {
    struct StartForm: Content {
        var mode: String?
        var passphrase: String?
        var passphrase_confirm: String?
        var phrase: String?
        var saved: String?
        var confirm: String?
        var backup: File?
    }

    struct StartContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let breadcrumbs: [Breadcrumb]
        let csrf: String
        let closedNotice: Bool
        let minimumLength: Int
        let errors: FormErrors
        let minutes: String?
    }

    struct PhraseContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let csrf: String
        let phrase: String
        let errors: FormErrors
    }

    /// A backup: the journal's id and its items exactly as stored (ciphertext), nothing in clear.
    struct Backup: Content {
        struct Item: Codable {
            let sequence: Int
            let ciphertext: String
            var file: Bool? = nil
        }

        let format: String
        let journal: UUID
        let items: [Item]

        static let formatName = "vertrouwd-journal-backup-v1"
    }

    /// Wrong phrases: a few free, then waiting, per client (like receipts).
    static let guesses = ThrottlePolicy(freeAttempts: 10, firstDelay: 30, maximumDelay: 15 * 60, memory: 24 * 60 * 60)

    /// Every place a phrase is tried (open, import, a taken own phrase) counts against one per-client key.
    static func guessThrottle(_ req: Request) -> (ThrottleStore, [String]) {
        let throttle = ThrottleStore(request: req, policy: guesses)
        return (throttle, [throttle.clientKey(purpose: "journal-open")])
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.journal, use: start)
        routes.post(.journalCreate, use: create)
        routes.post(.journalPhraseSaved, use: phraseSaved)
        routes.post(.journalOpen, use: open)
        routes.post(.journalClose, use: close)
        routes.post(.journalDelete, use: delete)
        routes.get(.journalBackup, use: backup)
        routes.post(.journalImport, use: importBackup)
    }

    func start(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        if req.openJournal != nil { return req.redirect(to: try req.journalPath(.journalTimeline)) }
        return try await renderStart(req, organisation, errors: [])
    }

    func create(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let form = req.form(StartForm.self, orEmpty: StartForm())
        let generated = form.mode != "own"
        // An own phrase that turns out to be taken is a guess at someone's journal: counted like one.
        let (throttle, keys) = Self.guessThrottle(req)
        if !generated, let until = try await throttle.blockedUntil(keys) {
            return try await renderStart(
                req, organisation, errors: [FieldError(field: "passphrase", key: "journal.error.throttled")],
                minutes: ThrottleStore.minutes(until: until, now: req.now), status: .tooManyRequests)
        }
        let phrase: String
        if generated {
            phrase = Receipt.generate(using: req.vertrouwd.random).description
        } else {
            let typed = (form.passphrase ?? "").cleanedInput
            var errors = PassphrasePolicy.problems(typed).map { FieldError(field: "passphrase", key: $0) }
            if JournalKey.normalise(typed) != JournalKey.normalise((form.passphrase_confirm ?? "").cleanedInput) {
                errors.append(FieldError(field: "passphrase_confirm", key: "journal.passphrase.mismatch"))
            }
            guard errors.isEmpty else { return try await renderStart(req, organisation, errors: errors, status: .unprocessableEntity) }
            phrase = typed
        }
        let opened: JournalVault.Opened
        do {
            opened = try await req.journalVault.create(phrase: phrase)
        } catch JournalVault.Failure.phraseInUse {
            try await throttle.recordAttempt(keys)
            return try await renderStart(
                req, organisation, errors: [FieldError(field: "passphrase", key: "journal.passphrase.taken")], status: .unprocessableEntity)
        }
        try await req.rememberJournal(opened)
        req.logger.info("journal started")
        guard generated else {
            req.setNotice("journal.notice.started")
            return req.redirect(to: try req.journalPath(.journalTimeline))
        }
        return try await renderPhrase(req, organisation, phrase: phrase, errors: [])
    }

    /// Leaving the key-phrase page needs a confirmation, like the receipt.
    func phraseSaved(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let form = req.form(StartForm.self, orEmpty: StartForm())
        guard req.openJournal != nil else { return req.redirect(to: try req.journalPath(.journal)) }
        guard form.saved == "on" else {
            return try await renderPhrase(
                req, organisation, phrase: Receipt(typed: form.phrase ?? "")?.description ?? "",
                errors: [FieldError(field: "saved", key: "journal.error.confirm_saved")], status: .unprocessableEntity)
        }
        req.setNotice("journal.notice.started")
        return req.redirect(to: try req.journalPath(.journalTimeline))
    }

    func open(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let phrase = (req.form(StartForm.self, orEmpty: StartForm()).phrase ?? "").cleanedInput
        guard !phrase.isEmpty else {
            return try await renderStart(
                req, organisation, errors: [FieldError(field: "phrase", key: "journal.error.phrase_required")], status: .unprocessableEntity
            )
        }
        let (throttle, keys) = Self.guessThrottle(req)
        if let until = try await throttle.blockedUntil(keys) {
            return try await renderStart(
                req, organisation, errors: [FieldError(field: "phrase", key: "journal.error.throttled")],
                minutes: ThrottleStore.minutes(until: until, now: req.now), status: .tooManyRequests)
        }
        guard let opened = try await req.journalVault.open(phrase: phrase) else {
            try await throttle.recordAttempt(keys)
            return try await renderStart(
                req, organisation, errors: [FieldError(field: "phrase", key: "journal.error.unknown")], status: .notFound)
        }
        try await throttle.recordSuccess(keys)
        try await req.rememberJournal(opened)
        return req.redirect(to: try req.journalPath(.journalTimeline))
    }

    func close(req: Request) async throws -> Response {
        _ = try await req.organisationFromPath()
        try await req.forgetJournal()
        req.setNotice("journal.notice.closed")
        return req.redirect(to: try req.journalPath(.journal))
    }

    /// Everything, at once and for good, after a confirmation.
    func delete(req: Request) async throws -> Response {
        _ = try await req.organisationFromPath()
        let opened = try req.requireJournal()
        guard req.form(StartForm.self, orEmpty: StartForm()).confirm == "on" else {
            req.setNotice("journal.notice.confirm_delete")
            return req.redirect(to: try req.journalPath(.journalTimeline, anchor: "delete"))
        }
        try await req.journalVault.delete(opened)
        try await req.forgetJournal()
        req.logger.info("journal deleted")
        req.setNotice("journal.notice.deleted")
        return req.redirect(to: try req.journalPath(.journal))
    }

    /// The journal's ciphertext as a file: useless without the phrase, importable with it.
    func backup(req: Request) async throws -> Response {
        _ = try await req.organisationFromPath()
        let opened = try req.requireJournal()
        let items = try await JournalItem.query(on: req.db).filter(\.$journal.$id == opened.id).sort(\.$sequence).all()
        let backup = Backup(
            format: Backup.formatName, journal: opened.id,
            items: items.map { Backup.Item(sequence: $0.sequence, ciphertext: $0.ciphertext.base64EncodedString(), file: $0.isFile) })
        let response = Response(status: .ok, body: .init(data: try JSONEncoder().encode(backup)))
        response.headers.contentType = .json
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"logboek-backup.json\"")
        return response
    }

    /// A backup back in: every item must open with the phrase before anything is stored.
    func importBackup(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let form = req.form(StartForm.self, orEmpty: StartForm())
        func refuse(_ key: String, _ status: HTTPResponseStatus = .unprocessableEntity) async throws -> Response {
            try await renderStart(req, organisation, errors: [FieldError(field: "backup", key: key)], status: status)
        }
        guard var file = form.backup?.data, let bytes = file.readBytes(length: file.readableBytes),
            let backup = try? JSONDecoder().decode(Backup.self, from: Data(bytes)), backup.format == Backup.formatName,
            !backup.items.isEmpty
        else { return try await refuse("journal.error.backup_file") }
        let (throttle, keys) = Self.guessThrottle(req)
        if try await throttle.blockedUntil(keys) != nil { return try await refuse("journal.error.throttled", .tooManyRequests) }
        let key = try await req.journalVault.derive((form.phrase ?? "").cleanedInput)
        var items: [JournalItem] = []
        for (index, item) in backup.items.sorted(by: { $0.sequence < $1.sequence }).enumerated() {
            guard item.sequence == index + 1, let data = Data(base64Encoded: item.ciphertext),
                (try? key.open(Array(data), journalID: backup.journal, sequence: item.sequence)) != nil
            else {
                try await throttle.recordAttempt(keys)
                return try await refuse("journal.error.backup_phrase")
            }
            items.append(
                JournalItem(journalID: backup.journal, sequence: item.sequence, ciphertext: Array(data), isFile: item.file ?? false))
        }
        let lookup = key.lookupDigest(instanceSecret: req.vertrouwd.instanceSecret.bytes)
        let sameID = try await Journal.find(backup.journal, on: req.db)
        let samePhrase = try await Journal.query(on: req.db).filter(\.$lookup == lookup).first()
        if sameID != nil || samePhrase != nil { return try await refuse("journal.error.backup_exists", .conflict) }
        let journal = Journal(id: backup.journal, lookup: lookup)
        let toStore = items
        try await req.db.transaction { db in
            try await journal.create(on: db)
            for item in toStore { try await item.create(on: db) }
        }
        try await req.rememberJournal(JournalVault.Opened(id: backup.journal, key: key))
        req.setNotice("journal.notice.imported")
        return req.redirect(to: try req.journalPath(.journalTimeline))
    }

    // MARK: - Pages

    private func renderStart(
        _ req: Request, _ organisation: Organisation, errors: [FieldError], minutes: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let portal = PortalHeader(organisation)
        let context = StartContext(
            shell: PageShell(req, page: "journal-start", titleKey: "journal.title", publicPage: true), portal: portal,
            breadcrumbs: [Breadcrumb(label: organisation.name, href: portal.base), Breadcrumb(label: req.t("journal.title"), href: nil)],
            csrf: req.csrfToken(), closedNotice: req.query[String.self, at: "gesloten"] == "1",
            minimumLength: PassphrasePolicy.minimumLength, errors: FormErrors(errors), minutes: minutes)
        return try await req.render("journal/start", context, status: status)
    }

    private func renderPhrase(
        _ req: Request, _ organisation: Organisation, phrase: String, errors: [FieldError], status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let context = PhraseContext(
            shell: PageShell(req, page: "journal-phrase", titleKey: "journal.phrase.title", publicPage: true),
            portal: PortalHeader(organisation),
            csrf: req.csrfToken(), phrase: phrase, errors: FormErrors(errors))
        return try await req.render("journal/phrase", context, status: status)
    }
}
