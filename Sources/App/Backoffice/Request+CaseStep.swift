import Fluent
import Vapor
import VertrouwdCore

extension Request {
    /// A counsellor's lifecycle step that changes only the case's clear columns: applied (a refused
    /// one answers 404), saved with its audit entry in one transaction, told in a notice, and back to
    /// the case page.
    func takeStep(
        _ action: CaseAction, on opened: CaseVault.OpenedCase, audit: AuditAction, notice: String, detail: String = "",
        isRegistered: Bool = false
    ) async throws -> Response {
        let record = opened.record
        try record.apply(action, by: .counsellor, isRegistered: isRegistered, now: now)
        try await audited(audit, caseID: opened.caseID, detail: detail) { db in try await record.save(on: db) }
        setNotice(notice)
        return redirect(to: Endpoint.casePage.path(opened.caseID))
    }
}
