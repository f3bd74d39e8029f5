import Foundation
import Testing
import Vapor

@testable import App

/// The typed routes (issue 20): one `Endpoint` per path, used to register, to redirect and to link.
@Suite("Endpoints: one description of every path")
struct EndpointTests {
    static func spelled(_ components: [PathComponent]) -> String {
        "/" + components.map(\.description).joined(separator: "/")
    }

    @Test func everyEndpointIsRegisteredAndEveryRouteIsAnEndpoint() async throws {
        try await withTestApp { app, _ in
            let registered = Set(app.routes.all.map { Self.spelled($0.path) })
            let described = Set(Endpoint.allCases.map(\.pattern))
            #expect(registered.subtracting(described).isEmpty, "routes without an endpoint: \(registered.subtracting(described))")
            #expect(described.subtracting(registered).isEmpty, "endpoints never registered: \(described.subtracting(registered))")
            #expect(Set(Endpoint.allCases.map { Self.spelled($0.components) }) == described, "each pattern reads back as written")
        }
    }

    @Test func pathsFillTheirParametersInOrderAndEncodeThem() throws {
        let id = try #require(UUID(uuidString: "7D8E1C52-8C3B-4B57-9A7D-3C2A1F0E9B11"))
        #expect(Endpoint.home.path() == "/")
        #expect(Endpoint.casePage.path(id) == "/backoffice/cases/7D8E1C52-8C3B-4B57-9A7D-3C2A1F0E9B11")
        #expect(Endpoint.casePage.path(id, anchor: "notes-title") == "/backoffice/cases/7D8E1C52-8C3B-4B57-9A7D-3C2A1F0E9B11#notes-title")
        #expect(Endpoint.yearlyReport.path("acme", 2026) == "/backoffice/jaarverslag/acme/2026")
        #expect(Endpoint.article.path("acme", "a b/c?") == "/o/acme/kennisbank/a%20b%2Fc%3F", "a value stays one segment")
        #expect(Endpoint.caseAttachment.parameterCount == 2)
        #expect(Endpoint.backoffice.parameterCount == 0)
    }

    @Test func aPathFindsItsEndpointAndFixedSegmentsWin() {
        #expect(Endpoint.matching("/backoffice/cases/flag") == .flagCases)
        #expect(Endpoint.matching("/backoffice/cases/7D8E1C52-8C3B-4B57-9A7D-3C2A1F0E9B11") == .casePage)
        #expect(Endpoint.matching("/admin/organisations/new") == .adminNewOrganisation)
        #expect(Endpoint.matching("/o/acme/inbox") == .inbox)
        #expect(Endpoint.matching("/o/acme/nergens") == nil)
        for endpoint in Endpoint.allCases {
            let sample = endpoint.path(filling: Array(repeating: "x1", count: endpoint.parameterCount))
            #expect(Endpoint.matching(sample) == endpoint, "\(sample)")
        }
    }

    @Test func onlyTheFormsWithAFileFieldTakeTheLargerLimit() {
        #expect(
            Set(Endpoint.allCases.filter(\.takesFiles))
                == [.contact, .report, .inbox, .journalEntry, .journalImport, .caseReply, .profile])
    }

    /// Templates name endpoints (`#path("inbox", portal.slug)`) and spell no address of their own.
    @Test func templatesNameEndpointsWithTheRightNumberOfValues() throws {
        let views = packageRoot.appendingPathComponent("Resources/Views")
        let call = try NSRegularExpression(pattern: #"#path\("([A-Za-z]+)"((?:, [^,)]+)*)\)"#)
        let spelled = try NSRegularExpression(pattern: #"(?:href|action|src)="/(?!css/|js/|favicon)"#)
        var calls = 0
        let files = try #require(FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil))
        for case let file as URL in files where file.pathExtension == "leaf" {
            let text = try String(contentsOf: file, encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            for match in call.matches(in: text, range: range) {
                calls += 1
                let name = String(text[try #require(Range(match.range(at: 1), in: text))])
                let arguments = Range(match.range(at: 2), in: text).map { text[$0].components(separatedBy: ", ").count - 1 } ?? 0
                let endpoint = Endpoint(rawValue: name)
                #expect(endpoint != nil, "\(file.lastPathComponent): no endpoint \(name)")
                #expect(endpoint?.parameterCount == arguments, "\(file.lastPathComponent): #path(\"\(name)\") with \(arguments) values")
            }
            #expect(spelled.numberOfMatches(in: text, range: range) == 0, "\(file.lastPathComponent) spells an address")
        }
        #expect(calls > 60)
    }
}
