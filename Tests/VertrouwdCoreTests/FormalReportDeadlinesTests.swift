import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Wbk deadlines")
struct ReportDeadlinesTests {
    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)!
    }

    @Test func acknowledgementIsOverdueOneSecondAfterSevenDays() {
        let received = Self.date("2026-03-02T09:00:00Z")
        let deadlines = FormalReportDeadlines(receivedAt: received)
        #expect(deadlines.acknowledgement(at: received.addingTimeInterval(7 * 86_400)) == .onTime)
        #expect(deadlines.acknowledgement(at: received.addingTimeInterval(7 * 86_400 + 1)) == .overdue)
        let acknowledged = FormalReportDeadlines(receivedAt: received, acknowledgedAt: received.addingTimeInterval(86_400))
        #expect(acknowledged.acknowledgement(at: received.addingTimeInterval(30 * 86_400)) == .done)
        #expect(acknowledged.acknowledgedInTime == true)
        #expect(
            FormalReportDeadlines(receivedAt: received, acknowledgedAt: received.addingTimeInterval(8 * 86_400)).acknowledgedInTime == false
        )
    }

    @Test func feedbackRunsThreeMonthsFromTheAcknowledgement() {
        let received = Self.date("2026-03-02T09:00:00Z")
        let acknowledged = Self.date("2026-03-04T10:00:00Z")
        let deadlines = FormalReportDeadlines(receivedAt: received, acknowledgedAt: acknowledged)
        // 11:00 in Amsterdam on 4 March is 11:00 in Amsterdam on 4 June: summer time moves it an hour in UTC.
        #expect(deadlines.feedbackDue == Self.date("2026-06-04T09:00:00Z"))
        #expect(deadlines.feedback(at: Self.date("2026-06-04T09:00:00Z")) == .onTime)
        #expect(deadlines.feedback(at: Self.date("2026-06-04T09:00:01Z")) == .overdue)
        #expect(
            FormalReportDeadlines(receivedAt: received, acknowledgedAt: acknowledged, feedbackGivenAt: Self.date("2026-05-01T00:00:00Z"))
                .feedbackInTime == true)
    }

    @Test func withoutAnAcknowledgementFeedbackRunsFromTheEndOfDaySeven() {
        let received = Self.date("2026-03-02T09:00:00Z")
        let deadlines = FormalReportDeadlines(receivedAt: received)
        #expect(deadlines.feedbackDue == Self.date("2026-06-09T08:00:00Z"))
    }

    @Test(
        "month ends clamp",
        arguments: [
            ("2026-01-31T12:00:00Z", "2026-04-30T11:00:00Z"),  // 31 Jan + 3 months = 30 Apr (and summer time began on 29 March)
            ("2025-11-30T12:00:00Z", "2026-02-28T12:00:00Z"),  // no 30 February
            ("2027-11-30T12:00:00Z", "2028-02-29T12:00:00Z"),  // a leap year
            ("2026-05-31T10:00:00Z", "2026-08-31T10:00:00Z"),
        ])
    func monthEnds(acknowledged: String, due: String) {
        let acknowledgedAt = Self.date(acknowledged)
        let deadlines = FormalReportDeadlines(receivedAt: acknowledgedAt.addingTimeInterval(-3600), acknowledgedAt: acknowledgedAt)
        #expect(deadlines.feedbackDue == Self.date(due))
    }
}
