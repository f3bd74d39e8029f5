import Foundation
import Testing

@testable import VertrouwdCore

/// Snowball's Dutch and English stemmers agree with the reference implementation (PyPI's
/// `snowballstemmer` 3.1.1, stemmers `dutch` and `english`) on every word of that language's
/// knowledge base and the guide, and on words that take the algorithms' exceptions
/// (`scripts/snowball-reference.py` writes the reference files).
@Suite("Snowball stemmers")
struct SnowballStemmerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    @Test(arguments: ["dutch", "english"])
    func agreesWithTheReferenceOnEveryWord(_ language: String) throws {
        let stem = { (word: String) in language == "dutch" ? SnowballDutch.stem(word) : SnowballEnglish.stem(word) }
        let pairs = try String(contentsOf: Self.root.appendingPathComponent("Fixtures/snowball-\(language).tsv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(pairs.count > 1_000)
        var wrong: [String] = []
        for pair in pairs where pair.count == 2 {
            let stemmed = stem(pair[0])
            if stemmed != pair[1] { wrong.append("\(pair[0]) → \(stemmed), expected \(pair[1])") }
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(pairs.count): \(wrong.prefix(40).joined(separator: "; "))")
    }
}
