import Foundation
import VertrouwdCore

/// How often the knowledge base's search puts the right article where a person sees it: for every
/// query in `benchmarks/search-quality/<language>[-set].tsv` (one per line, `query<TAB>slug[,slug]`), the
/// rank of the first expected article in what the search page shows. Prints the share found first and
/// in the top 3, the mean reciprocal rank, and each query that missed the top 3.
func searchQualityBenchmark(directory: String) throws {
    let base = try KnowledgeBase.load(from: URL(fileURLWithPath: "Resources/KnowledgeBase"))
    let synonyms = try KnowledgeSearch.synonyms(in: [URL(fileURLWithPath: "Resources/Search")])
    let search = KnowledgeSearch(knowledgeBase: base, synonyms: synonyms)
    if let at = CommandLine.arguments.firstIndex(of: "--explain"), at + 2 < CommandLine.arguments.count,
        let language = Language(rawValue: CommandLine.arguments[at + 1])
    {
        let query = CommandLine.arguments[at + 2]
        print(search.indexes[language]?.explain(query) ?? "")
        for hit in search.search(query, in: language).prefix(6) { print(String(format: "%7.3f  ", hit.score) + hit.id) }
        return
    }
    print("Search quality over the real knowledge base, as the search page ranks it")
    row(["query set", "queries", "top 1", "top 3", "MRR"])
    var misses: [String] = []
    let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".tsv") }.sorted()
    for file in files {
        let name = String(file.dropLast(4))
        guard let language = Language(rawValue: String(name.prefix { $0 != "-" })) else { continue }
        let path = "\(directory)/\(file)"
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        var first = 0, topThree = 0, reciprocal = 0.0
        for (number, line) in lines.enumerated() {
            let columns = line.split(separator: "\t")
            guard columns.count == 2 else { throw BenchmarkFailure.badLine(path, number + 1) }
            let expected = Set(columns[1].split(separator: ",").map(String.init))
            for slug in expected where base.article(slug, in: language) == nil { throw BenchmarkFailure.unknownArticle(path, slug) }
            let ranked = search.search(String(columns[0]), in: language).map(\.id)
            let rank = ranked.firstIndex(where: expected.contains).map { $0 + 1 }
            if rank == 1 { first += 1 }
            if let rank, rank <= 3 {
                topThree += 1
            } else {
                let shown = ranked.prefix(3).joined(separator: ", ")
                misses.append("\(name)  \(columns[0])  → \(shown) (wanted \(columns[1]), rank \(rank.map(String.init) ?? "none"))")
            }
            reciprocal += rank.map { 1 / Double($0) } ?? 0
        }
        let count = Double(lines.count)
        row([
            name, "\(lines.count)", String(format: "%.1f%%", Double(first) / count * 100),
            String(format: "%.1f%%", Double(topThree) / count * 100), String(format: "%.3f", reciprocal / count),
        ])
    }
    print("goal: 95% in the top 3")
    if !misses.isEmpty { print("not in the top 3:") }
    for miss in misses { print("  " + miss) }
}

enum BenchmarkFailure: Error, CustomStringConvertible {
    case badLine(String, Int)
    case unknownArticle(String, String)

    var description: String {
        switch self {
        case .badLine(let path, let line): "\(path):\(line): expected query<TAB>slug[,slug]"
        case .unknownArticle(let path, let slug): "\(path): no article \(slug)"
        }
    }
}
