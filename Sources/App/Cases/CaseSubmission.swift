import Fluent
import Vapor

/// Remembers that a contact form (by the SHA-256 of its one-time submission token) became a case, so
/// the same form posted twice — a double tap, a reload — makes one case, not two.
final class CaseSubmission: Model, @unchecked Sendable {
    static let schema = "case_submissions"

    @ID(key: .id) var id: UUID?
    @Field(key: "digest") var digest: String
    @Parent(key: "case_id") var caseRecord: CaseRecord
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(digest: String, caseID: UUID) {
        self.digest = digest
        self.$caseRecord.id = caseID
    }
}
