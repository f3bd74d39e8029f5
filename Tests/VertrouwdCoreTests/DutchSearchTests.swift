import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Search: compounds, synonyms, typos and titles")
struct DutchSearchTests {
    static func splitter(_ known: Set<String>) -> CompoundSplitter { CompoundSplitter { known.contains($0) } }

    @Test func compoundsSplitIntoKnownWordsWithTheirLinkingLetters() {
        let splitter = Self.splitter(["milieu", "vervuiling", "beroep", "geheim", "pest", "gedrag", "klacht", "commissie"])
        #expect(splitter.bothParts(of: "milieuvervuiling") == ["milieu", "vervuiling"])
        #expect(splitter.bothParts(of: "beroepsgeheim") == ["beroep", "geheim"])  // linking -s-
        #expect(splitter.bothParts(of: "klachtencommissie") == ["klacht", "commissie"])  // linking -en-
        #expect(splitter.bothParts(of: "pestgedrag") == ["pest", "gedrag"])
        #expect(splitter.bothParts(of: "geheim") == nil)
        #expect(splitter.bothParts(of: "vertelde") == nil)
        // A query word whose head alone is known is still searched by its head.
        #expect(splitter.bothParts(of: "bedrijfsgeheim") == nil)
        #expect(splitter.queryParts(of: "bedrijfsgeheim") == ["geheim"])
        #expect(splitter.queryParts(of: "xyzzyplugh") == nil)
    }

    @Test func snowballFormsOfOneWordShareATerm() {
        let analyzer = Analyzer(language: .dutch)
        func shareATerm(_ a: String, _ b: String) -> Bool {
            !Set(analyzer.terms(a, folded: Tokenizer.fold(a))).isDisjoint(with: analyzer.terms(b, folded: Tokenizer.fold(b)))
        }
        for (a, b) in [
            ("discriminatie", "discrimineren"), ("discriminatie", "gediscrimineerd"), ("intimidatie", "intimiderend"),
            ("melden", "gemeld"), ("melding", "meldingen"), ("gepest", "pesten"), ("seksuele", "seksueel"), ("dreigt", "dreigen"),
            ("scheldt", "schelden"), ("racistiese", "racistische"),
            ("geïntimideerd", "intimideren"),
        ] {
            #expect(shareATerm(a, b), "\(a) / \(b)")
        }
        #expect(!shareATerm("pesten", "posten"))
        let dutch = analyzer.words("De en het").map { $0.terms.isEmpty }
        #expect(dutch == [true, true, true])
        let english = Analyzer(language: .english).words("the die").map { $0.terms.isEmpty }
        #expect(english == [true, false])
    }

    static let analyzer = Analyzer(language: .dutch)

    @Test func synonymFilesLoadAndWidenAQuery() throws {
        let synonyms = try Synonyms(
            parsing: "# comment\r\n\r\ntreiteren, getreiter => pesten\r\nhandtastelijk => seksuele intimidatie, ongewenste aanraking\n",
            file: "synonyms.nl.txt", analyzer: Self.analyzer)
        #expect(synonyms.words(for: Self.analyzer.terms(of: "getreiterd").flatMap { $0 }) == ["pesten"])
        #expect(
            synonyms.words(for: Self.analyzer.terms(of: "handtastelijke").flatMap { $0 }) == [
                "seksuele", "intimidatie", "ongewenste", "aanraking",
            ])
        #expect(synonyms.words(for: ["onbekend"]).isEmpty)
    }

    @Test(
        "A bad synonym line stops loading with its file and line",
        arguments: [
            ("pesten\n", "expected words => words, with one =>"), ("a => b => c\n", "expected words => words, with one =>"),
            (" => pesten\n", "a side of => is empty"), ("treiteren =>\n", "a side of => is empty"),
            ("uit de hoogte => intimidatie\n", "\"uit de hoogte\": left of => only single words"),
            ("de => pesten\n", "\"de\" is too common a word to search"),
            ("treiteren => de het\n", "right of => holds only words too common to search"),
        ])
    func badSynonymLines(line: String, reason: String) {
        #expect(throws: Synonyms.Failure(file: "synonyms.nl.txt", line: 2, reason: reason)) {
            try Synonyms(parsing: "# first line\n" + line, file: "synonyms.nl.txt", analyzer: Self.analyzer)
        }
    }

    static func index(_ documents: [(String, String, String)], synonyms: Synonyms = .none) -> SearchIndex {
        SearchIndex(
            documents: documents.map { SearchIndex.Document(id: $0.0, title: $0.1, summary: "", body: $0.2) }, language: .dutch,
            synonyms: synonyms)
    }

    @Test func anExactMatchRanksBeforeATypoAndATitleBeforeAPassingMention() {
        let index = Self.index([
            ("posten", "Posten", "Over posten op sociale media en wat je daarbij let."),
            ("pesten", "Pesten", "Over pesten op het werk."),
            ("overleg", "Overleg", "Een klacht, nog een klacht, weer een klacht: in elk overleg gaat het over klachten en meldingen."),
            ("klacht", "Een klacht indienen", "Hoe de commissie werkt."),
        ])
        #expect(index.search("pesten").map(\.id) == ["pesten"])  // no near miss when the word itself is there
        #expect(index.search("pestn").first?.id == "pesten")
        #expect(index.search("klacht").first?.id == "klacht")
    }

    @Test func compoundsAndSeparableVerbsMeetTheirParts() throws {
        let synonyms = try Synonyms(parsing: "uitlachen => pesten\n", file: "s", analyzer: Self.analyzer)
        let index = Self.index(
            [
                ("milieu", "Misstanden", "Vervuiling van het milieu door een bedrijf."),
                ("pesten", "Pesten", "Wat pesten is."),
                ("gedrag", "Omgangsvormen", "Gedrag dat niet past, zoals pestgedrag."),
            ], synonyms: synonyms)
        #expect(index.search("milieuvervuiling").first?.id == "milieu")
        #expect(index.search("pesten").map(\.id).contains("gedrag"))  // "pestgedrag" holds "pest"
        #expect(index.search("ze lachen me steeds uit").first?.id == "pesten")
    }

    @Test(
        "Everyday Dutch finds the article",
        arguments: [
            ("mijn collega pest me", "pesten"), ("getreiter", "pesten"), ("treiteren", "pesten"), ("racisme", "discriminatie"),
            ("discrimineren", "discriminatie"), ("intimiderend", "intimidatie"), ("handtastelijk", "seksuele-intimidatie"),
            ("uitschelden", "intimidatie"), ("milieuvervuiling", "misstanden-maatschappij"),
            ("beroepsgeheim", "vertrouwelijkheid-en-grenzen"),
            ("hoe houd ik bij wat er gebeurt", "documenteren"),
        ])
    func everydayDutch(query: String, article: String) throws {
        let hits = try SearchTests.search.get().search(query, in: .dutch).prefix(3).map(\.id)
        #expect(hits.contains(article), "\(query) → \(hits)")
    }
}
