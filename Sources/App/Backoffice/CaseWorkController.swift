import Fluent
import Vapor
import VertrouwdCore

/// The counsellor's own record of a case: private notes (versioned, never overwritten), the consent
/// log, referrals (only with the person's recorded consent) and the retaliation signal. Everything is
/// encrypted case content; only the counsellors with the case's key can read it.
struct CaseWorkController: RouteCollection {
    struct NoteForm: Content {
        var thread: String?
        var note: String?
    }

    struct ConsentForm: Content {
        var consent_kind: String?
        var consent_event: String?
    }

    struct ReferralForm: Content {
        var referral_to: String?
        var referral_note: String?
    }

    struct SignalForm: Content {
        var signal: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        let counsellor = routes.grouped(RequireRole(.counsellor))
        counsellor.post(.caseNotes, use: note)
        counsellor.post(.caseConsent, use: consent)
        counsellor.post(.caseReferral, use: referral)
        counsellor.post(.caseSignal, use: signal)
    }

    /// A new note, or a new version of one (same thread).
    func note(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        let form = req.form(NoteForm.self, orEmpty: NoteForm())
        let text = (form.note ?? "").cleanedInput
        var errors: [FieldError] = []
        if text.isEmpty { errors.append(FieldError(field: "note", key: "note.error.required")) }
        if text.count > NoteEntry.maximumLength { errors.append(FieldError(field: "note", key: "note.error.long")) }
        guard errors.isEmpty else {
            return try await CasePage(req: req, opened: opened).render(errors: errors, status: .unprocessableEntity)
        }
        let thread = form.thread.flatMap(UUID.init(uuidString:)) ?? UUID()
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        try await req.audited(.caseNote, caseID: opened.caseID) { db in
            try await vault.append(encoding: NoteEntry(thread: thread, text: text), field: .note, author: .counsellor, to: opened, on: db)
        }
        req.setNotice("note.notice.saved")
        return req.redirect(to: Endpoint.casePage.path(opened.caseID, anchor: "notes-title"))
    }

    /// What the person agreed to (or took back) in conversation, recorded with the time.
    func consent(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        let form = req.form(ConsentForm.self, orEmpty: ConsentForm())
        guard let kind = form.consent_kind.flatMap(ConsentKind.init(rawValue:)),
            let event = form.consent_event.flatMap(ConsentEventKind.init(rawValue:)), [.given, .withdrawn].contains(event),
            CaseLifecycle.allows(.recordConsent, to: opened.record.lifecycleState())
        else {
            return try await CasePage(req: req, opened: opened).render(
                errors: [FieldError(field: "consent_kind", key: "consent.error.choice")], status: .unprocessableEntity)
        }
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        try await req.audited(.caseConsent, caseID: opened.caseID) { db in
            try await vault.append(
                encoding: ConsentEvent(event: event, kind: kind), field: .consent, author: .counsellor, to: opened, on: db)
        }
        req.setNotice("consent.notice.saved")
        return req.redirect(to: Endpoint.casePage.path(opened.caseID, anchor: "consent-title"))
    }

    /// A referral, allowed only while the person's consent to referral stands; the case becomes "referred".
    func referral(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        let form = req.form(ReferralForm.self, orEmpty: ReferralForm())
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        let events = try await vault.contents(of: opened).decoded(ConsentEvent.self, .consent).map(\.value)
        var errors: [FieldError] = []
        if ConsentEvent.states(events)[.referral] != true {
            errors.append(FieldError(field: "referral_to", key: "referral.error.consent"))
        }
        let target = form.referral_to.flatMap(ReferralTarget.init(rawValue:))
        if target == nil { errors.append(FieldError(field: "referral_to", key: "referral.error.choice")) }
        let note = (form.referral_note ?? "").cleanedInput
        if note.count > ReferralEntry.maximumNote { errors.append(FieldError(field: "referral_note", key: "note.error.long")) }
        if !CaseLifecycle.allows(.refer, to: opened.record.lifecycleState()) {
            errors.append(FieldError(field: "referral_to", key: "case.error.ended"))
        }
        guard errors.isEmpty, let target else {
            return try await CasePage(req: req, opened: opened).render(errors: errors, status: .unprocessableEntity)
        }
        let record = opened.record
        try record.apply(.refer, by: .counsellor, now: req.now)
        try await req.db.transaction { db in
            try await vault.append(
                encoding: ReferralEntry(to: target, note: note), field: .referral, author: .counsellor, to: opened, on: db)
            try await record.save(on: db)
        }
        try await req.audit(.caseReferral, caseID: opened.caseID)
        req.setNotice("referral.notice.saved")
        return req.redirect(to: Endpoint.casePage.path(opened.caseID, anchor: "referrals-title"))
    }

    /// Switches the retaliation (benadeling) signal on or off.
    func signal(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        let on = req.form(SignalForm.self, orEmpty: SignalForm()).signal == "on"
        let vault = CaseVault(services: req.vertrouwd, db: req.db)
        try await req.audited(.caseSignal, caseID: opened.caseID) { db in
            try await vault.append(encoding: SignalEntry(on: on), field: .signal, author: .counsellor, to: opened, on: db)
        }
        req.setNotice(on ? "signal.notice.on" : "signal.notice.off")
        return req.redirect(to: Endpoint.casePage.path(opened.caseID))
    }
}
