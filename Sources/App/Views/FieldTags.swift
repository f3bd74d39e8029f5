import Leaf
import LeafKit

/// The parts of a form field that depend on its error, written by tags so that every form gets the
/// same accessible markup (GOV.UK / NL Design System): label, optional hint, the error message with
/// id `<field>-error` before the control, and on the control `aria-invalid` and an
/// `aria-describedby` that lists the hint and error ids.
///
///     <div class="#fieldClass("code")">
///     <label for="code">#t("home.find.label")</label>
///     <p class="hint" id="code-hint">#t("home.find.hint")</p>
///     #fieldError("code")
///     <input id="code" name="code" type="text"#fieldAria("code", "code-hint")>
///     </div>
///
/// Tags, not a partial: Leaf 4 cannot pass a field name to an `#extend`ed template (only a whole
/// dictionary from the context) and cannot look up `errors.byField[name]` by a variable, so a wrapper
/// partial would need a context entry per field. The tags read the page's `errors` (a `FormErrors`)
/// from the context themselves; a page without `errors` renders every field as valid.
///
/// The first argument is the field name, a literal or a value from the context (the optional
/// registration questions write `#fieldError(question.field)`): the id of the control (or fieldset)
/// that the error summary links to, and the prefix of the error's id.
enum FieldTags {
    static var all: [String: any LeafTag] {
        [
            "fieldClass": FieldClassTag(),
            "fieldError": FieldErrorTag(),
            "fieldAria": FieldAriaTag(marksInvalid: true),
            "fieldsetAria": FieldAriaTag(marksInvalid: false),
        ]
    }

    /// The field name (first argument) and the key of its error, if the page has one for it.
    static func field(_ ctx: LeafContext, tag: String) throws -> (name: String, errorKey: String?) {
        guard let name = ctx.parameters.first?.string, !name.isEmpty else {
            throw LeafError(.unknownError("#\(tag) needs a field name"))
        }
        let errorKey = ctx.data["errors"]?.dictionary?["byField"]?.dictionary?[name]?.string
        return (name, errorKey)
    }
}

/// `#fieldClass("email")`: the wrapper's classes, `field` or `field has-error`. Escaped like any
/// other tag output (it is constant text).
struct FieldClassTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        .string(try FieldTags.field(ctx, tag: "fieldClass").errorKey == nil ? "field" : "field has-error")
    }
}

/// `#fieldError("email")` or `#fieldError("email", minutes)`: nothing, or the error message
/// `<p class="error-message" id="email-error">…</p>`, translated like `#t(key, arguments…)`.
/// Unescaped because it is markup; the id and the text are escaped here.
struct FieldErrorTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        let field = try FieldTags.field(ctx, tag: "fieldError")
        guard let key = field.errorKey else { return .string("") }
        let text = TranslateTag.text(key, Array(ctx.parameters.dropFirst()), ctx)
        return .string(#"<p class="error-message" id="\#(field.name.htmlEscaped())-error">\#(text.htmlEscaped())</p>"#)
    }
}

/// `#fieldAria("email", "email-hint")`, written inside the control's tag: ` aria-invalid="true"`
/// when the field has an error, and ` aria-describedby` with the given hint ids followed by
/// `email-error`; nothing when there is neither. `#fieldsetAria` is the same for a `<fieldset>` of
/// radio buttons or checkboxes, without `aria-invalid` (not allowed on a group; the controls inside
/// carry none, as in the GOV.UK pattern). Empty or missing hint ids are skipped. Unescaped because
/// it is attributes; the ids are escaped here.
struct FieldAriaTag: UnsafeUnescapedLeafTag {
    let marksInvalid: Bool

    func render(_ ctx: LeafContext) throws -> LeafData {
        let field = try FieldTags.field(ctx, tag: marksInvalid ? "fieldAria" : "fieldsetAria")
        var ids = ctx.parameters.dropFirst().compactMap(\.string).filter { !$0.isEmpty }
        if field.errorKey != nil { ids.append("\(field.name)-error") }
        var attributes = ""
        if marksInvalid, field.errorKey != nil { attributes += #" aria-invalid="true""# }
        if !ids.isEmpty { attributes += #" aria-describedby="\#(ids.joined(separator: " ").htmlEscaped())""# }
        return .string(attributes)
    }
}
