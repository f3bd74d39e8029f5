import Fluent
import Vapor
import VertrouwdCore

extension Request {
    /// The organisations the signed-in staff member belongs to (serves as counsellor, or is the
    /// contact of), by name.
    func memberOrganisations() async throws -> [Organisation] {
        guard let accountID = staffAccount?.id else { throw PageError.loginRequired }
        return try await OrganisationMembership.query(on: db).filter(\.$account.$id == accountID).with(\.$organisation).all()
            .map(\.organisation).sorted { $0.name < $1.name }
    }

    /// The organisation in the path (`:slug`), if the staff member belongs to it; otherwise 404.
    func memberOrganisationFromPath() async throws -> Organisation {
        let slug = parameters.get("slug") ?? ""
        guard let organisation = try await memberOrganisations().first(where: { $0.slug == slug }) else { throw PageError.notFound }
        return organisation
    }

    /// The year in the path: a whole year from 2000 up to this one.
    func reportYearFromPath() throws -> Int {
        let current = FormalReportDeadlines.calendar.component(.year, from: now)
        guard let year = parameters.get("year", as: Int.self), (2000...current).contains(year) else { throw PageError.notFound }
        return year
    }

    /// A released report by id (`:id`), for a member of its organisation; otherwise 404.
    func releasedReportFromPath() async throws -> (YearlyReport, Organisation) {
        guard let id = parameters.get("id", as: UUID.self), let report = try await YearlyReport.find(id, on: db), report.isReleased,
            let organisation = try await memberOrganisations().first(where: { $0.id == report.$organisation.id })
        else { throw PageError.notFound }
        return (report, organisation)
    }
}
