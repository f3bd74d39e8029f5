import Fluent
import Vapor
import VertrouwdCore

/// Setting unwanted cases (a bot, a flood) aside, putting them back, and removing them all at once.
/// Only the counsellor's own cases; only clear columns change, so no key is needed to mark, and
/// removal deletes rows whose content nobody needs to read.
struct UnwantedCasesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let backoffice = routes.grouped(RequireRole(.counsellor))
        backoffice.post("backoffice", "cases", "flag", use: flag)
        backoffice.post("backoffice", "cases", "remove-flagged", use: removeFlagged)
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
            return req.redirect(to: "/backoffice")
        }
        let flagging = form.action != "unflag"
        try await CaseRecord.query(on: req.db).filter(\.$id ~~ chosen).set(\.$flaggedAt, to: flagging ? req.now : nil).update()
        req.logger.info(
            "cases marked", metadata: ["action": .string(flagging ? "flag" : "unflag"), "count": .stringConvertible(chosen.count)])
        req.setNotice(flagging ? "backoffice.notice.flagged" : "backoffice.notice.unflagged")
        return req.redirect(to: "/backoffice")
    }

    /// Removes every case this counsellor marked as unwanted, with everything in it, after a confirmation.
    func removeFlagged(req: Request) async throws -> Response {
        guard let accountID = req.staffAccount?.id else { throw PageError.loginRequired }
        let form = req.form(FlagForm.self, orEmpty: FlagForm())
        guard form.confirm == "on" else {
            req.setNotice("backoffice.notice.confirm_remove")
            return req.redirect(to: "/backoffice#flagged-title")
        }
        let mine = try await BackofficeController.caseIDs(of: accountID, on: req.db)
        guard !mine.isEmpty else { return req.redirect(to: "/backoffice") }
        let flagged = try await CaseRecord.query(on: req.db).filter(\.$id ~~ mine).filter(\.$flaggedAt != nil).all()
        try await req.db.transaction { db in
            for record in flagged { try await record.delete(on: db) }
        }
        req.logger.info("cases removed", metadata: ["action": "remove-flagged", "count": .stringConvertible(flagged.count)])
        req.setNotice("backoffice.notice.removed")
        return req.redirect(to: "/backoffice")
    }
}
