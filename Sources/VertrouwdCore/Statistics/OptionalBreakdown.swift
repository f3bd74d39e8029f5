import Foundation

/// Breakdowns an organisation may switch on: gender, job group and location. They are off by
/// default, because each one makes a person easier to recognise; job groups and locations are the
/// organisation's own lists. A registration without a value counts as "not recorded" (`""`), so the
/// cells still add up to the number of people and are protected like any partition.
public enum OptionalBreakdown: String, Sendable, CaseIterable, Codable {
    case gender
    case jobGroup = "job-group"
    case location

    public static let genders = ["vrouw", "man", "anders"]
    /// The category of registrations without a value.
    public static let notRecorded = ""
    public static let maximumCategories = 30
    public static let maximumLength = 80

    /// An organisation's list as an admin types it: one per line, trimmed, without blanks or repeats;
    /// nil when it is too long.
    public static func categories(from text: String) -> [String]? {
        var seen = Set<String>()
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
        guard lines.count <= maximumCategories, lines.allSatisfy({ $0.count <= maximumLength }) else { return nil }
        return lines
    }
}

/// The true counts of one optional breakdown: the organisation's categories, then "not recorded".
public struct OptionalCounts: Sendable, Equatable, Codable {
    public var categories: [String]
    public var counts: [Int]

    public init(categories: [String], counts: [Int]? = nil) {
        self.categories = categories + [OptionalBreakdown.notRecorded]
        self.counts = counts ?? Array(repeating: 0, count: categories.count + 1)
    }

    /// Counts one person in `category`; an unknown or missing value counts as not recorded.
    public mutating func add(_ category: String?, people: Int = 1) {
        let index = categories.firstIndex(of: category ?? "") ?? categories.count - 1
        counts[index] += people
    }
}
