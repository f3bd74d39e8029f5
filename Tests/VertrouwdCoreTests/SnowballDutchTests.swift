import Foundation
import Testing

@testable import VertrouwdCore

/// Snowball's Dutch stemmer agrees with the reference implementation (PyPI's `snowballstemmer`
/// 3.1.1, stemmer `dutch`) on every word of the Dutch knowledge base and the guide.
@Suite("Snowball Dutch stemmer")
struct SnowballDutchTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    @Test func agreesWithTheReferenceOnEveryWordOfTheKnowledgeBase() throws {
        let pairs = try String(contentsOf: Self.root.appendingPathComponent("Fixtures/snowball-dutch.tsv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(pairs.count > 1_000)
        var wrong: [String] = []
        for pair in pairs where pair.count == 2 {
            let stem = SnowballDutch.stem(pair[0])
            if stem != pair[1] { wrong.append("\(pair[0]) → \(stem), expected \(pair[1])") }
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(pairs.count): \(wrong.prefix(40).joined(separator: "; "))")
    }
}
