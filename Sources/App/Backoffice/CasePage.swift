import Fluent
import Vapor
import VertrouwdCore

/// The case page of the back office, put together from the decrypted content: conversation, notes,
/// consent log, referrals, the retaliation signal, registration, access and the case's audit trail.
/// Every form on it posts to its own route and comes back here, with errors when it was refused.
struct CasePage {
    struct Fact: Encodable {
        let labelKey: String
        let value: String
    }

    struct NoteVersion: Encodable {
        let text: String
        let time: String
    }

    struct NoteView: Encodable {
        let thread: String
        let text: String
        let time: String
        let earlier: [NoteVersion]
        let isEdited: Bool
    }

    struct ConsentView: Encodable {
        let textKey: String
        let kindKey: String
        let hasKind: Bool
        let time: String
        let byPerson: Bool
    }

    struct ConsentState: Encodable {
        let kindKey: String
        let given: Bool
    }

    struct ReferralView: Encodable {
        let targetKey: String
        let note: String
        let hasNote: Bool
        let time: String
    }

    struct AccessView: Encodable {
        let id: String
        let name: String
        let isYou: Bool
    }

    struct HistoryView: Encodable {
        let time: String
        let actor: String
        let actionKey: String
    }

    struct RegistrationForm: Encodable {
        let exists: Bool
        let kinds: [FormOption]
        let otherParties: [FormOption]
        let patterns: [FormOption]
        let outcomes: [FormOption]
        let contacts: String
        let hours: String
        /// The optional breakdowns the organisation switched on.
        let optional: [OptionalQuestion]
    }

    struct OptionalChoice: Encodable {
        let id: String
        let value: String
        let label: String
        let checked: Bool
    }

    struct OptionalQuestion: Encodable {
        let field: String
        let legendKey: String
        let choices: [OptionalChoice]
    }

    /// Raw values of the registration form, for showing it again after an error.
    struct RegistrationValues {
        var kinds: [String]
        var otherParty: String?
        var pattern: String?
        var outcomes: [String]
        var contacts: String
        var hours: String
        /// Form field → chosen category.
        var optional: [String: String] = [:]
    }

    struct Context: Encodable {
        let shell: PageShell
        let csrf: String
        let caseID: String
        let organisationName: String
        let kindKey: String
        let status: String
        let statusKey: String
        let isEnded: Bool
        let created: String
        let deadlines: [DeadlineView]
        let hasDeadlines: Bool
        let canAcknowledge: Bool
        let canRecordFeedback: Bool
        let facts: [Fact]
        let kinds: [String]
        let identityName: String?
        let identityContact: String?
        let messages: [ConversationItem]
        let message: String
        let attachments: AttachmentFieldView
        let notes: [NoteView]
        let hasNotes: Bool
        let consents: [ConsentView]
        let hasConsents: Bool
        let consentStates: [ConsentState]
        let consentKinds: [FormOption]
        let referralAllowed: Bool
        let referrals: [ReferralView]
        let hasReferrals: Bool
        let referralTargets: [FormOption]
        let signalOn: Bool
        let journalEntries: [JournalEntryView]
        let hasJournalEntries: Bool
        let registration: RegistrationForm
        let access: [AccessView]
        let canShareWith: [AccessView]
        let hasCanShareWith: Bool
        let history: [HistoryView]
        let purgeDate: String?
        /// Other cases of the organisation that name the same person (never which, nor what they hold).
        let matches: [CaseMatchView]
        let hasMatches: Bool
        let errors: FormErrors
    }

    let req: Request
    let opened: CaseVault.OpenedCase

