import Vapor
import VertrouwdCore

/// A message with files, as the person's inbox and the counsellor's reply both take it: the same
/// rules for both sides of a conversation, checked before anything is encrypted.
struct MessageDraft {
    /// The longest message either side may send (and the contact form's first message).
    static let maximumLength = 20_000

    let text: String
    let files: UploadedFiles
    /// Whether the browser sent any file at all (then a refused form asks to choose them again).
    let choseFiles: Bool

    init(text: String?, attachments: [File]?, policy: AttachmentPolicy) {
        self.text = (text ?? "").cleanedInput
        files = UploadedFiles(attachments, policy: policy)
        choseFiles = !UploadedFiles.chosen(attachments).isEmpty
    }

    /// What stops the draft from being sent; `emptyKey` is the side's own words for "write something".
    func errors(emptyKey: String) -> [FieldError] {
        var errors = files.summaryErrors
        if text.isEmpty && !choseFiles { errors.append(FieldError(field: "message", key: emptyKey)) }
        if text.count > Self.maximumLength { errors.append(FieldError(field: "message", key: "contact.error.message_long")) }
        return errors
    }
}
