import Crypto
import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Journal: keys, chain and patterns")
struct JournalTests {
    static let fast = ScryptPasswordHasher.Parameters.fastForTests

    @Test func aPhraseOpensItsJournalAndNoOtherDoes() throws {
        let receipt = Receipt.generate()
        let key = try JournalKey.derive(phrase: receipt.description, parameters: Self.fast)
        let again = try JournalKey.derive(
            phrase: receipt.description.lowercased().replacingOccurrences(of: "-", with: " "), parameters: Self.fast)
        let journal = UUID()
        let sealed = try key.seal(Array("Dinsdag: Jan schreeuwde".utf8), journalID: journal, sequence: 1)
        #expect(try again.open(sealed, journalID: journal, sequence: 1) == Array("Dinsdag: Jan schreeuwde".utf8))
        #expect(key.lookupDigest(instanceSecret: [1, 2, 3]) == again.lookupDigest(instanceSecret: [1, 2, 3]))
        #expect(key.lookupDigest(instanceSecret: [1, 2, 3]) != key.lookupDigest(instanceSecret: [4, 5, 6]))
        let wrong = try JournalKey.derive(phrase: Receipt.generate().description, parameters: Self.fast)
        #expect(throws: CryptoFailure.cannotOpen) { try wrong.open(sealed, journalID: journal, sequence: 1) }
        // Moved to another place in the journal, or another journal, it does not open either.
        #expect(throws: CryptoFailure.cannotOpen) { try key.open(sealed, journalID: journal, sequence: 2) }
        #expect(throws: CryptoFailure.cannotOpen) { try key.open(sealed, journalID: UUID(), sequence: 1) }
        // An own passphrase is normalised (spaces, composed accents), not case-folded.
        let own = try JournalKey.derive(phrase: "  mijn  café heeft zeven blauwe deuren ", parameters: Self.fast)
        let same = try JournalKey.derive(phrase: "mijn cafe\u{301} heeft zeven blauwe deuren", parameters: Self.fast)
        #expect(own.lookupDigest(instanceSecret: [9]) == same.lookupDigest(instanceSecret: [9]))
        let other = try JournalKey.derive(phrase: "Mijn café heeft zeven blauwe deuren", parameters: Self.fast)
        #expect(own.lookupDigest(instanceSecret: [9]) != other.lookupDigest(instanceSecret: [9]))
    }

    @Test func weakPassphrasesAreRefused() {
        for weak in ["kort", "wachtwoord123456", "aaaaaaaaaaaaaaaaaaaa", "abcdefghijklmnopqrst", "1234567890123456", "qwertyqwertyqwerty"] {
            #expect(!PassphrasePolicy.problems(weak).isEmpty, "\(weak) was accepted")
        }
        for strong in ["de kat slaapt op zeven groene stoelen", "Fietsen-naar-Zwolle-in-1987!", "mijn café heeft zeven blauwe deuren"] {
            #expect(PassphrasePolicy.problems(strong).isEmpty, "\(strong) was refused")
        }
        #expect(PassphrasePolicy.problems(Receipt.generate().description).isEmpty, "a generated key phrase always passes")
    }

    @Test func theChainShowsAnEditedRemovedOrReorderedVersion() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var links: [JournalChain.Link] = []
        var contents: [[UInt8]] = []
        let ids = [UUID(), UUID()]
        for (index, (id, text)) in [(ids[0], "eerste"), (ids[1], "tweede"), (ids[0], "eerste, aangevuld")].enumerated() {
            let json = Array(#"{"what":"\#(text)"}"#.utf8)
            links.append(
                JournalChain.link(
                    after: links.last, entryID: id, version: index == 2 ? 2 : 1, at: start.addingTimeInterval(Double(index) * 60),
                    json: json))
            contents.append(json)
        }
        #expect(JournalChain.verify(links, contents: contents) == nil)
        var edited = contents
        edited[1] = Array(#"{"what":"iets anders"}"#.utf8)
        #expect(JournalChain.verify(links, contents: edited) == .contentChanged(sequence: 2))
        var removed = links
        removed.remove(at: 1)
        #expect(JournalChain.verify(removed) == .gap(expected: 2))
        let reordered = [links[0], links[2], links[1]]
        #expect(JournalChain.verify(reordered) == .gap(expected: 2))
        let forged = JournalChain.Link(
            sequence: 2, entryID: links[1].entryID, version: 1, writtenAt: "2020-01-01T00:00:00Z", contentDigest: links[1].contentDigest,
            previous: links[1].previous, digest: links[1].digest)
        #expect(JournalChain.verify([links[0], forged, links[2]]) == .altered(sequence: 2), "a back-dated version shows")
    }

    func entry(_ date: String, _ people: [String], _ kinds: [Kind] = []) -> JournalEntry {
        JournalEntry(date: date, people: people, what: "voorval", kinds: kinds)
    }

    @Test func aWeeklyRemarkByTheSameManagerLooksStructural() {
        // Every Tuesday for three months.
        var entries: [JournalEntry] = []
        let calendar = FormalReportDeadlines.calendar
        var day = calendar.date(from: DateComponents(year: 2026, month: 3, day: 3))!
        for index in 0..<13 {
            let parts = calendar.dateComponents([.year, .month, .day], from: day)
            let name = index % 2 == 0 ? "Jan de Boer" : "jan de  boer"
            entries.append(entry(String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!), [name], [.bullying]))
            day = calendar.date(byAdding: .day, value: 7, to: day)!
        }
        let summary = JournalSummary(entries)
        #expect(summary.pattern == .structural)
        #expect(summary.suggestsHelp)
        #expect(summary.recurring == [JournalSummary.Recurring(name: "Jan de Boer", count: 13)])
        #expect(summary.spanDays == 84)
        #expect(abs((summary.perWeek ?? 0) - 13.0 / 12.0) < 0.01)
        #expect(summary.kinds.first?.kind == .bullying && summary.kinds.first?.count == 13)
    }

    @Test func oneIncidentIsIncidentalAndScatteredOnesAreOnlyRepeated() {
        let single = JournalSummary([entry("2026-05-12", ["Klant"])])
        #expect(single.pattern == .incidental && !single.suggestsHelp && single.perWeek == nil)
        let scattered = JournalSummary([entry("2026-05-01", ["A"]), entry("2026-05-09", ["B"]), entry("2026-05-20", ["C"])])
        #expect(scattered.pattern == .repeated && scattered.recurring.isEmpty)
        // Three times the same person within a few days is not yet "over weeks".
        let burst = JournalSummary([entry("2026-05-01", ["A"]), entry("2026-05-02", ["A"]), entry("2026-05-03", ["A"])])
        #expect(burst.pattern == .repeated)
        #expect(JournalSummary([]).pattern == .empty)
        #expect(JournalEntry.names("Jan, jan ; Piet\n\n Marie ") == ["Jan", "Piet", "Marie"])
    }
}
