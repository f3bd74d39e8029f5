import Fluent
import Vapor
import VertrouwdCore

/// What a counsellor tells people about themselves on each organisation's counsellor page: an
/// introduction and how and when to reach them (in Dutch and English), the languages they speak and
/// an optional photo (JPEG or PNG, metadata removed). Public by nature, so not encrypted.
final class CounsellorProfile: Model, @unchecked Sendable {
    static let schema = "counsellor_profiles"

    /// Languages a counsellor can choose, shown by their own name so they need no translation.
    static let spokenLanguages: [(code: String, name: String)] = [
        ("nl", "Nederlands"), ("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español"), ("pl", "Polski"),
        ("tr", "Türkçe"), ("ar", "العربية"), ("pap", "Papiamentu"), ("uk", "Українська"),
    ]
    static let maximumPhotoBytes = 2 << 20
    static let maximumText = 1_000

    @ID(key: .id) var id: UUID?
    @Parent(key: "account_id") var account: StaffAccount
    @Field(key: "introduction_nl") var introductionDutch: String
    @Field(key: "introduction_en") var introductionEnglish: String
    @Field(key: "availability_nl") var availabilityDutch: String
    @Field(key: "availability_en") var availabilityEnglish: String
    /// Comma-separated codes from `spokenLanguages`.
    @Field(key: "languages") var languages: String
    @OptionalField(key: "photo") var photo: Data?
    @OptionalField(key: "photo_format") var photoFormat: String?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(accountID: UUID) {
        self.$account.id = accountID
        self.introductionDutch = ""
        self.introductionEnglish = ""
        self.availabilityDutch = ""
        self.availabilityEnglish = ""
        self.languages = ""
    }

    var languageCodes: [String] { languages.split(separator: ",").map(String.init) }

    /// The text in the page's language, or the other language when that one is empty.
    func introduction(in language: Language) -> String {
        let preferred = language == .dutch ? introductionDutch : introductionEnglish
        return preferred.isEmpty ? (language == .dutch ? introductionEnglish : introductionDutch) : preferred
    }

    func availability(in language: Language) -> String {
        let preferred = language == .dutch ? availabilityDutch : availabilityEnglish
        return preferred.isEmpty ? (language == .dutch ? availabilityEnglish : availabilityDutch) : preferred
    }
}
