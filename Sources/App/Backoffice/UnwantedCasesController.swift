import Fluent
import Vapor
import VertrouwdCore

/// Setting unwanted cases (a bot, a flood) aside, putting them back, and removing them all at once.
/// Only the counsellor's own cases; only clear columns change, so no key is needed to mark, and
/// removal deletes rows whose content nobody needs to read.
struct UnwantedCasesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let backoffice = routes.grouped(RequireRole(.counsellor))
        backoffice.post(.flagCases, use: flag)
        backoffice.post(.removeFlagged, use: removeFlagged)
    }

    struct FlagForm: Content {
        var cases: [String]?
        var action: String?
        var confirm: String?
    }

    /// Marks (or unmarks) the ticked cases as unwanted. Only clear columns change; no key is needed.
    func flag(req: Request) async throws -> Response {
        guard let accountID = req.staffAccount?.id else { throw PageError.loginRequired }
        let form = req.form(FlagForm.self, orEmpty: FlagForm())
        let mine = try await BackofficeController.caseIDs(of: accountID, on: req.db)
        let chosen = Set((form.cases ?? []).compactMap(UUID.init(uuidString:))).intersection(mine)
        guard !chosen.isEmpty else {
            req.setNotice("backoffice.notice.none_chosen")
            return req.redirect(to: Endpoint.backoffice.path())
        }
        let flagging = form.action != "unflag"
        let now = req.now
        try await req.db.transaction { db in
            try await CaseRecord.query(on: db).filter(\.$id ~~ chosen).set(\.$flaggedAt, to: flagging ? now : nil).update()
            try await WorkQueueStore.refresh(chosen, on: db)
        }
        req.logger.info(
            "cases marked", metadata: ["action": .string(flagging ? "flag" : "unflag"), "count": .stringConvertible(chosen.count)])
        req.setNotice(flagging ? "backoffice.notice.flagged" : "backoffice.notice.unflagged")
        return req.redirect(to: Endpoint.backoffice.path())
    }

    /// Removes the cases this counsellor set aside, after a confirmation — each through the same
    /// destruction as the retention purge, with an audit entry. A case someone already worked on (a
    /// counsellor wrote in it, or it is registered) is not unwanted: it stays, and the page says so.
    func removeFlagged(req: Request) async throws -> Response {
        guard let accountID = req.staffAccount?.id else { throw PageError.loginRequired }
        let form = req.form(FlagForm.self, orEmpty: FlagForm())
        guard form.confirm == "on" else {
            req.setNotice("backoffice.notice.confirm_remove")
            return req.redirect(to: Endpoint.backoffice.path(anchor: "flagged-title"))
        }
        let mine = try await BackofficeController.caseIDs(of: accountID, on: req.db)
        guard !mine.isEmpty else { return req.redirect(to: Endpoint.backoffice.path()) }
        let flagged = try await CaseRecord.query(on: req.db).filter(\.$id ~~ mine).filter(\.$flaggedAt != nil).all()
        let purger = CasePurger(services: req.vertrouwd, db: req.db, logger: req.logger)
        var removed = 0
        for record in flagged {
            guard let caseID = record.id else { continue }
            let gone = try await purger.destroy(caseID, action: .caseRemove, actor: .staff(accountID)) { record, db in
                guard record.flaggedAt != nil else { return false }
                let worked = try await CaseContent.query(on: db).filter(\.$caseRecord.$id == caseID).filter(\.$author == .counsellor)
                    .first()
                let registered = try await CaseRegistration.query(on: db).filter(\.$caseID == caseID).first()
                return worked == nil && registered == nil
            }
            if gone { removed += 1 }
        }
        if removed > 0 { try await purger.scrub() }
        req.logger.info("cases removed", metadata: ["action": "remove-flagged", "count": .stringConvertible(removed)])
        req.setNotice(removed == flagged.count ? "backoffice.notice.removed" : "backoffice.notice.some_kept")
        return req.redirect(to: Endpoint.backoffice.path())
    }
}
