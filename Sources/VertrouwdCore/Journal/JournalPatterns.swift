import Foundation

/// What a person's own entries show, in plain words and never as a verdict: how many incidents over
/// what period and how often, who comes back, which kinds, and whether it looks structural — the
/// same person (or group) again and again over weeks, what the source document calls pesten — or
/// incidental.
public struct JournalSummary: Sendable, Equatable {
    public enum Pattern: String, Sendable {
        /// No entries yet.
        case empty
        /// One or two incidents.
        case incidental
        /// Three or more, but no one person in three of them over two weeks or more.
        case repeated
        /// One person in three or more incidents spread over two weeks or more.
        case structural
    }

    public struct Recurring: Sendable, Equatable {
        public let name: String
        public let count: Int
    }

    public let count: Int
    public let first: Date?
    public let last: Date?
    /// Days from the first to the last incident.
    public let spanDays: Int
    /// Incidents per week over that span (nil under a week).
    public let perWeek: Double?
    public let recurring: [Recurring]
    public let kinds: [(kind: Kind, count: Int)]
    public let pattern: Pattern

    /// Whether to point to the guide and a counsellor.
    public var suggestsHelp: Bool { pattern == .structural || pattern == .repeated }

    public static func == (lhs: JournalSummary, rhs: JournalSummary) -> Bool {
        lhs.count == rhs.count && lhs.first == rhs.first && lhs.last == rhs.last && lhs.recurring == rhs.recurring
            && lhs.pattern == rhs.pattern && lhs.kinds.map(\.kind) == rhs.kinds.map(\.kind)
            && lhs.kinds.map(\.count) == rhs.kinds.map(\.count)
    }

    public static let structuralMinimum = 3
    public static let structuralDays = 14

    /// Summarises the latest version of each entry.
    public init(_ entries: [JournalEntry]) {
        let dated = entries.compactMap { entry in entry.day.map { (entry, $0) } }.sorted { $0.1 < $1.1 }
        count = entries.count
        first = dated.first?.1
        last = dated.last?.1
        if let first, let last {
            spanDays = Int((last.timeIntervalSince(first) / 86_400).rounded())
        } else {
            spanDays = 0
        }
        perWeek = spanDays >= 7 ? Double(dated.count) / (Double(spanDays) / 7) : nil

        // People: counted once per entry, by their compared form; shown as first written.
        var counts: [String: (name: String, count: Int, days: [Date])] = [:]
        for (entry, day) in dated {
            for name in Set(entry.people.map(PersonName.key)) {
                let shown = entry.people.first { PersonName.key($0) == name } ?? name
                var current = counts[name] ?? (shown, 0, [])
                current.count += 1
                current.days.append(day)
                counts[name] = current
            }
        }
        recurring = counts.values.filter { $0.count >= 2 }.sorted { $0.count == $1.count ? $0.name < $1.name : $0.count > $1.count }
            .map { Recurring(name: $0.name, count: $0.count) }
        var kindCounts: [Kind: Int] = [:]
        for entry in entries { for kind in Set(entry.kinds) { kindCounts[kind, default: 0] += 1 } }
        kinds = Kind.allCases.compactMap { kind in kindCounts[kind].map { (kind, $0) } }

        let structural = counts.values.contains { person in
            guard person.count >= Self.structuralMinimum, let start = person.days.min(), let end = person.days.max() else { return false }
            return end.timeIntervalSince(start) >= Double(Self.structuralDays) * 86_400
        }
        if entries.isEmpty {
            pattern = .empty
        } else if structural {
            pattern = .structural
        } else if entries.count >= Self.structuralMinimum {
            pattern = .repeated
        } else {
            pattern = .incidental
        }
    }
}
