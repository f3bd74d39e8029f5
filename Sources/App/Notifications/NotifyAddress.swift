import Foundation
import VertrouwdCore

/// The person's optional address for "there is news in your inbox". Sealed under a key derived from
/// the instance secret and bound to its case, so a copy of the database does not reveal it and a
/// sealed value moved to another case does not open. The counsellor never sees it; only the outbox
/// opens it, at the moment it sends.
enum NotifyAddress {
    static func box(_ services: VertrouwdServices) -> SecretBox {
        SecretBox(instanceSecret: services.instanceSecret.bytes, purpose: "notify-address")
    }

    static func seal(_ address: EmailAddress, caseID: UUID, services: VertrouwdServices) throws -> Data {
        Data(try box(services).seal(Array(address.value.utf8), context: "case:\(caseID.uuidString)"))
    }

    static func open(_ sealed: Data, caseID: UUID, services: VertrouwdServices) -> String? {
        (try? box(services).open(Array(sealed), context: "case:\(caseID.uuidString)")).map { String(decoding: $0, as: UTF8.self) }
    }
}
