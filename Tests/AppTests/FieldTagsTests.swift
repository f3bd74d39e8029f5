import Foundation
import LeafKit
import Testing
import Vapor

@testable import App

@Suite("Form field tags")
struct FieldTagsTests {
    /// Templates from a dictionary instead of Resources/Views.
    struct Templates: LeafSource {
        let files: [String: String]

        func file(template: String, escape: Bool, on eventLoop: any EventLoop) throws -> EventLoopFuture<ByteBuffer> {
            guard let text = files[template] else { throw LeafError(.noTemplateExists(template)) }
            return eventLoop.makeSucceededFuture(ByteBuffer(string: text))
        }
    }

    /// Renders `template` with the field tags and a page whose `errors.byField` is `byField`, plus
    /// `more`. There is no request, so `#fieldError` writes the key itself as the text (as `#t` does).
    func render(_ template: String, byField: [String: String], _ more: [String: LeafData] = [:]) async throws -> String {
        let renderer = LeafRenderer(
            configuration: LeafConfiguration(rootDirectory: "/"), tags: FieldTags.all,
            sources: .singleSource(Templates(files: ["page": template])), eventLoop: MultiThreadedEventLoopGroup.singleton.any())
        let errors: LeafData = .dictionary(["byField": .dictionary(byField.mapValues { .string($0) })])
        let context = more.merging(["errors": errors]) { $1 }
        return String(buffer: try await renderer.render(path: "page", context: context).get())
    }

    static let field =
        ##"<div class="#fieldClass("email")">#fieldError("email", minutes)"##
        + ##"<input id="email"#fieldAria("email", "email-hint")></div>"##

    @Test func aFieldWithAnErrorGetsTheWholePattern() async throws {
        #expect(
            try await render(Self.field, byField: ["email": "login.error.email"])
                == #"<div class="field has-error"><p class="error-message" id="email-error">login.error.email</p>"#
                + #"<input id="email" aria-invalid="true" aria-describedby="email-hint email-error"></div>"#)
    }

    @Test func aValidFieldKeepsOnlyItsHint() async throws {
        #expect(
            try await render(Self.field, byField: ["password": "login.error.password"])
                == #"<div class="field"><input id="email" aria-describedby="email-hint"></div>"#)
        #expect(try await render(#"<input#fieldAria("email")>"#, byField: [:]) == "<input>")
    }

    @Test func aFieldsetIsDescribedButNotMarkedInvalid() async throws {
        #expect(
            try await render(#"<fieldset#fieldsetAria("kinds", "kinds-hint")>"#, byField: ["kinds": "x"])
                == #"<fieldset aria-describedby="kinds-hint kinds-error">"#)
    }

    @Test func theFieldNameMayComeFromTheContext() async throws {
        #expect(
            try await render(
                "#for(question in questions):#fieldError(question)#endfor", byField: ["gender": "registration.error.choice"],
                ["questions": .array([.string("gender")])])
                == #"<p class="error-message" id="gender-error">registration.error.choice</p>"#)
    }

    @Test func textAndIdsAreEscaped() async throws {
        let page = try await render(
            #"#fieldError(name)<input#fieldAria(name, hint)>"#, byField: [#"a"b"#: #"<script>alert("x")</script> & 'y'"#],
            ["name": .string(#"a"b"#), "hint": .string("<hint>")])
        #expect(!page.contains("<script>") && !page.contains(#"a"b"#) && !page.contains("<hint>"))
        #expect(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"))
        #expect(page.contains(#"id="a&quot;b-error""#) && page.contains(#"aria-describedby="&lt;hint&gt; a&quot;b-error""#))
    }

    @Test func aTagWithoutAFieldNameFailsTheRender() async throws {
        await #expect(throws: (any Error).self) { try await render("#fieldError()", byField: [:]) }
    }

    /// The shared tags are the only way a view writes a field's error state: a copy by hand is how the
    /// ~70 copies drifted before (missing ids, missing aria-describedby). `errors.byField` may still
    /// decide other things, such as opening a `<details>` that holds the field.
    @Test func noViewWritesTheFieldErrorMarkupByHand() throws {
        let views = packageRoot.appendingPathComponent("Resources/Views")
        let files = try #require(FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil))
        var checked = 0
        for case let file as URL in files where file.pathExtension == "leaf" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("errors.byField") {
                for handWritten in ["error-message", "has-error", "aria-invalid", "aria-describedby"] {
                    #expect(!line.contains(handWritten), "\(file.lastPathComponent): \(line)")
                }
            }
            checked += 1
        }
        #expect(checked > 50)
    }
}
