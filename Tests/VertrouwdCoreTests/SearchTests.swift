import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Search")
struct SearchTests {
    /// The same indexes the app builds, with the shipped synonyms, once for all tests.
    static let search = Result {
        KnowledgeSearch(
            knowledgeBase: try KnowledgeBaseTests.load(),
            synonyms: try KnowledgeSearch.synonyms(in: [KnowledgeBaseTests.root.appendingPathComponent("Resources/Search")]))
    }
    static let indexes = Result { try search.get().indexes }

    static func index(_ language: Language) throws -> SearchIndex {
        try #require(try indexes.get()[language])
    }

    @Test(
        "Dutch word forms find the article on bullying",
        arguments: ["gepest", "pesterijen", "pesten", "PESTEN", "word ik gepest?", "pestn"])
    func dutchForms(query: String) throws {
        let hits = try Self.index(.dutch).search(query)
        #expect(hits.first?.id == "pesten", "\(query) → \(hits.prefix(3).map(\.id))")
    }

    @Test("English word forms", arguments: ["bullied", "bullying", "bully"])
    func englishForms(query: String) throws {
        #expect(try Self.index(.english).search(query).first?.id == "pesten")
    }

    @Test func diacriticsAreIgnoredAndRankingPrefersTitles() throws {
        let index = try Self.index(.dutch)
        #expect(try index.search("discriminatie").first?.id == "discriminatie")
        #expect(index.search("klokkenluiders").contains { $0.id == "intern-of-extern-melden" })
        #expect(index.search("huis voor klokkenluiders").first != nil)
        #expect(index.search("").isEmpty)
        #expect(index.search("de het een").isEmpty)
        #expect(index.search("xqzwv").isEmpty)
    }

    @Test func snippetsFlagTheMatches() throws {
        let hit = try #require(try Self.index(.dutch).search("gepest").first)
        #expect(hit.snippet.contains { $0.isMatch })
        let analyzer = Analyzer(language: .dutch)
        #expect(hit.snippet.filter(\.isMatch).allSatisfy { analyzer.terms(of: $0.text).contains { $0.contains("pest") } })
    }

    @Test func stemsMeet() {
        for word in ["gepest", "pesten", "pesterijen", "pesterij", "pest"] {
            #expect(Stemmer.stem(word, language: .dutch) == "pest", "\(word)")
        }
        for word in ["melden", "gemeld", "melding", "meldingen"] { #expect(Stemmer.stem(word, language: .dutch) == "meld", "\(word)") }
        #expect(Stemmer.stem("stappen", language: .dutch) == "stap")
        for word in ["bullied", "bullies", "bullying"] { #expect(Stemmer.stem(word, language: .english) == "bulli", "\(word)") }
    }

    @Test func editDistance() {
        #expect(EditDistance.within("pest", "pets", limit: 1))
        #expect(EditDistance.within("discriminatie", "discrimnatie", limit: 1))
        #expect(!EditDistance.within("pest", "melding", limit: 2))
        #expect(EditDistance.within("", "ab", limit: 2))
        #expect(!EditDistance.within("", "abc", limit: 2))
    }
}
