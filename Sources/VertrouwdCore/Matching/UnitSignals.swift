import Foundation

/// Signals without names: when a counsellor registers the department or location a case is about,
/// several cases about one unit within a few months point to a pattern in that unit's culture, worth
/// prevention advice. Only counts are used, never who or what.
public enum UnitSignals {
    public static let threshold = 3
    public static let windowMonths = 6

    public struct Signal: Sendable, Equatable {
        public let unit: String
        public let cases: Int
    }

    /// Units with at least `threshold` cases received within the last `windowMonths` months, most first.
    public static func signals(
        _ cases: [(unit: String, receivedAt: Date)], now: Date, threshold: Int = threshold, windowMonths: Int = windowMonths
    ) -> [Signal] {
        guard let start = FormalReportDeadlines.calendar.date(byAdding: .month, value: -windowMonths, to: now) else { return [] }
        var counts: [String: Int] = [:]
        for item in cases where item.receivedAt >= start && item.receivedAt <= now && !item.unit.isEmpty {
            counts[item.unit, default: 0] += 1
        }
        return counts.filter { $0.value >= threshold }.map { Signal(unit: $0.key, cases: $0.value) }
            .sorted { $0.cases != $1.cases ? $0.cases > $1.cases : $0.unit < $1.unit }
    }
}
