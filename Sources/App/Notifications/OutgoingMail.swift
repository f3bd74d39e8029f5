import Fluent
import Vapor

/// A notification waiting to be sent. It says only that there is something new: no content, no
/// organisation, nothing from the case. Kept in the database so that no mail is lost when the relay
/// is down or the process restarts, and so that any instance can send it.
final class OutgoingMail: Model, @unchecked Sendable {
    static let schema = "outgoing_mail"

    @ID(key: .id) var id: UUID?
    /// A staff member's address; empty for a mail to a person, whose address stays sealed with the case.
    @Field(key: "recipient") var recipient: String
    /// For a mail to a person: the case whose sealed notification address is opened at sending time.
    @OptionalField(key: "case_id") var caseID: UUID?
    /// Which text to send (`new-case`, `new-message`), in the recipient's language at sending time.
    @Field(key: "template") var template: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "failed_at") var failedAt: Date?
    /// The instance sending it now, and until when (see `OutboxSender`).
    @OptionalField(key: "claim") var claim: String?
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(recipient: String, template: String, now: Date, caseID: UUID? = nil) {
        self.recipient = recipient
        self.caseID = caseID
        self.template = template
        self.attempts = 0
        self.nextAttemptAt = now
    }
}
