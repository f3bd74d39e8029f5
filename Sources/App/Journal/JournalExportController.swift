import Foundation
import Vapor
import VertrouwdCore

/// The journal on paper: a printable A4 page with every entry and its history, the hash-chain head,
/// and how to check it; the same page as PDF (headless Chromium's print-to-PDF, when installed);
/// and the versions as JSON that `scripts/verify-journal-export.py` recomputes.
struct JournalExportController: RouteCollection {
    struct VersionView: Encodable {
        let sequence: Int
        let version: Int
        let writtenAt: String
        let digest: String
    }

    struct ExportEntry: Encodable {
        let entry: JournalEntryView
        let history: [VersionView]
    }

    struct ExportContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let csrf: String
        let generatedAt: String
        let entries: [ExportEntry]
        let hasEntries: Bool
        let versions: Int
        let head: String
        let pdfAvailable: Bool
        let forPrint: Bool
    }

    /// The JSON export: each version's exact JSON and its link.
    struct ExportFile: Content {
        struct Item: Codable {
            let link: JournalChain.Link
            let entry: String
        }

        let format: String
        let head: String
        let versions: [Item]
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.journalExport, use: page)
        routes.get(.journalExportJSON, use: json)
        routes.get(.journalExportPDF, use: pdf)
    }

    func page(req: Request) async throws -> Response {
        try await req.render("journal/export", try await context(req, forPrint: false))
    }

    func json(req: Request) async throws -> Response {
        _ = try await req.organisationFromPath()
        let contents = try await req.journalVault.contents(of: try req.requireJournal())
        let file = ExportFile(
            format: "vertrouwd-journal-export-v1", head: contents.head,
            versions: contents.versions.map { ExportFile.Item(link: $0.link, entry: String(decoding: $0.json, as: UTF8.self)) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return .file(try encoder.encode(file), type: .json, filename: "logboek.json")
    }

    /// The printable page rendered by headless Chromium into a PDF, in a private temporary folder
    /// that is removed at once (the page holds the journal in clear while it is printed).
    func pdf(req: Request) async throws -> Response {
        guard req.vertrouwd.settings.chromiumPath != nil,
            let response = try await req.printedPDF("journal/export", try await context(req, forPrint: true), filename: "logboek.pdf")
        else {
            req.setNotice("journal.notice.no_pdf")
            return req.redirect(to: try req.journalPath(.journalExport))
        }
        return response
    }

    private func context(_ req: Request, forPrint: Bool) async throws -> ExportContext {
        let organisation = try await req.organisationFromPath()
        let contents = try await req.journalVault.contents(of: try req.requireJournal())
        let entries = contents.entries.sorted { ($0.entry.date, $0.entry.time) < ($1.entry.date, $1.entry.time) }.map { item in
            ExportEntry(
                entry: JournalEntryView.make(
                    item.id, item.entry, versions: item.versions, writtenAt: item.latest.link.writtenAt, files: contents.files(of: item.id),
                    confirmed: item.latest.confirmed, req: req),
                history: contents.versions.filter { $0.entryID == item.id }.map {
                    VersionView(
                        sequence: $0.link.sequence, version: $0.version, writtenAt: $0.link.writtenAt,
                        digest: String($0.link.digest.prefix(16)))
                })
        }
        return ExportContext(
            shell: PageShell(req, page: "journal-export", titleKey: "journal.export.title", publicPage: !forPrint),
            portal: PortalHeader(organisation), csrf: req.csrfToken(), generatedAt: req.formatted(req.now),
            entries: entries,
            hasEntries: !entries.isEmpty, versions: contents.versions.count, head: contents.head,
            pdfAvailable: req.vertrouwd.settings.chromiumPath != nil,
            forPrint: forPrint)
    }
}
