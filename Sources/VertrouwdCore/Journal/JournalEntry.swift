import Crypto
import Foundation

/// One incident in a person's journal, as they wrote it (one version of it).
public struct JournalEntry: Codable, Sendable, Equatable {
    public enum TimePrecision: String, Codable, Sendable, CaseIterable {
        case exact
        case approximate
        case unknown
    }

    /// yyyy-mm-dd, the day it happened.
    public var date: String
    public var timePrecision: TimePrecision
    /// HH:mm, when known.
    public var time: String
    public var place: String
    public var people: [String]
    public var witnesses: [String]
    public var what: String
    public var effect: String
    public var kinds: [Kind]
    public var evidence: String

    public init(
        date: String, timePrecision: TimePrecision = .unknown, time: String = "", place: String = "", people: [String] = [],
        witnesses: [String] = [], what: String, effect: String = "", kinds: [Kind] = [], evidence: String = ""
    ) {
        self.date = date
        self.timePrecision = timePrecision
        self.time = time
        self.place = place
        self.people = people
        self.witnesses = witnesses
        self.what = what
        self.effect = effect
        self.kinds = kinds
        self.evidence = evidence
    }

    /// The day, read in Dutch time.
    public var day: Date? {
        let formatter = DateFormatter()
        formatter.calendar = FormalReportDeadlines.calendar
        formatter.timeZone = FormalReportDeadlines.calendar.timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.date(from: date)
    }

    /// Names as typed, split on commas and line breaks, trimmed, without empties or repeats.
    public static func names(_ text: String) -> [String] {
        var seen = Set<String>()
        return text.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == ";" }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && seen.insert(PersonName.key($0)).inserted }
    }
}

/// How names are compared across entries: case, accents and spacing do not make another person.
public enum PersonName {
    public static func key(_ name: String) -> String {
        name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "nl_NL"))
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

/// The journal's history as a hash chain: every version of every entry, in the order written, each
/// linked to the state of the journal before it. An export carries the versions and the head digest;
/// anyone can recompute it (scripts/verify-journal-export.py).
public enum JournalChain {
    public static let genesis = String(repeating: "0", count: 64)

    public struct Link: Codable, Sendable, Equatable {
        public let sequence: Int
        public let entryID: UUID
        public let version: Int
        /// ISO 8601, UTC, whole seconds.
        public let writtenAt: String
        /// SHA-256 of the version's exact JSON.
        public let contentDigest: String
        public let previous: String
        public let digest: String
    }

    public static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    public static func contentDigest(_ json: [UInt8]) -> String { hex(SHA256.hash(data: json)) }

    public static func linkDigest(
        sequence: Int, entryID: UUID, version: Int, writtenAt: String, contentDigest: String, previous: String
    )
        -> String
    {
        let text = [previous, String(sequence), entryID.uuidString.lowercased(), String(version), writtenAt, contentDigest].joined(
            separator: "\n")
        return hex(SHA256.hash(data: Array(text.utf8)))
    }

    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    public static func link(after previous: Link?, entryID: UUID, version: Int, at date: Date, json: [UInt8]) -> Link {
        let sequence = (previous?.sequence ?? 0) + 1
        let before = previous?.digest ?? genesis
        let written = timestamp(date)
        let content = contentDigest(json)
        return Link(
            sequence: sequence, entryID: entryID, version: version, writtenAt: written, contentDigest: content, previous: before,
            digest: linkDigest(
                sequence: sequence, entryID: entryID, version: version, writtenAt: written, contentDigest: content, previous: before))
    }

    public enum Problem: Equatable, Sendable {
        case gap(expected: Int)
        case brokenLink(sequence: Int)
        case altered(sequence: Int)
        case contentChanged(sequence: Int)
    }

    /// Checks links (and, where given, the exact JSON of each version) in order.
    public static func verify(_ links: [Link], contents: [[UInt8]]? = nil) -> Problem? {
        var previous = genesis
        for (index, link) in links.enumerated() {
            if link.sequence != index + 1 { return .gap(expected: index + 1) }
            if link.previous != previous { return .brokenLink(sequence: link.sequence) }
            if let contents, index < contents.count, contentDigest(contents[index]) != link.contentDigest {
                return .contentChanged(sequence: link.sequence)
            }
            let expected = linkDigest(
                sequence: link.sequence, entryID: link.entryID, version: link.version, writtenAt: link.writtenAt,
                contentDigest: link.contentDigest, previous: link.previous)
            if expected != link.digest { return .altered(sequence: link.sequence) }
            previous = link.digest
        }
        return nil
    }
}
