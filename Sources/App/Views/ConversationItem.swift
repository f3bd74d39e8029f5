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
