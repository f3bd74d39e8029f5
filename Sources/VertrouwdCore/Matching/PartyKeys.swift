import Crypto
import Foundation

/// The keyed digests under which named parties are stored and compared: HMAC-SHA256 under a key
/// derived (HKDF) from the instance secret for one organisation. Without the instance secret the
/// digests reveal nothing and cannot be tested against guesses; with it they can, one guess at a
/// time (docs/security.md). Two organisations' digests of the same name differ, so matches never
/// cross organisations, even in the database.
public struct PartyKeys: Sendable {
    private let key: SymmetricKey

    public init(instanceSecret: [UInt8], organisationID: UUID) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: instanceSecret), salt: Array("vertrouwd.named-party.v1".utf8),
            info: Array(organisationID.uuidString.utf8), outputByteCount: 32)
    }

    public func digest(_ identifier: PartyIdentifier) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(identifier.kind.rawValue)\u{1f}\(identifier.value)".utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// The mark of a person's journal in this organisation (`CasePersonMark` in the app).
    public func personMark(journalID: UUID) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("journal\u{1f}\(journalID.uuidString)".utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    public func digests(_ party: NamedParty) -> [StoredIdentifier] {
        party.identifiers.map { StoredIdentifier(kind: $0.kind, digest: digest($0), isInitialsOnly: $0.isInitialsOnly) }
    }
}

/// What is stored of one identifier: its kind and keyed digest, never the value.
public struct StoredIdentifier: Sendable, Hashable {
    public let kind: PartyIdentifier.Kind
    public let digest: String
    public let isInitialsOnly: Bool

    public init(kind: PartyIdentifier.Kind, digest: String, isInitialsOnly: Bool) {
        self.kind = kind
        self.digest = digest
        self.isInitialsOnly = isInitialsOnly
    }

    /// Whether two cases' identifiers name the same person: the same kind and digest; for an initial
    /// with a surname, only where at least one side gave initials only.
    public static func match(_ lhs: [StoredIdentifier], _ rhs: [StoredIdentifier]) -> Bool {
        strongestMatch(lhs, rhs) != nil
    }

    /// The strongest kind the two share: a work address, then a full name, then an initial with a
    /// surname, then a role in a team; nil when they share none.
    public static func strongestMatch(_ lhs: [StoredIdentifier], _ rhs: [StoredIdentifier]) -> PartyIdentifier.Kind? {
        let shared = Set(
            lhs.flatMap { left in
                rhs.filter { right in
                    left.kind == right.kind && left.digest == right.digest
                        && (left.kind != .initialAndSurname || left.isInitialsOnly || right.isInitialsOnly)
                }.map(\.kind)
            })
        return [PartyIdentifier.Kind.email, .name, .initialAndSurname, .roleInTeam].first { shared.contains($0) }
    }
}
