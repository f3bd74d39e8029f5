import Fluent
import Foundation
import Vapor
import VertrouwdCore

/// `vertrouwd demo`: a demo organisation with its staff, ready to log in to. Running it again changes
/// nothing but prints the same logins. The passwords are public: never run the demo on real data.
struct DemoSeeder {
    let app: Application

    struct DemoAccount {
        let email: String
        let name: String
        let role: StaffRole
        let password: String
        /// How the account serves the demo organisation.
        let membership: CounsellorKind??
    }

    static let organisationSlug = "voorbeeld"
    static let organisationName = "Voorbeeld BV"

    static let accounts = [
        DemoAccount(
            email: "beheer@vertrouwd.example", name: "Demo Beheerder", role: .admin,
            password: "demo-beheer-2026", membership: .none),
        DemoAccount(
            email: "anna.devries@voorbeeld.example", name: "Anna de Vries", role: .counsellor,
            password: "demo-anna-2026", membership: .some(.internal)),
        DemoAccount(
            email: "mehmet.yilmaz@praktijk.example", name: "Mehmet Yılmaz", role: .counsellor,
            password: "demo-mehmet-2026", membership: .some(.external)),
        DemoAccount(
            email: "hr@voorbeeld.example", name: "Team HR Voorbeeld", role: .organisationContact,
            password: "demo-hr-2026", membership: .some(nil)),
    ]

    func run() async throws {
        let services = app.vertrouwd
        let db = app.db
        let organisation: Organisation
        if let existing = try await Organisation.query(on: db).filter(\.$slug == Self.organisationSlug).first() {
            organisation = existing
        } else {
            organisation = Organisation(name: Self.organisationName, slug: Self.organisationSlug, defaultLanguage: Language.dutch.code)
            try await organisation.create(on: db)
        }
        let organisationID = try organisation.requireID()

        var lines: [String] = []
        for demo in Self.accounts {
            let (account, secret) = try await ensureAccount(demo, on: db)
            let accountID = try account.requireID()
            if case .some(let kind) = demo.membership {
                let membership =
                    try await OrganisationMembership.query(on: db).filter(\.$account.$id == accountID)
                    .filter(\.$organisation.$id == organisationID).first()
                    ?? OrganisationMembership(organisationID: organisationID, accountID: accountID, counsellorKind: kind)
                // The internal counsellor is the demo organisation's reporting point for formal reports.
                membership.receivesReports = kind == .internal
                try await membership.save(on: db)
            }
            if demo.role == .counsellor, try await CounsellorProfile.query(on: db).filter(\.$account.$id == accountID).first() == nil {
                try await Self.profile(for: demo, accountID: accountID).create(on: db)
            }
            lines.append(
                "demo-account role=\(demo.role.rawValue) email=\(demo.email) password=\(demo.password) totp-secret=\(Base32.encode(secret))"
            )
        }
        if let anna = try await StaffAccount.query(on: db).filter(\.$email == Self.accounts[1].email).first() {
            try await seedYearlyReports(organisationID: organisationID, counsellorID: try anna.requireID())
        }
        var counsellors: [UUID] = []
        for demo in [Self.accounts[1], Self.accounts[2]] {
            if let id = try await StaffAccount.query(on: db).filter(\.$email == demo.email).first()?.id { counsellors.append(id) }
        }
        lines += try await seedMatchExamples(organisationID: organisationID, counsellorIDs: counsellors)
        print("Vertrouwd demo: organisation \"\(Self.organisationName)\" at \(services.settings.publicURL)/o/\(Self.organisationSlug)")
        print("These demo logins are public. Add the TOTP secret to an authenticator app, or compute codes from it.")
        print(
            "The two demo receipts open two anonymous contacts that name the same team leader (inbox: /o/\(Self.organisationSlug)/inbox).")
        lines.forEach { print($0) }
        // stdout is block-buffered when it is a file or pipe (CI, scripts): flush so the lines arrive now.
        fflush(nil)
    }

    /// A made-up introduction for each demo counsellor, so the counsellors page shows what a real one looks like.
    static func profile(for demo: DemoAccount, accountID: UUID) -> CounsellorProfile {
        let profile = CounsellorProfile(accountID: accountID)
        if demo.membership == .some(.internal) {
            profile.introductionDutch =
                "Ik werk al twaalf jaar bij Voorbeeld BV, de laatste vijf als vertrouwenspersoon. Je kunt bij mij terecht met alles wat op het werk niet goed voelt. Ik luister, denk met je mee en doe niets zonder jouw toestemming."
            profile.introductionEnglish =
                "I have worked at Voorbeeld BV for twelve years, the last five as confidential counsellor. You can come to me with anything at work that does not feel right. I listen, think along with you and do nothing without your consent."
            profile.availabilityDutch = "Maandag, dinsdag en donderdag van 9 tot 17 uur. Een gesprek kan ook buiten het kantoor."
            profile.availabilityEnglish = "Monday, Tuesday and Thursday from 9:00 to 17:00. We can also meet away from the office."
            profile.languages = "nl,en"
        } else {
            profile.introductionDutch =
                "Ik ben externe vertrouwenspersoon en werk voor meerdere organisaties. Ik sta los van je werkgever en ken je collega's niet. Samen zoeken we uit wat je wilt en welke stap daarbij past."
            profile.introductionEnglish =
                "I am an external counsellor working for several organisations. I am independent of your employer and do not know your colleagues. Together we work out what you want and which step fits."
            profile.availabilityDutch = "Elke werkdag, ook 's avonds na afspraak. Bellen, beeldbellen of afspreken in Utrecht."
            profile.availabilityEnglish = "Every working day, evenings by appointment. By phone, video call or in person in Utrecht."
            profile.languages = "nl,en,tr"
        }
        return profile
    }

    /// The demo account, ready to sign in, with its authenticator secret.
    private func ensureAccount(_ demo: DemoAccount, on db: any Database) async throws -> (StaffAccount, [UInt8]) {
        guard let email = EmailAddress(demo.email) else { throw Abort(.internalServerError, reason: "demo address \(demo.email)") }
        let account =
            try await StaffAccount.query(on: db).filter(\.$email == email.value).first()
            ?? StaffAccount(email: email, displayName: demo.name, role: demo.role)
        let secret = try await ReadyAccount(services: app.vertrouwd, db: db).prepare(account, password: demo.password)
        return (account, secret)
    }
}
