import Crypto
import Foundation

/// An append-only log whose entries are chained by SHA-256: each entry's digest covers its fields and
/// the previous entry's digest, so changing, inserting, reordering or removing an entry breaks the
/// chain after it. Cutting entries off the end leaves a shorter chain that still verifies; only a
/// copy of the head (sequence and digest) kept elsewhere shows that — see docs/security.md. Entries carry who (a staff id, or "person"/"system"), what, and which case — never content.
public enum AuditChain {
    public static let genesis = String(repeating: "0", count: 64)

    public struct Entry: Sendable, Equatable {
        public let sequence: Int
        public let at: Date
        public let actor: String
        public let action: String
        public let caseID: String
        public let detail: String
        public let previous: String
        public let digest: String

        public init(
            sequence: Int, at: Date, actor: String, action: String, caseID: String, detail: String, previous: String, digest: String
        ) {
            self.sequence = sequence
            self.at = at
            self.actor = actor
            self.action = action
            self.caseID = caseID
            self.detail = detail
            self.previous = previous
            self.digest = digest
        }
    }

    /// The digest of an entry: fields are length-prefixed so no two different entries encode alike;
    /// the time is whole milliseconds so every database keeps it exactly.
    public static func digest(
        sequence: Int, at: Date, actor: String, action: String, caseID: String, detail: String, previous: String
    )
        -> String
    {
        var hasher = SHA256()
        let milliseconds = Int64((at.timeIntervalSince1970 * 1000).rounded())
        for field in ["vertrouwd.audit.v1", String(sequence), String(milliseconds), actor, action, caseID, detail, previous] {
            let bytes = Array(field.utf8)
            hasher.update(data: withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { Array($0) })
            hasher.update(data: bytes)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// A time as stored: rounded to whole milliseconds.
    public static func normalised(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    public static func next(after last: Entry?, at: Date, actor: String, action: String, caseID: String, detail: String) -> Entry {
        let sequence = (last?.sequence ?? 0) + 1
        let previous = last?.digest ?? genesis
        let time = normalised(at)
        return Entry(
            sequence: sequence, at: time, actor: actor, action: action, caseID: caseID, detail: detail, previous: previous,
            digest: digest(sequence: sequence, at: time, actor: actor, action: action, caseID: caseID, detail: detail, previous: previous))
    }

    public enum Problem: Equatable, Sendable {
        /// A number is missing or out of order (an entry was removed or inserted).
        case gap(expected: Int, found: Int)
        /// The entry does not point at the one before it.
        case brokenLink(sequence: Int)
        /// The entry's fields do not match its digest (it was changed).
        case altered(sequence: Int)
    }

    /// Checks a whole chain, in sequence order; the first problem found, or nil when intact.
    public static func verify(_ entries: [Entry]) -> Problem? {
        var previous = genesis
        for (index, entry) in entries.enumerated() {
            if entry.sequence != index + 1 { return .gap(expected: index + 1, found: entry.sequence) }
            if entry.previous != previous { return .brokenLink(sequence: entry.sequence) }
            let expected = digest(
                sequence: entry.sequence, at: entry.at, actor: entry.actor, action: entry.action, caseID: entry.caseID,
                detail: entry.detail, previous: entry.previous)
            if expected != entry.digest { return .altered(sequence: entry.sequence) }
            previous = entry.digest
        }
        return nil
    }
}
