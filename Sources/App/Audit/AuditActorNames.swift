import Fluent
import Vapor

extension Request {
    /// Display names for audit actors: staff by name, the person and the system by a word.
    func auditActorNames(_ actors: [String]) async throws -> [String: String] {
        let ids = Set(actors.compactMap { $0.hasPrefix("staff:") ? UUID(uuidString: String($0.dropFirst(6))) : nil })
        var names = ["person": t("audit.actor.person"), "system": t("audit.actor.system")]
        if !ids.isEmpty {
            for account in try await StaffAccount.query(on: db).filter(\.$id ~~ ids).all() {
                if let id = account.id { names["staff:\(id.uuidString)"] = account.displayName }
            }
        }
        return names
    }
}
