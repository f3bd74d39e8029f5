import Fluent
import Vapor
import VertrouwdCore

/// `/account/profile`: a counsellor writes what people see before they choose them — an
/// introduction and how and when to reach them (Dutch and English), the languages they speak, and
/// an optional photo.
struct ProfileController: RouteCollection {
    struct ProfileForm: Content {
        var introduction_nl: String?
        var introduction_en: String?
        var availability_nl: String?
        var availability_en: String?
        var languages: [String]?
        var photo: File?
        var remove_photo: String?
    }

    struct LanguageChoice: Encodable {
        let code: String
        let name: String
        let checked: Bool
    }

    struct FormContext: Encodable {
        let shell: PageShell
        let csrf: String
        let introductionDutch: String
        let introductionEnglish: String
        let availabilityDutch: String
        let availabilityEnglish: String
        let languages: [LanguageChoice]
        let hasPhoto: Bool
        let photoPath: String
        let maximumText: Int
        let photoProblems: [UploadedFiles.Problem]
        let hasPhotoProblems: Bool
        let errors: FormErrors
    }

    /// Photos: JPEG or PNG only (what every browser shows), at most 2 MiB, metadata removed.
    static let photoPolicy = AttachmentPolicy(maximumMebibytes: 2, families: [.image])

    func boot(routes: any RoutesBuilder) throws {
        let counsellor = routes.grouped(RequireRole(.counsellor))
        counsellor.get(.profile, use: show)
        counsellor.post(.profile, use: save)
        counsellor.get(.profilePhoto, use: ownPhoto)
    }

    func show(req: Request) async throws -> Response {
        let profile = try await Self.profile(of: req)
        return try await render(req, profile: profile, errors: [], problems: [])
    }

    func save(req: Request) async throws -> Response {
        let profile = try await Self.profile(of: req)
        let form = req.form(ProfileForm.self, orEmpty: ProfileForm())
        profile.introductionDutch = (form.introduction_nl ?? "").cleanedInput
        profile.introductionEnglish = (form.introduction_en ?? "").cleanedInput
        profile.availabilityDutch = (form.availability_nl ?? "").cleanedInput
        profile.availabilityEnglish = (form.availability_en ?? "").cleanedInput
        let known = Set(CounsellorProfile.spokenLanguages.map(\.code))
        profile.languages = CounsellorProfile.spokenLanguages.map(\.code).filter {
            (form.languages ?? []).contains($0) && known.contains($0)
        }
        .joined(separator: ",")
        var errors: [FieldError] = []
        for (field, text) in [
            ("introduction_nl", profile.introductionDutch), ("introduction_en", profile.introductionEnglish),
            ("availability_nl", profile.availabilityDutch), ("availability_en", profile.availabilityEnglish),
        ] where text.count > CounsellorProfile.maximumText {
            errors.append(FieldError(field: field, key: "profile.error.too_long"))
        }
        var problems: [UploadedFiles.Problem] = []
        var newPhoto: AttachmentPolicy.Accepted?
        if let photo = form.photo, !UploadedFiles.chosen([photo]).isEmpty {
            let checked = UploadedFiles([photo], policy: Self.photoPolicy)
            problems = checked.problems
            if let accepted = checked.accepted.first {
                if [.jpeg, .png].contains(accepted.format) {
                    newPhoto = accepted
                } else {
                    problems.append(UploadedFiles.Problem(name: accepted.name, key: "profile.error.photo_format", limit: ""))
                }
            }
            if !problems.isEmpty { errors.append(FieldError(field: "photo", key: "profile.error.photo")) }
        }
        guard errors.isEmpty else {
            return try await render(req, profile: profile, errors: errors, problems: problems, status: .unprocessableEntity)
        }
        if let newPhoto {
            profile.photo = Data(newPhoto.bytes)
            profile.photoFormat = newPhoto.format.rawValue
        } else if form.remove_photo == "on" {
            profile.photo = nil
            profile.photoFormat = nil
        }
        try await profile.save(on: req.db)
        req.setNotice("profile.notice.saved")
        return req.redirect(to: Endpoint.profile.path())
    }

    /// The counsellor's own photo, for the preview on this page.
    func ownPhoto(req: Request) async throws -> Response {
        let profile = try await Self.profile(of: req)
        return try CounsellorsController.photoResponse(profile)
    }

    /// The signed-in counsellor's profile, made empty on first use (not stored until saved).
    static func profile(of req: Request) async throws -> CounsellorProfile {
        guard let accountID = req.staffAccount?.id else { throw PageError.loginRequired }
        return try await CounsellorProfile.query(on: req.db).filter(\.$account.$id == accountID).first()
            ?? CounsellorProfile(accountID: accountID)
    }

    private func render(
        _ req: Request, profile: CounsellorProfile, errors: [FieldError], problems: [UploadedFiles.Problem],
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let chosen = Set(profile.languageCodes)
        let context = FormContext(
            shell: PageShell(req, page: "profile", titleKey: "profile.title", publicPage: false), csrf: req.csrfToken(),
            introductionDutch: profile.introductionDutch, introductionEnglish: profile.introductionEnglish,
            availabilityDutch: profile.availabilityDutch, availabilityEnglish: profile.availabilityEnglish,
            languages: CounsellorProfile.spokenLanguages.map {
                LanguageChoice(code: $0.code, name: $0.name, checked: chosen.contains($0.code))
            },
            hasPhoto: profile.photo != nil && profile.id != nil, photoPath: Endpoint.profilePhoto.path(),
            maximumText: CounsellorProfile.maximumText,
            photoProblems: problems, hasPhotoProblems: !problems.isEmpty, errors: FormErrors(errors))
        return try await req.render("profile", context, status: status)
    }
}
