import Foundation

/// The short name in an organisation's public address (`/o/<slug>`): lower-case letters, digits and
/// single hyphens, 2 to 40 characters.
public struct Slug: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public static let reserved: Set<String> = ["admin", "api", "new", "nieuw", "edit"]

    public init?(_ raw: String) {
        let candidate = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let allowed = candidate.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        guard (2...40).contains(candidate.count), allowed, !candidate.hasPrefix("-"), !candidate.hasSuffix("-"),
            !candidate.contains("--"), !Self.reserved.contains(candidate)
        else { return nil }
        value = candidate
    }

    public var description: String { value }
}
