import Fluent
import Vapor
import VertrouwdCore

/// Takes a new contact or formal report in: the case, everything the person wrote, the files, the
/// journal entries they brought, who it is about and the submission mark are stored together or not
/// at all. The controller decodes, validates and throttles; this stores; the controller renders.
struct CaseIntake {
    let services: VertrouwdServices
    let db: any Database

    /// Journal entries (and their files) the person chose to bring, read from their open journal.
    struct SharedJournal {
        let journalID: UUID
        let entries: [SharedJournalEntry]
        let files: [AttachmentEnvelope]
    }

    /// Everything a valid form holds, already checked.
    struct Submission {
        let organisationID: UUID
        let kind: CaseKind
        let counsellorID: UUID
        let answers: FormAnswers
        let identity: PersonIdentity?
        let message: String
        let files: [AttachmentPolicy.Accepted]
        let notify: EmailAddress?
        let party: NamedParty
        let journal: SharedJournal?
        /// The digest of the form's one-time token: a second post of the same form makes no second case.
        let submissionDigest: String
        /// The language the form was filled in.
        let language: Language
    }

    enum Outcome {
        case stored(caseID: UUID, receipt: Receipt)
        /// The same form was sent before (a double tap, a reload, or two posts at once).
        case alreadySent
    }

    func alreadySent(_ submissionDigest: String) async throws -> Bool {
        try await CaseSubmission.query(on: db).filter(\.$digest == submissionDigest).first() != nil
    }

    /// The slow part (the receipt's key derivation) runs before the transaction is opened.
    /// `alsoStore` writes in the same transaction what belongs with the case (the flood counts), so
    /// a stored case is always counted and one commit makes both durable.
    func store(
        _ submission: Submission, alsoStore: @escaping @Sendable (any Database) async throws -> Void = { _ in }
    ) async throws -> Outcome {
        let vault = CaseVault(services: services, db: db)
        let matcher = PartyMatcher(services: services, db: db)
        let prepared = try await vault.prepareCase(
            organisationID: submission.organisationID, kind: submission.kind, counsellorIDs: [submission.counsellorID])
        let opened = prepared.opened
        opened.record.waitingSince = services.clock.now
        opened.record.language = submission.language.code
        if let address = submission.notify {
            opened.record.notifyAddress = try NotifyAddress.seal(address, caseID: opened.caseID, services: services)
        }
        do {
            try await db.transaction { db in
                try await vault.store(prepared, on: db)
                try await vault.append(encoding: submission.answers, field: .form, author: .person, to: opened, on: db)
                if let identity = submission.identity {
                    try await vault.append(encoding: identity, field: .identity, author: .person, to: opened, on: db)
                }
                try await vault.append(submission.message, field: .message, author: .person, to: opened, on: db)
                try await vault.append(attachments: submission.files, author: .person, to: opened, on: db)
                if let journal = submission.journal {
                    try await share(journal, into: opened, vault: vault, on: db)
                    try await matcher.markPerson(
                        journalID: journal.journalID, caseID: opened.caseID, organisationID: submission.organisationID, on: db)
                }
                if !submission.party.isEmpty {
                    try await vault.append(encoding: submission.party, field: .party, author: .person, to: opened, on: db)
                    try await matcher.store(submission.party, caseID: opened.caseID, organisationID: submission.organisationID, on: db)
                }
                try await CaseSubmission(digest: submission.submissionDigest, caseID: opened.caseID).create(on: db)
                try await alsoStore(db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two identical posts raced: the other one made the case, this one stored nothing.
            return .alreadySent
        }
        return .stored(caseID: opened.caseID, receipt: prepared.receipt)
    }

    private func share(_ journal: SharedJournal, into opened: CaseVault.OpenedCase, vault: CaseVault, on db: any Database) async throws {
        guard !journal.entries.isEmpty else { return }
        for entry in journal.entries {
            try await vault.append(encoding: entry, field: .journal, author: .person, to: opened, on: db)
        }
        for file in journal.files {
            try await vault.append(try file.encoded(), field: .attachment, author: .person, to: opened, on: db)
        }
        try await vault.append(encoding: ConsentEvent(event: .journalShared), field: .consent, author: .person, to: opened, on: db)
    }
}
