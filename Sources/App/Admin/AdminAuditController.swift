import Fluent
import Vapor
import VertrouwdCore

/// `/admin/audit`: the audit log for the platform admin — who did what, to which case number, and
/// whether the hash chain is intact. Entries carry no content, so nothing here reveals a case.
struct AdminAuditController: RouteCollection {
    static let pageSize = 200

    struct EntryRow: Encodable {
        let sequence: Int
        let time: String
        let actor: String
        let actionKey: String
        let caseRef: String
    }

    struct AuditContext: Encodable {
        let shell: PageShell
        let intact: Bool
        let problem: String?
        let total: Int
        let rows: [EntryRow]
        let hasRows: Bool
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.adminAudit, use: list)
    }

    func list(req: Request) async throws -> Response {
        let problem = try await req.audit.verify()
        let total = try await AuditEvent.query(on: req.db).count()
        let events = try await AuditEvent.query(on: req.db).sort(\.$sequence, .descending).limit(Self.pageSize).all()
        let names = try await req.auditActorNames(events.map(\.actor))
        let rows = events.map {
            EntryRow(
                sequence: $0.sequence, time: req.formatted($0.at), actor: names[$0.actor] ?? req.t("audit.actor.unknown"),
                actionKey: "audit.action.\($0.action)", caseRef: String($0.caseID.prefix(8)))
        }
        let context = AuditContext(
            shell: PageShell(req, page: "admin-audit", titleKey: "audit.title", publicPage: false), intact: problem == nil,
            problem: problem.map(AuditCommand.describe), total: total, rows: rows, hasRows: !rows.isEmpty)
        return try await req.render("admin/audit", context)
    }
}