    func render(
        draft: String = "", errors: [FieldError] = [], files: UploadedFiles = UploadedFiles(),
        registrationValues: RegistrationValues? = nil,
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        // The one write before the page: matches missed when a case was stored are found at the next
        // look. `CaseFile` itself only reads.
        try await PartyMatcher(services: req.vertrouwd, db: req.db).findMatches(
            of: opened.caseID, organisationID: opened.record.$organisation.id)
        let file = try await CaseFile.Query(services: req.vertrouwd, db: req.db).load(opened)
        let record = file.record
        let caseID = opened.caseID
        let contents = file.contents
        let answers = contents.decoded(FormAnswers.self, .form).last?.value
        let identity = contents.decoded(PersonIdentity.self, .identity).last?.value
        var facts: [Fact] = []
        if let answers {
            facts.append(Fact(labelKey: "case.fact.identity", value: req.t("contact.identity.\(answers.identity)")))
            facts.append(Fact(labelKey: "case.fact.channel", value: req.t("contact.channel.\(answers.channel)")))
            if let urgency = answers.urgency, FormAnswers.urgencies.contains(urgency) {
                facts.append(Fact(labelKey: "case.fact.urgency", value: req.t("contact.urgency.\(urgency)")))
            }
        }
        for party in contents.decoded(NamedParty.self, .party).map(\.value) {
            let role = [party.role, party.team].filter { !$0.isEmpty }.joined(separator: ", ")
            let summary = [party.name, party.email, role].filter { !$0.isEmpty }.joined(separator: " · ")
            facts.append(Fact(labelKey: "case.fact.party", value: summary))
        }

        // Notes: the latest text of each thread, with the earlier versions under it.
        var threads: [UUID: [(CaseVault.DecryptedContent, NoteEntry)]] = [:]
        var order: [UUID] = []
        for decoded in contents.decoded(NoteEntry.self, .note) {
            let note = decoded.value
            if threads[note.thread] == nil { order.append(note.thread) }
            threads[note.thread, default: []].append((decoded.item, note))
        }
        let notes = order.reversed().compactMap { thread -> NoteView? in
            guard let versions = threads[thread], let latest = versions.last else { return nil }
            return NoteView(
                thread: thread.uuidString, text: latest.1.text, time: req.formatted(latest.0.createdAt),
                earlier: versions.dropLast().reversed().map { NoteVersion(text: $0.1.text, time: req.formatted($0.0.createdAt)) },
                isEdited: versions.count > 1)
        }

        let consentEvents = contents.decoded(ConsentEvent.self, .consent)
        let consents = consentEvents.map { decoded in
            let event = decoded.value
            return ConsentView(
                textKey: event.event.translationKey, kindKey: event.kind.map { $0.translationKey } ?? "",
                hasKind: event.kind != nil, time: req.formatted(decoded.item.createdAt), byPerson: decoded.item.author == .person)
        }
        let states = ConsentEvent.states(consentEvents.map(\.value))
        let referrals = contents.decoded(ReferralEntry.self, .referral).map { decoded in
            ReferralView(
                targetKey: decoded.value.to.translationKey, note: decoded.value.note, hasNote: !decoded.value.note.isEmpty,
                time: req.formatted(decoded.item.createdAt))
        }
        let signalOn = contents.decoded(SignalEntry.self, .signal).last?.value.on ?? false
        // Journal entries the person shared: the latest version of each, as they wrote it.
        var sharedLatest: [UUID: SharedJournalEntry] = [:]
        var sharedOrder: [UUID] = []
        for shared in contents.decoded(SharedJournalEntry.self, .journal).map(\.value) {
            if sharedLatest[shared.entryID] == nil { sharedOrder.append(shared.entryID) }
            if (sharedLatest[shared.entryID]?.version ?? 0) <= shared.version { sharedLatest[shared.entryID] = shared }
        }
        let journalEntries = sharedOrder.compactMap { sharedLatest[$0] }.sorted { $0.entry.date < $1.entry.date }.map {
            JournalEntryView.make(
                $0.entryID, $0.entry, versions: $0.version, writtenAt: $0.writtenAt, confirmed: $0.confirmed ?? false, req: req)
        }

        let organisation = file.organisation
        let existing = file.registration
        let values =
            registrationValues
            ?? RegistrationValues(
                kinds: existing?.kinds.split(separator: ",").map(String.init) ?? answers?.kinds ?? [],
                otherParty: existing?.otherParty, pattern: existing?.pattern,
                outcomes: existing?.outcomes.split(separator: ",").map(String.init) ?? [],
                contacts: existing.map { String($0.contacts) } ?? String(max(1, contents.filter { $0.field == .message }.count / 2)),
                hours: existing?.registration?.hours(decimalSeparator: req.language == .dutch ? "," : ".") ?? "",
                optional: Dictionary(uniqueKeysWithValues: (existing?.optional ?? [:]).map { ($0.key.formField, $0.value) }))
        func options(_ all: [String], prefix: String, chosen: [String]) -> [FormOption] {
            all.map { FormOption(value: $0, labelKey: "\(prefix).\($0)", checked: chosen.contains($0)) }
        }
        let registration = RegistrationForm(
            exists: existing != nil, kinds: options(Kind.allCases.map(\.rawValue), prefix: "kind", chosen: values.kinds),
            otherParties: options(
                Registration.OtherParty.allCases.map(\.rawValue), prefix: "registration.party", chosen: [values.otherParty ?? ""]),
            patterns: options(
                Registration.Pattern.allCases.map(\.rawValue), prefix: "registration.pattern", chosen: [values.pattern ?? ""]),
            outcomes: options(Registration.Outcome.allCases.map(\.rawValue), prefix: "registration.outcome", chosen: values.outcomes),
            contacts: values.contacts, hours: values.hours,
            optional: organisation.map { Self.optionalQuestions($0, chosen: values.optional, req: req) } ?? [])
        let you = req.staffAccount?.id
        let access = file.holders.map { AccessView(id: $0.id?.uuidString ?? "", name: $0.displayName, isYou: $0.id == you) }
            .sorted { $0.name < $1.name }
        let canShareWith = file.shareable.map { AccessView(id: $0.id?.uuidString ?? "", name: $0.displayName, isYou: false) }

        let names = try await req.auditActorNames(file.history.map(\.actor))
        let history = file.history.map {
            HistoryView(
                time: req.formatted($0.at), actor: names[$0.actor] ?? req.t("audit.actor.unknown"), actionKey: "audit.action.\($0.action)")
        }

        let state = record.lifecycleState()
        let matches = file.matches
        let context = Context(
            shell: PageShell(req, page: "case", titleKey: "case.title", publicPage: false), csrf: req.csrfToken(),
            caseID: caseID.uuidString, organisationName: organisation?.name ?? "",
            kindKey: record.kind.translationKey, status: record.status.rawValue, statusKey: record.status.translationKey,
            isEnded: record.status.isEnded, created: req.formatted(record.receivedAt ?? record.createdAt),
            deadlines: DeadlineView.list(for: record, on: req), hasDeadlines: record.kind == .formalReport,
            canAcknowledge: CaseLifecycle.allows(.acknowledge, to: state),
            canRecordFeedback: CaseLifecycle.allows(.recordFeedback, to: state),
            facts: facts, kinds: (answers?.kinds ?? []).map { req.t("kind.\($0)") }, identityName: identity?.name,
            identityContact: identity.flatMap { $0.contact.isEmpty ? nil : $0.contact },
            messages: ConversationItem.list(contents, on: req), message: draft,
            attachments: AttachmentFieldView(
                req, policy: organisation?.attachmentPolicy ?? AttachmentPolicy(), problems: files.problems,
                reselect: !files.problems.isEmpty),
            notes: notes, hasNotes: !notes.isEmpty, consents: consents, hasConsents: !consents.isEmpty,
            consentStates: ConsentKind.allCases.map { ConsentState(kindKey: $0.translationKey, given: states[$0] ?? false) },
            consentKinds: options(ConsentKind.allCases.map(\.rawValue), prefix: "consent.kind", chosen: []),
            referralAllowed: states[.referral] ?? false, referrals: referrals, hasReferrals: !referrals.isEmpty,
            referralTargets: options(ReferralTarget.allCases.map(\.rawValue), prefix: "referral.to", chosen: []), signalOn: signalOn,
            journalEntries: journalEntries, hasJournalEntries: !journalEntries.isEmpty,
            registration: registration, access: access, canShareWith: canShareWith, hasCanShareWith: !canShareWith.isEmpty,
            history: history,
            purgeDate: record.endedAt.map { req.formattedDay((organisation?.retention ?? RetentionPolicy()).purgeDate(endedAt: $0)) },
            matches: matches, hasMatches: !matches.isEmpty,
            errors: FormErrors(errors))
        return try await req.render("backoffice-case", context, status: status)
    }
}

extension Request {
    /// The case in the path, opened with the signed-in counsellor's own unlocked key. A case not
    /// sealed to them answers 404, exactly like one that does not exist.
    ///
    /// The counsellor must also still serve the case's organisation: one who was taken off it keeps
    /// only the hand-over page, to pass the cases on.
    func counsellorCase() async throws -> CaseVault.OpenedCase {
        guard let id = parameters.get("id").flatMap(UUID.init(uuidString:)), let accountID = staffAccount?.id, let key = counsellorKey
        else { throw PageError.notFound }
        let opened: CaseVault.OpenedCase
        do {
            opened = try await CaseVault(services: vertrouwd, db: db).open(caseID: id, counsellorID: accountID, privateKey: key)
        } catch is CaseVault.Failure {
            throw PageError.notFound
        }
        let serves = try await OrganisationMembership.query(on: db).filter(\.$account.$id == accountID)
            .filter(\.$organisation.$id == opened.record.$organisation.id).filter(\.$counsellorKind != nil).first()
        guard serves != nil else { throw PageError.notFound }
        return opened
    }
}
