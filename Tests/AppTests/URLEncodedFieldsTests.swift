import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

/// The guide's own form reader must read every body the way Vapor's decoder does, and refuse what
/// Vapor's decoder refuses.
@Suite("URL-encoded fields")
struct URLEncodedFieldsTests {
    /// Characters a form value may hold, the awkward ones included.
    static let alphabet = Array("ab Z09-_.~+&=%/?#;:@\"'<>é€ĳ😀\n\t")
    static let names = ["a[]", "answer", "action", "x y", "née"]

    static func encoded(_ text: String, plusForSpace: Bool) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let escaped = text.addingPercentEncoding(withAllowedCharacters: allowed.union(plusForSpace ? [" "] : [])) ?? ""
        return plusForSpace ? escaped.replacingOccurrences(of: " ", with: "+") : escaped
    }

    @Test func readsBackWhatWasEncoded() throws {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let fields = (0..<Int.random(in: 0...6, using: &generator)).map { _ in
                (
                    Self.names.randomElement(using: &generator)!,
                    String((0..<Int.random(in: 0...12, using: &generator)).map { _ in Self.alphabet.randomElement(using: &generator)! })
                )
            }
            let plus = Bool.random(using: &generator)
            let body = fields.map { Self.encoded($0.0, plusForSpace: plus) + "=" + Self.encoded($0.1, plusForSpace: plus) }
                .joined(separator: "&")
            let read = try #require(URLEncodedFields(Array(body.utf8)), "\(body)")
            #expect(read.all("a[]") == fields.filter { $0.0 == "a[]" }.map(\.1), "\(body)")
            #expect(read.value("answer") == fields.last { $0.0 == "answer" }?.1, "\(body)")
            #expect(read.value("née") == fields.last { $0.0 == "née" }?.1, "\(body)")
        }
    }

    @Test func agreesWithVaporsDecoderOnTheGuidesForm() throws {
        var generator = SplitMix64(seed: 11)
        // Vapor splits a plain field's value at "," and "|"; the guide's values never hold them.
        let values = Array("abc:_-09 +é%&=")
        for _ in 0..<300 {
            let fields = (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                (
                    ["a[]", "answer", "action"].randomElement(using: &generator)!,
                    String((1...Int.random(in: 1...10, using: &generator)).map { _ in values.randomElement(using: &generator)! })
                )
            }
            let body = fields.map { $0.0 + "=" + Self.encoded($0.1, plusForSpace: true) }.joined(separator: "&")
            let vapor = try URLEncodedFormDecoder().decode(GuideController.GuideForm.self, from: body)
            let ours = try #require(URLEncodedFields(Array(body.utf8)))
            #expect(ours.all("a[]") == (vapor.a ?? []), "\(body)")
            #expect(ours.value("answer") == vapor.answer, "\(body)")
            #expect(ours.value("action") == vapor.action, "\(body)")
        }
    }

    @Test func refusesBrokenEscapesAndBytesThatAreNotText() {
        for body in ["a=%", "a=%4", "a=%zz", "answer=%C3", "%FF=1", "a=1&b=%e2%82"] {
            #expect(URLEncodedFields(Array(body.utf8)) == nil, "\(body)")
        }
        #expect(URLEncodedFields(Array("".utf8))?.value("a") == nil)
        #expect(URLEncodedFields(Array("a&&b=".utf8)).map { $0.all("a") + $0.all("b") } == ["", ""])
    }

    @Test func theGuideReadsItsStepsThroughIt() async throws {
        try await withTestApp { app, _ in
            _ = try await Fixtures.organisation(app)
            let path = "/o/acme/wegwijzer"
            let sent = try await app.testing().sendRequest(
                .POST, path, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "answer=safe&action=next"))
            #expect(sent.status == .ok)
            // A question further on: the first question's answer is carried as a hidden field.
            #expect(sent.body.string.contains(#"name="a[]""#))
            let broken = try await app.testing().sendRequest(
                .POST, path, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: ByteBuffer(string: "answer=%zz"))
            // Read as an empty form, as Vapor's decoder would: the guide asks its first question again.
            #expect(broken.status == .unprocessableEntity)
        }
    }
}
