import Fluent
import Vapor
import VertrouwdCore

/// `POST /backoffice/cases/:id/match`: the case's counsellor confirms that their person may be told
/// of a match. When both counsellors have, both people are told (and nudged, if they left an address).
struct MatchController: RouteCollection {
    struct ConfirmForm: Content {
        var match: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(RequireRole(.counsellor)).post(.caseMatch, use: confirm)
    }

    func confirm(req: Request) async throws -> Response {
        let opened = try await req.counsellorCase()
        let form = req.form(ConfirmForm.self, orEmpty: ConfirmForm())
        let base = Endpoint.casePage.path(opened.caseID)
        guard let matchID = form.match.flatMap(UUID.init(uuidString:)) else { return req.redirect(to: base) }
        let told = try await PartyMatcher(services: req.vertrouwd, db: req.db).confirm(matchID, for: opened.caseID)
        if let accountID = req.staffAccount?.id {
            try await req.audit.record(.staff(accountID), .matchConfirm, caseID: opened.caseID)
        }
        await req.notifyPeople(matchedWith: told)
        req.setNotice(told.isEmpty ? "match.notice.confirmed" : "match.notice.told")
        return req.redirect(to: base)
    }
}
