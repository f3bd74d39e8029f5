import Leaf
import LeafKit
import VertrouwdCore

/// `#t("login.title")` or `#t("greeting", name)`: a text from the catalog in the request's language.
/// The result is HTML-escaped like any other Leaf output; arguments never reach the page unescaped.
struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else {
            throw LeafError(.unknownError("#t needs a translation key"))
        }
        return .string(Self.text(key, Array(ctx.parameters.dropFirst()), ctx))
    }

    /// The text for `key` with `arguments` in `{0}`, `{1}`…, unescaped. Shared with `#fieldError`, so a
    /// field's error reads exactly as `#t` would write it.
    static func text(_ key: String, _ arguments: [LeafData], _ ctx: LeafContext) -> String {
        guard let request = ctx.request else { return key }
        return request.vertrouwd.catalog.text(key, in: request.language, arguments.map { $0.string ?? "" })
    }
}
