import Fluent
import Vapor
import VertrouwdCore

/// A client organisation of the practice. Its public pages live under `/o/<slug>`.
final class Organisation: Model, @unchecked Sendable {
    static let schema = "organisations"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "slug") var slug: String
    @Field(key: "default_language") var defaultLanguage: String
    /// The largest attachment accepted, in MiB (see `AttachmentPolicy`).
    @Field(key: "attachment_max_mb") var attachmentMaxMebibytes: Int
    /// Comma-separated `FileFormat.Family` values accepted as attachments.
    @Field(key: "attachment_families") var attachmentFamilies: String
    /// Months a case's content is kept after it ends (`RetentionPolicy`).
    @Field(key: "retention_months") var retentionMonths: Int
    /// Days before the Wbk acknowledgement and feedback deadlines that counsellors are reminded.
    @Field(key: "remind_acknowledgement_days") var remindAcknowledgementDays: Int
    @Field(key: "remind_feedback_days") var remindFeedbackDays: Int
    /// Optional yearly-report breakdowns (`OptionalBreakdown`), off by default: gender on or off;
    /// job groups and locations as the organisation's own lists, one per line (empty: off).
    @Field(key: "registers_gender") var registersGender: Bool
    @Field(key: "job_groups") var jobGroups: String
    @Field(key: "locations") var locations: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Children(for: \.$organisation) var memberships: [OrganisationMembership]

    init() {}

    init(id: UUID? = nil, name: String, slug: String, defaultLanguage: String) {
        self.id = id
        self.name = name
        self.slug = slug
        self.defaultLanguage = defaultLanguage
        self.attachmentMaxMebibytes = AttachmentPolicy.defaultMaximumMebibytes
        self.attachmentFamilies = FileFormat.Family.allCases.map(\.rawValue).joined(separator: ",")
        self.retentionMonths = RetentionPolicy.defaultMonths
        self.remindAcknowledgementDays = 2
        self.remindFeedbackDays = 14
        self.registersGender = false
        self.jobGroups = ""
        self.locations = ""
    }

    /// The optional breakdowns switched on, with their categories.
    var optionalBreakdowns: [OptionalBreakdown: [String]] {
        var breakdowns: [OptionalBreakdown: [String]] = [:]
        if registersGender { breakdowns[.gender] = OptionalBreakdown.genders }
        for (breakdown, text) in [(OptionalBreakdown.jobGroup, jobGroups), (.location, locations)] {
            if let categories = OptionalBreakdown.categories(from: text), !categories.isEmpty { breakdowns[breakdown] = categories }
        }
        return breakdowns
    }

    var retention: RetentionPolicy { RetentionPolicy(months: retentionMonths) }

    var attachmentPolicy: AttachmentPolicy {
        AttachmentPolicy(
            maximumMebibytes: attachmentMaxMebibytes,
            families: Set(attachmentFamilies.split(separator: ",").compactMap { FileFormat.Family(rawValue: String($0)) }))
    }
}
