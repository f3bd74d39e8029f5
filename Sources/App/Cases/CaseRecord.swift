import Fluent
import Vapor
import VertrouwdCore

/// A case: a contact, a formal report, later a shared journal. What stays in clear here is listed and
/// justified in docs/security.md; everything a person or counsellor writes lives in `case_contents`,
/// encrypted.
final class CaseRecord: Model, @unchecked Sendable {
    static let schema = "cases"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: Organisation
    /// Stored as its raw value (`contact` or `report`), like the status.
    @Field(key: "kind") var kind: CaseKind
    @Field(key: "status") var status: CaseStatus
    /// The data key version that new content is written under.
    @Field(key: "key_version") var keyVersion: Int
    /// HMAC-SHA256 of the receipt under the instance secret; finds the case without storing the receipt.
    @OptionalField(key: "receipt_lookup") var receiptLookup: String?
    /// Salt for deriving the person's key from their receipt with scrypt.
    @OptionalField(key: "reporter_salt") var reporterSalt: Data?
    /// The person's public key: lets a counsellor seal a rotated data key to them without their receipt.
    @OptionalField(key: "reporter_public_key") var reporterPublicKey: Data?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    /// When the case arrived, by the application's clock (deadlines count from here).
    @OptionalField(key: "received_at") var receivedAt: Date?
    /// Formal reports: when receipt was acknowledged, and when feedback was given (the Wbk's two clocks).
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @OptionalField(key: "feedback_given_at") var feedbackGivenAt: Date?
    /// The person's address for "there is news in your inbox", sealed under the instance secret
    /// (`NotifyAddress`): never shown to a counsellor, never used for anything else.
    @OptionalField(key: "notify_address") var notifyAddress: Data?
    /// Set when a counsellor marks the case as unwanted (a bot, a flood), so it can be removed in bulk.
    @OptionalField(key: "flagged_at") var flaggedAt: Date?
    /// When the case was closed or withdrawn; its content is purged a retention term later.
    @OptionalField(key: "ended_at") var endedAt: Date?
    /// Set when the person writes, cleared when a counsellor answers: "messages waiting".
    @OptionalField(key: "waiting_since") var waitingSince: Date?
    @OptionalField(key: "acknowledgement_reminded_at") var acknowledgementRemindedAt: Date?
    @OptionalField(key: "feedback_reminded_at") var feedbackRemindedAt: Date?
    /// The language the person wrote in (`nl`, `en`), for the counsellor's queue filter.
    @OptionalField(key: "language") var language: String?

    init() {}

    /// The deadlines of a formal report; nil for a contact.
    var deadlines: FormalReportDeadlines? {
        guard kind == .formalReport, let received = receivedAt ?? createdAt else { return nil }
        return FormalReportDeadlines(receivedAt: received, acknowledgedAt: acknowledgedAt, feedbackGivenAt: feedbackGivenAt)
    }

    init(id: UUID, organisationID: UUID, kind: CaseKind) {
        self.id = id
        self.$organisation.id = organisationID
        self.kind = kind
        self.status = .new
        self.keyVersion = 1
    }
}

/// One recipient's sealed copy of one version of a case's data key.
final class CaseKeyGrant: Model, @unchecked Sendable {
    static let schema = "case_key_grants"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var caseRecord: CaseRecord
    @Field(key: "key_version") var keyVersion: Int
    /// `reporter` or `counsellor`.
    @Field(key: "recipient") var recipientKind: String
    @OptionalParent(key: "counsellor_id") var counsellor: StaffAccount?
    @Field(key: "encapsulated_key") var encapsulatedKey: Data
    @Field(key: "sealed_key") var sealedKey: Data
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(caseID: UUID, keyVersion: Int, recipient: Recipient, sealed: SealedDataKey) {
        self.$caseRecord.id = caseID
        self.keyVersion = keyVersion
        switch recipient {
        case .reporter:
            recipientKind = "reporter"
            self.$counsellor.id = nil
        case .counsellor(let id):
            recipientKind = "counsellor"
            self.$counsellor.id = id
        }
        encapsulatedKey = Data(sealed.encapsulatedKey)
        sealedKey = Data(sealed.ciphertext)
    }

    var sealed: SealedDataKey { SealedDataKey(encapsulatedKey: Array(encapsulatedKey), ciphertext: Array(sealedKey)) }
}

/// One encrypted piece of case content: a message either way, a note, the person's identity, form
/// answers, an attachment. Only `field` (what kind of thing) and the times are in clear.
final class CaseContent: Model, @unchecked Sendable {
    static let schema = "case_contents"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var caseRecord: CaseRecord
    @Field(key: "field") var field: ContentField
    @Field(key: "revision") var revision: Int
    @Field(key: "key_version") var keyVersion: Int
    @Field(key: "author") var author: ContentAuthor
    @Field(key: "ciphertext") var ciphertext: Data
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(id: UUID, caseID: UUID, field: ContentField, revision: Int, keyVersion: Int, author: ContentAuthor, ciphertext: [UInt8]) {
        self.id = id
        self.$caseRecord.id = caseID
        self.field = field
        self.revision = revision
        self.keyVersion = keyVersion
        self.author = author
        self.ciphertext = Data(ciphertext)
    }
}
