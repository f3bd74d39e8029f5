import Foundation
import Ink

/// Turns an article file (front matter + Markdown) into an `Article`.
public enum ArticleParser {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case missingFrontMatter(String)
        case missingField(String, field: String)
        case invalidField(String, field: String, value: String)

        public var description: String {
            switch self {
            case .missingFrontMatter(let file): "\(file): no front matter block"
            case .missingField(let file, let field): "\(file): front matter lacks \(field)"
            case .invalidField(let file, let field, let value): "\(file): \(field) has an invalid value '\(value)'"
            }
        }
    }

    public static func parse(_ text: String, file: String) throws -> Article {
        let (fields, body) = try frontMatter(text, file: file)
        func required(_ key: String) throws -> String {
            guard let value = fields[key], !value.isEmpty else { throw Failure.missingField(file, field: key) }
            return value
        }
        let languageCode = try required("language")
        guard let language = Language(rawValue: languageCode) else {
            throw Failure.invalidField(file, field: "language", value: languageCode)
        }
        let theme = try required("theme")
        guard ArticleTheme(rawValue: theme) != nil else { throw Failure.invalidField(file, field: "theme", value: theme) }
        let audience = try required("audience")
        guard ArticleAudience(rawValue: audience) != nil else { throw Failure.invalidField(file, field: "audience", value: audience) }
        var kind: Kind?
        if let raw = fields["kind"] {
            guard let parsed = Kind(rawValue: raw) else { throw Failure.invalidField(file, field: "kind", value: raw) }
            kind = parsed
        }
        let rendered = render(body)
        return Article(
            slug: try required("slug"), language: language, title: try required("title"), theme: theme, audience: audience,
            summary: try required("summary"),
            related: (fields["related"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            kind: kind, renderedBody: rendered.html, headings: rendered.headings, plainText: plainText(fromHTML: rendered.html),
            links: rendered.links)
    }

    /// `---` / `key: value` lines / `---`, then the body.
    static func frontMatter(_ text: String, file: String) throws -> ([String: String], String) {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---",
            let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" })
        else { throw Failure.missingFrontMatter(file) }
        var fields: [String: String] = [:]
        for line in lines[1..<end] {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (fields, lines[(end + 1)...].joined(separator: "\n"))
    }

    /// Markdown to HTML with Ink. Raw HTML in the source is escaped first: articles are text, and an
    /// article written by an organisation must never carry markup or script into a page.
    public static func render(_ markdown: String) -> (html: String, headings: [Article.Heading], links: [String]) {
        let escaped = markdown.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
            // Block quotes are the one Markdown construct that needs `>` at a line start.
            .replacingOccurrences(of: "\n&gt; ", with: "\n> ")
        var html = MarkdownParser().html(from: escaped)
        var headings: [Article.Heading] = []
        var used: Set<String> = []
        // Give each h2 an id for the table of contents.
        html = replacing(in: html, pattern: "<h2>(.*?)</h2>") { groups in
            let text = plainText(fromHTML: groups[1])
            var id = slugify(text)
            while used.contains(id) { id += "-1" }
            used.insert(id)
            headings.append(Article.Heading(id: id, text: text))
            return "<h2 id=\"\(id)\">\(groups[1])</h2>"
        }
        // Only article links and safe schemes survive; anything else becomes plain text.
        var links: [String] = []
        html = replacing(in: html, pattern: "<a href=\"([^\"]*)\">(.*?)</a>") { groups in
            let target = groups[1]
            if target.hasPrefix("kb:") {
                let slug = String(target.dropFirst(3))
                links.append(slug)
                return "<a href=\"kb:\(slug)\">\(groups[2])</a>"
            }
            if target.hasPrefix("https://") || target.hasPrefix("tel:") || target.hasPrefix("mailto:") {
                return "<a href=\"\(target)\" rel=\"noreferrer noopener\">\(groups[2])</a>"
            }
            return groups[2]
        }
        return (html, headings, links)
    }

    static func replacing(in text: String, pattern: String, _ transform: ([String]) -> String) -> String {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) else { return text }
        var result = ""
        var last = text.startIndex
        for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let range = Range(match.range, in: text) else { continue }
            result += text[last..<range.lowerBound]
            let groups = (0..<match.numberOfRanges).map { index -> String in
                Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
            }
            result += transform(groups)
            last = range.upperBound
        }
        return result + text[last...]
    }

    public static func plainText(fromHTML html: String) -> String {
        let withoutTags = replacing(in: html, pattern: "<[^>]+>") { _ in " " }
        return withoutTags.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(
                of: "&#39;", with: "'"
            )
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    public static func slugify(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        let words = folded.split(whereSeparator: { !($0.isLetter || $0.isNumber) })
        return words.isEmpty ? "deel" : words.joined(separator: "-")
    }
}
