import Foundation
import Testing

@testable import VertrouwdCore

/// Every text exists in Dutch and English, and every key a template or the code uses exists.
@Suite("Translations")
struct CatalogTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let resources = root.appendingPathComponent("Resources")

    func catalog() throws -> Catalog {
        try Catalog.load(from: Self.resources.appendingPathComponent("Localization"))
    }

    @Test func noKeyIsMissingInEitherLanguage() throws {
        let missing = try catalog().missingKeys()
        #expect(missing.isEmpty, "missing translations: \(missing)")
    }

    @Test func noTextIsEmptyOrUntranslatedLooking() throws {
        let catalog = try catalog()
        for language in Language.allCases {
            for key in catalog.keys(for: language) {
                let text = catalog.text(key, in: language)
                #expect(!text.trimmingCharacters(in: .whitespaces).isEmpty, "\(language.code): \(key) is empty")
                #expect(text != key, "\(language.code): \(key) has its key as text")
            }
        }
    }

    @Test func everyKeyUsedInATemplateExists() throws {
        let catalog = try catalog()
        let keys = try Self.literalKeys(
            in: Self.resources.appendingPathComponent("Views"), pattern: #"#t\("([a-z0-9_.\-]+)""#, extensions: ["leaf"])
        #expect(keys.count > 50)
        for key in keys {
            #expect(catalog.contains(key, in: .dutch) && catalog.contains(key, in: .english), "template key \(key) missing")
        }
    }

    @Test func everyKeyNamedInSwiftCodeExists() throws {
        let catalog = try catalog()
        // Keys are written as dotted string literals; the few dynamic families are listed below.
        let known = [
            "vertrouwd.sqlite", "vertrouwd.local", "openapi.json", "codes.vapor", "vertrouwd.journal", "logboek.", "export.", "page.",
        ]
        let keys = try Self.literalKeys(
            in: Self.root.appendingPathComponent("Sources/App"), pattern: #""((?:[a-z]+\.)+[a-z0-9_]+)""#, extensions: ["swift"]
        )
        .filter { key in !known.contains(where: key.hasPrefix) && !Self.keyPrefixes.contains(key) }
        #expect(keys.count > 30)
        for key in keys {
            #expect(catalog.contains(key, in: .dutch) && catalog.contains(key, in: .english), "code key \(key) missing")
        }
        let dynamic =
            ["error.400", "error.401", "error.403", "error.404", "error.405", "error.413", "error.429", "error.500", "error.503"]
            .flatMap { ["\($0).title", "\($0).body"] }
            + StaffRole.allCases.map { "role.\($0.rawValue)" }
            + CounsellorKind.allCases.map { "counsellor.kind.\($0.rawValue)" }
            + Language.allCases.map { "language.switch.\($0.code)" }
            + ["password.too_short", "password.too_long", "password.mismatch", "password.contains_email", "password.too_simple"]
            + ["soon", "week", "none"].map { "contact.urgency.\($0)" }
            + ["anonymous", "confidential", "open"].flatMap { ["contact.identity.\($0)", "contact.identity.\($0).hint"] }
            + ["messages", "phone", "video", "meeting"].map { "contact.channel.\($0)" }
            + Kind.allCases.map { "kind.\($0.rawValue)" }
            + CaseStatus.allCases.map(\.translationKey)
            + Registration.OtherParty.allCases.map { "registration.party.\($0.rawValue)" }
            + Registration.Pattern.allCases.map { "registration.pattern.\($0.rawValue)" }
            + Registration.Outcome.allCases.map { "registration.outcome.\($0.rawValue)" }
            + ConsentKind.allCases.map(\.translationKey)
            + ConsentEventKind.allCases.map(\.translationKey)
            + ["empty", "incidental", "repeated", "structural"].map { "journal.pattern.\($0)" }
            + ["exact", "approximate", "unknown"].map { "journal.time.\($0)" }
            + ["too_short", "too_simple"].map { "journal.passphrase.\($0)" }
            + ReferralTarget.allCases.map(\.translationKey)
            + AuditAction.allCases.map(\.translationKey)
            + ["retention_months", "remind_acknowledgement_days", "remind_feedback_days"].map { "admin.organisation.error.\($0)" }
            + CaseKind.allCases.map(\.translationKey)
            + ["on-time", "overdue", "done"].map { "deadline.state.\($0)" }
            + ["new-case", "new-message", "inbox-news", "reminder-acknowledgement", "reminder-feedback"].map { "mail.\($0)" }
            + AttachmentPolicy.Rejection.allCases.map { "attachment.error.\($0.rawValue)" }
            + FileFormat.Family.allCases.map { "attachment.family.\($0.rawValue)" }
            + ["contact", "report"].flatMap { ["\($0).title", "\($0).heading", "\($0).intro", "\($0).submit"] }
        let sections: [String] =
            ["quarters", "case-kind", "other-party", "pattern", "outcome", "acknowledgement", "feedback"]
            + Family.allCases.map { "kind-\($0.rawValue)" }
        let yearly: [String] =
            sections.flatMap { ["yearly.section.\($0)", "yearly.section.\($0).intro"] }
            + Breakdown.deadlineStates.map { "yearly.deadline.\($0)" }
            + OptionalBreakdown.allCases.map { "yearly.section.\($0.rawValue)" }
            + OptionalBreakdown.genders.map { "registration.gender.\($0)" }
            + ["gender", "job_group", "location"].map { "registration.\($0)" }
        for key in dynamic + yearly {
            #expect(catalog.contains(key, in: .dutch) && catalog.contains(key, in: .english), "dynamic key \(key) missing")
        }
    }

    @Test func placeholdersAreFilledIn() {
        let catalog = Catalog(texts: [.dutch: ["a": "Wacht {0} minuten"], .english: ["a": "Wait {0} minutes"]])
        #expect(catalog.text("a", in: .english, ["5"]) == "Wait 5 minutes")
        #expect(catalog.text("missing", in: .english) == "missing")
    }

    /// Audit actions are `AuditAction` cases (their texts are checked in `dynamic` above); none may
    /// be written as a string literal, which would bypass the type and its translation.
    @Test func noAuditActionIsSpelledByHand() throws {
        let written = try Self.literalKeys(
            in: Self.root.appendingPathComponent("Sources/App"),
            pattern: #"(?:audit(?:ed|\.record)?\((?:\.\w+(?:\([^)]*\))?, )?|action: )"([a-z-]+)""#,
            extensions: ["swift"])
        #expect(written.isEmpty, "\(written) written as text")
        let typed = try Self.literalKeys(
            in: Self.root.appendingPathComponent("Sources/App"),
            pattern: #"(?:audit(?:ed|\.record)?\((?:\.\w+(?:\([^)]*\))?, )?|action: )\.([a-zA-Z]+)"#,
            extensions: ["swift"])
        #expect(typed.count >= 15, "the pattern still finds the calls: \(typed.count)")
    }

    /// Literals in the code that are the first part of a key, completed at run time (checked in `dynamic`).
    static let keyPrefixes: Set<String> = [
        "contact.urgency", "contact.identity", "contact.channel", "consent.kind", "registration.outcome", "registration.party",
        "registration.pattern", "referral.to", "journal.pattern", "journal.time",
    ]

    static func literalKeys(in directory: URL, pattern: String, extensions: Set<String>) throws -> Set<String> {
        let regex = try NSRegularExpression(pattern: pattern)
        var keys = Set<String>()
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        while let file = enumerator?.nextObject() as? URL {
            guard extensions.contains(file.pathExtension) else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { keys.insert(String(text[range])) }
            }
        }
        return keys
    }
}
