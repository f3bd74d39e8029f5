import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Print-to-PDF through headless Chromium (`AppSettings.chromiumPath`).
enum PDFPrinter {
    /// The page without scripts or links to the server, with the stylesheet inlined.
    static func standalone(_ html: String, stylesheet: String) -> String {
        html.replacingOccurrences(of: #"<script[^>]*></script>"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"<link rel="stylesheet" href="/css/app.css">"#, with: "<style>\(stylesheet)</style>")
            .replacingOccurrences(of: #"<link rel="icon"[^>]*>"#, with: "", options: .regularExpression)
    }

    enum Failure: Error {
        case printFailed
    }

    /// At most this many Chromium processes at once, whoever asks: a PDF is worth a short wait
    /// ("try again"), not a server that runs out of memory.
    static let maximumAtOnce = 2
    private static let running = NIOLockedValueBox(0)

    /// Takes a printing slot; false when all are busy.
    static func reserve() -> Bool {
        running.withLockedValue { count in
            guard count < maximumAtOnce else { return false }
            count += 1
            return true
        }
    }

    static func release() { running.withLockedValue { $0 -= 1 } }

    /// Prints in its own process, never on a thread the server needs; a Chromium that hangs is
    /// stopped after `timeout` seconds.
    static func print(_ html: String, chromium: String, timeout: TimeInterval = 60) async throws -> Data {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("page.html")
        let output = directory.appendingPathComponent("page.pdf")
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

extension Request {
    /// A page rendered for print and turned into a PDF download; nil when no Chromium is installed.
    func printedPDF(_ template: String, _ context: some Encodable, filename: String) async throws -> Response? {
        guard let chromium = vertrouwd.settings.chromiumPath else { return nil }
        guard PDFPrinter.reserve() else { throw PageError.serviceUnavailable }
        defer { PDFPrinter.release() }
        let view = try await self.view.render(template, context).get()
        var buffer = view.data
        let html = buffer.readString(length: buffer.readableBytes) ?? ""
        let stylesheet = (try? String(contentsOfFile: application.directory.publicDirectory + "css/app.css", encoding: .utf8)) ?? ""
        let bytes = try await PDFPrinter.print(PDFPrinter.standalone(html, stylesheet: stylesheet), chromium: chromium)
        return .file(bytes, type: HTTPMediaType(type: "application", subType: "pdf"), filename: filename)
    }
}

extension Response {
    /// A file the app made (an export, a PDF) as a download under `filename`.
    static func file(_ data: Data, type: HTTPMediaType, filename: String) -> Response {
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = type
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        return response
    }
}
