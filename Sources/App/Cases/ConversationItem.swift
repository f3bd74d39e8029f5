import Foundation
import Vapor
import VertrouwdCore

/// One item of a case's conversation: a message, or a file (`attachment` set, `text` empty). The
/// person's inbox and the counsellor's case page show the same list (`partials/conversation.leaf`).
struct ConversationItem: Encodable {
    let fromPerson: Bool
    let text: String
    let time: String
    let attachment: AttachmentView?

    /// Messages and files, oldest first.
    static func list(_ contents: [CaseVault.DecryptedContent], on req: Request) -> [ConversationItem] {
        contents.compactMap { content in
            let fromPerson = content.author == .person
            let time = req.formatted(content.createdAt)
            switch content.field {
            case .message:
                return ConversationItem(fromPerson: fromPerson, text: content.text, time: time, attachment: nil)
            case .attachment:
                return AttachmentView(content).map { ConversationItem(fromPerson: fromPerson, text: "", time: time, attachment: $0) }
            default:
                return nil
            }
        }
    }
}

/// An attachment as listed in a conversation; the bytes are fetched separately.
struct AttachmentView: Encodable {
    let id: String
    let name: String
    let size: String
    let metadataRemoved: Bool

    init?(_ content: CaseVault.DecryptedContent) {
        guard content.field == .attachment, let header = AttachmentEnvelope.header(of: content.bytes) else { return nil }
        id = content.id.uuidString
        name = header.name
        size = Self.size(header.size)
        metadataRemoved = header.metadataRemoved
    }

    static func size(_ bytes: Int) -> String {
        bytes < 1 << 20 ? "\(max(1, bytes / 1024)) KB" : String(format: "%.1f MB", Double(bytes) / Double(1 << 20))
    }
}
