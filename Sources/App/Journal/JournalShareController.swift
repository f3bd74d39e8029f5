import Fluent
import Vapor
import VertrouwdCore

/// Sharing journal entries with a counsellor: the person names the case by its receipt, chooses
/// entries (or all), and optionally keeps sharing new ones. Each entry is copied into the case,
/// encrypted under the case's key like everything in it; the share is recorded in the case's consent
/// log, and stopping it is recorded there too.
struct JournalShareController: RouteCollection {
    struct ShareForm: Content {
        var receipt: String?
        var entries: [String]?
        var all: String?
        var keep: String?
        var caseRef: String?
    }

    struct Choice: Encodable {
        let id: String
        let date: String
        let what: String
    }

    struct ActiveShare: Encodable {
        let caseRef: String
        let shortRef: String
    }

    struct ShareContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let csrf: String
        let choices: [Choice]
        let hasChoices: Bool
        let active: [ActiveShare]
        let hasActive: Bool
        let errors: FormErrors
        let minutes: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.journalShare, use: show)
        routes.post(.journalShare, use: share)
        routes.post(.journalShareStop, use: stop)
    }

    func show(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        return try await render(req, organisation, errors: [])
    }

    func share(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let opened = try req.requireJournal()
        let form = req.form(ShareForm.self, orEmpty: ShareForm())
        let contents = try await req.journalVault.contents(of: opened)
        let chosenIDs = Set((form.entries ?? []).compactMap(UUID.init(uuidString:)))
        let chosen = contents.entries.filter { form.all == "on" || chosenIDs.contains($0.id) }
        guard !chosen.isEmpty || form.keep == "on" else {
            return try await render(
                req, organisation, errors: [FieldError(field: "entries", key: "journal.share.error.none")], status: .unprocessableEntity)
        }
        let typed = (form.receipt ?? "").cleanedInput
        let opening = try await ReceiptGate(request: req).open(typed)
        guard case .opened(let caseOpened) = opening, caseOpened.record.$organisation.id == organisation.id else {
            if case .throttled(let until) = opening {
                return try await render(
                    req, organisation, errors: [FieldError(field: "receipt", key: "inbox.error.throttled")],
                    minutes: ThrottleStore.minutes(until: until, now: req.now), status: .tooManyRequests)
            }
            return try await render(
                req, organisation, errors: [FieldError(field: "receipt", key: "journal.share.error.receipt")], status: .unprocessableEntity)
        }
        guard !caseOpened.record.status.isEnded else {
            return try await render(
                req, organisation, errors: [FieldError(field: "receipt", key: "journal.share.error.ended")], status: .conflict)
        }
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        let journalVault = req.journalVault
        let receipt = Receipt(typed: typed)?.canonical ?? ""
        let keep = form.keep == "on"
        // The entries' files are opened before the transaction (which holds the only SQLite connection).
        var files: [UUID: [AttachmentEnvelope]] = [:]
        for item in chosen { files[item.id] = try await journalVault.files(contents.files(of: item.id), of: opened) }
        let envelopes = files
        let matcher = PartyMatcher(services: req.vertrouwd, db: req.db)
        try await req.db.transaction { db in
            // One journal in two cases: one person's, never a match between them.
            try await matcher.markPerson(
                journalID: opened.id, caseID: caseOpened.caseID, organisationID: caseOpened.record.$organisation.id, on: db)
            for item in chosen {
                try await vault.append(encoding: Self.shared(item.latest), field: .journal, author: .person, to: caseOpened, on: db)
                for envelope in envelopes[item.id] ?? [] {
                    try await vault.append(try envelope.encoded(), field: .attachment, author: .person, to: caseOpened, on: db)
                }
            }
            try await vault.append(
                encoding: ConsentEvent(event: keep ? .journalSharedOngoing : .journalShared), field: .consent, author: .person,
                to: caseOpened, on: db)
            if keep {
                try await journalVault.append(
                    JournalRecord(kind: .share, caseID: caseOpened.caseID, receipt: receipt, at: req.now), to: opened, on: db)
            }
            try await req.audit.record(.person, .journalShare, caseID: caseOpened.caseID, on: db)
        }
        await req.notifyCounsellors(of: caseOpened.caseID, template: "new-message")
        req.setNotice("journal.notice.shared")
        return req.redirect(to: try req.journalPath(.journalShare))
    }

    /// Stops a standing share: later entries stay in the journal only. What was shared stays in the case.
    func stop(req: Request) async throws -> Response {
        _ = try await req.organisationFromPath()
        let opened = try req.requireJournal()
        let form = req.form(ShareForm.self, orEmpty: ShareForm())
        let contents = try await req.journalVault.contents(of: opened)
        guard let caseID = form.caseRef.flatMap(UUID.init(uuidString:)), let share = contents.shares.first(where: { $0.caseID == caseID })
        else { throw PageError.notFound }
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        let caseOpened = try await Receipt(typed: share.receipt).asyncMap { try await vault.open(receipt: $0) } ?? nil
        let journalVault = req.journalVault
        let now = req.now
        try await req.db.writeTransaction { db in
            try await journalVault.append(JournalRecord(kind: .shareStopped, caseID: caseID, at: now), to: opened, on: db)
            if let caseOpened {
                try await vault.append(
                    encoding: ConsentEvent(event: .journalShareStopped), field: .consent, author: .person, to: caseOpened, on: db)
            }
        }
        req.setNotice("journal.notice.share_stopped")
        return req.redirect(to: try req.journalPath(.journalShare))
    }

    static func shared(_ version: JournalVault.Version) -> SharedJournalEntry {
        SharedJournalEntry(
            entryID: version.entryID, version: version.version, entry: version.entry, writtenAt: version.link.writtenAt,
            digest: version.link.digest, confirmed: version.confirmed)
    }

    /// After a new entry or version: copies it to every case with a standing share.
    static func shareLater(
        _ req: Request, entryID: UUID, version: Int, shares: [(caseID: UUID, receipt: String)]
    ) async throws {
        guard !shares.isEmpty, let opened = req.openJournal else { return }
        let contents = try await req.journalVault.contents(of: opened)
        guard let saved = contents.versions.last(where: { $0.entryID == entryID && $0.version == version }) else { return }
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        // Files saved with this version (stored right after it) go along; opened once for every share.
        let files = try await req.journalVault.files(
            contents.files(of: entryID).filter { $0.sequence > saved.itemSequence }, of: opened)
        for share in shares {
            guard let receipt = Receipt(typed: share.receipt), let caseOpened = try await vault.open(receipt: receipt),
                !caseOpened.record.status.isEnded
            else { continue }
            try await vault.append(encoding: shared(saved), field: .journal, author: .person, to: caseOpened)
            for envelope in files {
                try await vault.append(try envelope.encoded(), field: .attachment, author: .person, to: caseOpened)
            }
            await req.notifyCounsellors(of: share.caseID, template: "new-message")
        }
    }

    private func render(
        _ req: Request, _ organisation: Organisation, errors: [FieldError], minutes: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let opened = try req.requireJournal()
        let contents = try await req.journalVault.contents(of: opened)
        let choices = contents.entries.sorted { $0.entry.date > $1.entry.date }.map {
            Choice(id: $0.id.uuidString, date: $0.entry.day.map(req.formattedDay) ?? $0.entry.date, what: String($0.entry.what.prefix(80)))
        }
        let active = contents.shares.map { ActiveShare(caseRef: $0.caseID.uuidString, shortRef: String($0.caseID.uuidString.prefix(8))) }
        let context = ShareContext(
            shell: PageShell(req, page: "journal-share", titleKey: "journal.share.title", publicPage: true),
            portal: PortalHeader(organisation), csrf: req.csrfToken(), choices: choices,
            hasChoices: !choices.isEmpty, active: active, hasActive: !active.isEmpty, errors: FormErrors(errors), minutes: minutes)
        return try await req.render("journal/share", context, status: status)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
