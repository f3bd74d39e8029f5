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
        guard let request = ctx.request else { return .string(key) }
        let arguments = ctx.parameters.dropFirst().map { $0.string ?? "" }
        return .string(request.vertrouwd.catalog.text(key, in: request.language, Array(arguments)))
    }
}
