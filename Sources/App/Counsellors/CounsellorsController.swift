import Fluent
import Vapor
import VertrouwdCore

/// `/o/:slug/vertrouwenspersonen`: the counsellors who serve an organisation, as they present
/// themselves, so a person can choose freely; and what confidential means here, and where it ends.
struct CounsellorsController: RouteCollection {
    struct CounsellorView: Encodable {
        let id: String
        let name: String
        let initials: String
        let kindKey: String
        let receivesReports: Bool
        let languages: String
        let hasLanguages: Bool
        let introduction: String
        let hasIntroduction: Bool
        let availability: String
        let hasAvailability: Bool
        let photoPath: String?
        let contactHref: String
    }

    struct PageContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let breadcrumbs: [Breadcrumb]
        let counsellors: [CounsellorView]
        let hasCounsellors: Bool
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.counsellors, use: list)
        routes.get(.counsellorPhoto, use: photo)
    }

    func list(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        let portal = PortalHeader(organisation)
        let counsellors = try await Self.views(organisation, on: req)
        let context = PageContext(
            shell: PageShell(req, page: "counsellors", titleKey: "counsellors.title", publicPage: true), portal: portal,
            breadcrumbs: [
                Breadcrumb(label: organisation.name, href: portal.base), Breadcrumb(label: req.t("counsellors.title"), href: nil),
            ],
            counsellors: counsellors, hasCounsellors: !counsellors.isEmpty)
        return try await req.render("counsellors", context)
    }

    /// A counsellor's photo, only while they serve this organisation.
    func photo(req: Request) async throws -> Response {
        let organisation = try await req.organisationFromPath()
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
            try await OrganisationCounsellors.list(organisationID: organisation.requireID(), on: req.db).contains(where: {
                $0.account.id == id
            }),
            let profile = try await CounsellorProfile.query(on: req.db).filter(\.$account.$id == id).first()
        else { throw PageError.notFound }
        return try Self.photoResponse(profile)
    }

    static func photoResponse(_ profile: CounsellorProfile) throws -> Response {
        guard let photo = profile.photo, let format = profile.photoFormat.flatMap(FileFormat.init(rawValue:)) else {
            throw PageError.notFound
        }
        let response = Response(status: .ok, body: .init(data: photo))
        response.headers.replaceOrAdd(name: .contentType, value: format.mediaType)
        return response
    }

    /// The counsellors of an organisation with their profiles, in the page's language.
    static func views(_ organisation: Organisation, on req: Request) async throws -> [CounsellorView] {
        let entries = try await OrganisationCounsellors.list(organisationID: organisation.requireID(), on: req.db)
        let ids = entries.compactMap(\.account.id)
        let profiles = ids.isEmpty ? [] : try await CounsellorProfile.query(on: req.db).filter(\.$account.$id ~~ ids).all()
        let byAccount = Dictionary(profiles.map { ($0.$account.id, $0) }, uniquingKeysWith: { first, _ in first })
        let names = Dictionary(uniqueKeysWithValues: CounsellorProfile.spokenLanguages.map { ($0.code, $0.name) })
        let slug = organisation.slug
        return entries.map { entry in
            let id = entry.account.id?.uuidString ?? ""
            let profile = entry.account.id.flatMap { byAccount[$0] }
            let languages = (profile?.languageCodes ?? []).compactMap { names[$0] }.joined(separator: ", ")
            let introduction = profile?.introduction(in: req.language) ?? ""
            let availability = profile?.availability(in: req.language) ?? ""
            return CounsellorView(
                id: id, name: entry.account.displayName, initials: initials(entry.account.displayName),
                kindKey: "counsellor.kind.\(entry.kind.rawValue)", receivesReports: entry.receivesReports, languages: languages,
                hasLanguages: !languages.isEmpty, introduction: introduction, hasIntroduction: !introduction.isEmpty,
                availability: availability, hasAvailability: !availability.isEmpty,
                photoPath: profile?.photo == nil ? nil : Endpoint.counsellorPhoto.path(slug, id),
                contactHref: Endpoint.contact.path(slug) + "?vp=\(id)")
        }
    }

    /// "Anna de Vries" → "AV": first letters of the first and last word.
    static func initials(_ name: String) -> String {
        let words = name.split(separator: " ").filter { $0.first?.isUppercase ?? false }
        return [words.first, words.count > 1 ? words.last : nil].compactMap { $0?.first }.map(String.init).joined()
    }
}
