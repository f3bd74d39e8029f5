import Fluent
import Vapor
import VertrouwdCore

/// Everything the counsellor's case page shows, read with the counsellor's own key. It only reads:
/// matching (a write) runs in `CasePage.render` before it loads the file. `CasePage` turns it into the
/// page in the reader's language; a test can load it without HTTP.
struct CaseFile {
    let record: CaseRecord
    /// Everything the counsellor's keys open, oldest first.
    let contents: [CaseVault.DecryptedContent]
    let organisation: Organisation?
    let registration: CaseRegistration?
    /// The counsellors who hold the case's key.
    let holders: [StaffAccount]
    /// The organisation's counsellors who may be given the case and do not have it yet, in the
    /// organisation's order.
    let shareable: [StaffAccount]
    /// The case's latest audit entries, newest first.
    let history: [AuditEvent]
    /// Other cases of the organisation that name the same person (never which, nor what they hold).
    let matches: [CaseMatchView]

    static let historyShown = 50

    struct Query {
        let services: VertrouwdServices
        let db: any Database

        func load(_ opened: CaseVault.OpenedCase) async throws -> CaseFile {
            let record = opened.record
            let caseID = opened.caseID
            let organisationID = record.$organisation.id
            let holderIDs = Set(
                try await CaseKeyGrant.query(on: db).filter(\.$caseRecord.$id == caseID).filter(\.$recipientKind == "counsellor").all()
                    .compactMap { $0.$counsellor.id })
            let eligible = try await CaseRecipients.ids(for: record, on: db)
            let serving = try await OrganisationCounsellors.list(organisationID: organisationID, on: db)
            return CaseFile(
                record: record,
                contents: try await CaseVault(services: services, db: db).contents(of: opened),
                organisation: try await Organisation.find(organisationID, on: db),
                registration: try await CaseRegistration.query(on: db).filter(\.$caseID == caseID).first(),
                holders: holderIDs.isEmpty ? [] : try await StaffAccount.query(on: db).filter(\.$id ~~ holderIDs).all(),
                shareable: serving.map(\.account).filter { account in
                    account.id.map { !holderIDs.contains($0) && eligible.contains($0) } ?? false
                },
                history: try await AuditEvent.query(on: db).filter(\.$caseID == caseID.uuidString).sort(\.$sequence, .descending)
                    .limit(CaseFile.historyShown).all(),
                matches: try await PartyMatcher(services: services, db: db).caseViews(for: caseID))
        }
    }
}
