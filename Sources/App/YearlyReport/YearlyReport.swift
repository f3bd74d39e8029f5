import Fluent
import Foundation
import Vapor
import VertrouwdCore

/// Jaarverslag: an organisation's yearly report. A counsellor drafts it (the figures are computed
/// fresh from the registrations each time it is shown) and releases it; a released version is
/// frozen with the figures management sees and never changes again. A correction is a new version.
final class YearlyReport: Model, @unchecked Sendable {
    static let schema = "yearly_reports"

    enum Status: String {
        case draft
        case released
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "year") var year: Int
    @Field(key: "version") var version: Int
    @Field(key: "status") var status: String
    /// The counsellor's narrative: what they noticed (signals) and what they advise (recommendations).
    @Field(key: "signals") var signals: String
    @Field(key: "recommendations") var recommendations: String
    /// The published figures (`PublishedYearlyReport` as JSON), set when released.
    @OptionalField(key: "figures") var figures: String?
    @OptionalField(key: "drafted_by") var draftedBy: UUID?
    @OptionalField(key: "released_by") var releasedBy: UUID?
    @OptionalField(key: "released_at") var releasedAt: Date?
    /// The audit log's last entry when the report was released. Printed on the report, it anchors
    /// the log outside the database: a log rewritten later no longer matches management's copy.
    @OptionalField(key: "audit_sequence") var auditSequence: Int?
    @OptionalField(key: "audit_digest") var auditDigest: String?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(organisationID: UUID, year: Int, version: Int, draftedBy: UUID) {
        $organisation.id = organisationID
        self.year = year
        self.version = version
        self.status = Status.draft.rawValue
        self.signals = ""
        self.recommendations = ""
        self.draftedBy = draftedBy
    }

    var isReleased: Bool { status == Status.released.rawValue }

    var published: PublishedYearlyReport? { try? releasedFigures() }

    /// The frozen figures of a released version. Throws when they cannot be read: a correction must
    /// never be protected against fewer versions than management saw.
    func releasedFigures() throws -> PublishedYearlyReport {
        guard let figures else { throw Abort(.internalServerError) }
        return try JSONDecoder().decode(PublishedYearlyReport.self, from: Data(figures.utf8))
    }

    static let maximumNarrative = 10_000
}
