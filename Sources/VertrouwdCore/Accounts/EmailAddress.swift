import Foundation

/// A staff member's e-mail address, trimmed and lower-cased so that logins match however it is typed.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// Accepts one `@` with something on both sides, a dot in the domain, no spaces, at most 254 characters.
    /// Deliberately loose: the activation link proves the address works.
    public init?(_ raw: String) {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !trimmed.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "<" || $0 == ">" })
        else { return nil }
        value = trimmed
    }

    public var description: String { value }
}
