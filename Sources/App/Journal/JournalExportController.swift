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
        let entry: JournalEntriesController.EntryView
        let history: [VersionView]
    }

    struct ExportContext: Encodable {
        let shell: PageShell
        let portal: PortalHeader
        let csrf: String
        let base: String
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
        let journal = routes.grouped("o", ":slug", "logboek")
        journal.get("export", use: page)
        journal.get("export.json", use: json)
        journal.get("export.pdf", use: pdf)
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
        let response = Response(status: .ok, body: .init(data: try encoder.encode(file)))
        response.headers.contentType = .json
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"logboek.json\"")
        return response
    }

    /// The printable page rendered by headless Chromium into a PDF, in a private temporary folder
    /// that is removed at once (the page holds the journal in clear while it is printed).
    func pdf(req: Request) async throws -> Response {
        guard let chromium = PDFPrinter.chromium() else {
            req.setNotice("journal.notice.no_pdf")
            return req.redirect(to: "\(try req.journalBase())/export")
        }
        let view = try await req.view.render("journal/export", try await context(req, forPrint: true)).get()
        var buffer = view.data
        let html = buffer.readString(length: buffer.readableBytes) ?? ""
        let stylesheet = (try? String(contentsOfFile: req.application.directory.publicDirectory + "css/app.css", encoding: .utf8)) ?? ""
        let standalone = PDFPrinter.standalone(html, stylesheet: stylesheet)
        let bytes = try await PDFPrinter.print(standalone, chromium: chromium)
        let response = Response(status: .ok, body: .init(data: bytes))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "pdf")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"logboek.pdf\"")
        return response
    }

    private func context(_ req: Request, forPrint: Bool) async throws -> ExportContext {
        let organisation = try await req.organisationFromPath()
        let contents = try await req.journalVault.contents(of: try req.requireJournal())
        let entries = contents.entries.sorted { ($0.entry.date, $0.entry.time) < ($1.entry.date, $1.entry.time) }.map { item in
            ExportEntry(
                entry: JournalEntriesController.view(
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
            portal: PortalHeader(organisation), csrf: req.csrfToken(), base: try req.journalBase(), generatedAt: req.formatted(req.now),
            entries: entries,
            hasEntries: !entries.isEmpty, versions: contents.versions.count, head: contents.head,
            pdfAvailable: PDFPrinter.chromium() != nil,
            forPrint: forPrint)
    }
}

/// Print-to-PDF through headless Chromium, found as `VERTROUWD_CHROMIUM` or on the PATH.
enum PDFPrinter {
    static func chromium() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let configured = environment["VERTROUWD_CHROMIUM"], FileManager.default.isExecutableFile(atPath: configured) {
            return configured
        }
        let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            for name in names where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") { return "\(directory)/\(name)" }
        }
        return nil
    }

    /// The page without scripts or links to the server, with the stylesheet inlined.
    static func standalone(_ html: String, stylesheet: String) -> String {
        html.replacingOccurrences(of: #"<script[^>]*></script>"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"<link rel="stylesheet" href="/css/app.css">"#, with: "<style>\(stylesheet)</style>")
            .replacingOccurrences(of: #"<link rel="icon"[^>]*>"#, with: "", options: .regularExpression)
    }

    enum Failure: Error {
        case printFailed
    }

    /// Prints in its own process, never on a thread the server needs; a Chromium that hangs is
    /// stopped after `timeout` seconds.
    static func print(_ html: String, chromium: String, timeout: TimeInterval = 60) async throws -> Data {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("logboek.html")
        let output = directory.appendingPathComponent("logboek.pdf")
        try Data(html.utf8).write(to: page, options: [.withoutOverwriting])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--disable-extensions", "--no-first-run",
            "--user-data-dir=\(directory.appendingPathComponent("profile").path)", "--print-to-pdf=\(output.path)", page.absoluteString,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let watchdog = Task {
            try? await Task.sleep(for: .seconds(timeout))
            if process.isRunning { process.terminate() }
        }
        defer { watchdog.cancel() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard process.terminationStatus == 0, let data = try? Data(contentsOf: output), data.starts(with: Array("%PDF".utf8)) else {
            throw Failure.printFailed
        }
        return data
    }
}
