import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Registration, retention and the audit chain")
struct BackOfficeDomainTests {
    @Test func aRegistrationNeedsEveryFieldAndNamesNothing() throws {
        let (registration, problems) = Registration.parse(
            kinds: ["pesten", "intimidatie", "onzin"], otherParty: "leidinggevende", pattern: "herhaald",
            outcomes: ["verwezen-hr", "advies"], contacts: "3", hours: "1,5")
        #expect(problems.isEmpty)
        let parsed = try #require(registration)
        #expect(parsed.kinds == [.intimidation, .bullying], "in taxonomy order, unknown kinds dropped")
        #expect(parsed.outcomes == [.advice, .referralHR])
        #expect(parsed.quarterHours == 6)
        #expect(parsed.hours(decimalSeparator: ",") == "1,5")

        let (none, all) = Registration.parse(kinds: [], otherParty: "baas", pattern: nil, outcomes: [], contacts: "0", hours: "-1")
        #expect(none == nil)
        #expect(Set(all.keys) == ["kinds", "other_party", "pattern", "outcomes", "contacts", "hours"])
        #expect(
            Registration.parse(
                kinds: ["pesten"], otherParty: "collega", pattern: "incident", outcomes: ["geen", "advies"], contacts: "1", hours: "0"
            ).1["outcomes"] == "registration.error.none_alone")
        // The registration has no field for a name, a date or free text.
        let labels = Mirror(reflecting: parsed).children.compactMap(\.label)
        #expect(Set(labels) == ["kinds", "otherParty", "pattern", "outcomes", "contacts", "quarterHours"])
        // Outcomes are support and referral only: nothing that investigates, judges or mediates.
        for outcome in Registration.Outcome.allCases {
            for forbidden in ["onderzo", "oordeel", "uitspraak", "bemiddeld-door"] { #expect(!outcome.rawValue.contains(forbidden)) }
        }
    }

    @Test func hoursAreReadAsPeopleWriteThem() {
        #expect(Registration.quarterHours(from: "2") == 8)
        #expect(Registration.quarterHours(from: "0.25") == 1)
        #expect(Registration.quarterHours(from: " 0,3 ") == 2, "rounded up to a quarter")
        for bad in ["", "een", "1,2,3", "1e3", "-2", "501", "∞", "½"] { #expect(Registration.quarterHours(from: bad) == nil, "\(bad)") }
    }

    @Test func contentIsKeptTwelveCalendarMonthsAfterTheEnd() throws {
        let calendar = FormalReportDeadlines.calendar
        let ended = try #require(calendar.date(from: DateComponents(year: 2026, month: 2, day: 28, hour: 10)))
        let policy = RetentionPolicy()
        let purge = policy.purgeDate(endedAt: ended)
        #expect(
            calendar.dateComponents([.year, .month, .day, .hour], from: purge) == DateComponents(year: 2027, month: 2, day: 28, hour: 10))
        #expect(!policy.isDue(endedAt: ended, at: purge.addingTimeInterval(-1)))
        #expect(policy.isDue(endedAt: ended, at: purge))
        #expect(!policy.isDue(endedAt: nil, at: purge.addingTimeInterval(1_000_000_000)), "an open case is never purged")
        let leap = try #require(calendar.date(from: DateComponents(year: 2028, month: 2, day: 29, hour: 9)))
        #expect(calendar.dateComponents([.month, .day], from: policy.purgeDate(endedAt: leap)) == DateComponents(month: 2, day: 28))
        #expect(RetentionPolicy(months: 3).cutoff(at: purge) <= purge)
        #expect(RetentionPolicy(months: 3).isDue(endedAt: RetentionPolicy(months: 3).cutoff(at: purge), at: purge))
    }

    @Test func theAuditChainShowsEveryChange() {
        var entries: [AuditChain.Entry] = []
        let start = Date(timeIntervalSince1970: 1_800_000_000.1234)
        for (index, action) in ["login", "case.read", "case.export", "key.grant", "purge"].enumerated() {
            entries.append(
                AuditChain.next(
                    after: entries.last, at: start.addingTimeInterval(Double(index)), actor: "staff:anna", action: action,
                    caseID: index == 0 ? "" : "case-1", detail: ""))
        }
        #expect(AuditChain.verify(entries) == nil)
        #expect(entries[0].previous == AuditChain.genesis)
        #expect(entries[0].at == AuditChain.normalised(start))

        var altered = entries
        let old = altered[2]
        altered[2] = AuditChain.Entry(
            sequence: old.sequence, at: old.at, actor: "staff:bram", action: old.action, caseID: old.caseID, detail: old.detail,
            previous: old.previous, digest: old.digest)
        #expect(AuditChain.verify(altered) == .altered(sequence: 3))
        var removed = entries
        removed.remove(at: 1)
        #expect(AuditChain.verify(removed) == .gap(expected: 2, found: 3))
        var relinked = entries
        relinked.remove(at: 4)
        relinked.append(AuditChain.next(after: entries[2], at: start, actor: "x", action: "purge", caseID: "", detail: ""))
        #expect(AuditChain.verify(relinked) == .gap(expected: 5, found: 4))
        // Fields are length-prefixed: moving text between fields changes the digest.
        #expect(
            AuditChain.digest(sequence: 1, at: start, actor: "ab", action: "c", caseID: "", detail: "", previous: "")
                != AuditChain.digest(sequence: 1, at: start, actor: "a", action: "bc", caseID: "", detail: "", previous: ""))
    }
}
