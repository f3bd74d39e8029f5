import Fluent
import Vapor
import VertrouwdCore

/// What an organisation contact (management, HR) sees: released yearly reports, and nothing else.
struct ManagementController: RouteCollection {
    struct ReportLink: Encodable {
        let year: Int
        let version: Int
        let href: String
        let releasedOn: String
        let isCorrection: Bool
    }

    struct OrganisationReports: Encodable {
        let name: String
        let reports: [ReportLink]
        let hasReports: Bool
    }

    struct ManagementContext: Encodable {
        let shell: PageShell
        let organisations: [OrganisationReports]
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(RequireRole(.organisationContact)).get(.management, use: overview)
    }

    /// Per organisation, the latest released version of each year (earlier versions are linked from
    /// the report itself).
    func overview(req: Request) async throws -> Response {
        var organisations: [OrganisationReports] = []
        for organisation in try await req.memberOrganisations() {
            let released = try await YearlyReport.query(on: req.db).filter(\.$organisation.$id == organisation.requireID())
                .filter(\.$status == YearlyReport.Status.released.rawValue).sort(\.$year, .descending).sort(\.$version, .descending).all()
            var seen = Set<Int>()
            let latest = released.filter { seen.insert($0.year).inserted }
            let links = latest.map { report in
                ReportLink(
                    year: report.year, version: report.version, href: Endpoint.releasedReport.path(report.id?.uuidString ?? ""),
                    releasedOn: req.formatted(report.releasedAt), isCorrection: report.version > 1)
            }
            organisations.append(OrganisationReports(name: organisation.name, reports: links, hasReports: !links.isEmpty))
        }
        let context = ManagementContext(
            shell: PageShell(req, page: "management", titleKey: "management.title", publicPage: false), organisations: organisations)
        return try await req.render("management", context)
    }
}
