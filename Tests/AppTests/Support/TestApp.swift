import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

/// Builds the real application for a test: SQLite in a fresh temporary data directory, or the
/// PostgreSQL named by `DATABASE_URL` (CI's second stage, run serially). Time is a manual clock.
func withTestApp(
    clock: ManualWallClock = ManualWallClock(),
    arguments: [String] = ["vertrouwd"],
    adjust: (inout AppSettings) -> Void = { _ in },
    _ body: (Application, ManualWallClock) async throws -> Void
) async throws {
    TestLogs.bootstrapOnce()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-test-\(UUID().uuidString)")
    var settings = AppSettings(dataDirectory: directory.path, passwordParameters: .fastForTests)
    settings.journalParameters = .fastForTests
    settings.databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"]
    settings.chromiumPath = AppSettings.findChromium(in: ProcessInfo.processInfo.environment)
    adjust(&settings)
    let app = try await Application.make(Environment(name: "testing", arguments: arguments))
    app.directory = DirectoryConfiguration(workingDirectory: packageRoot.path + "/")
    do {
        try await configure(app, settings: settings, clock: clock)
        if settings.databaseURL != nil { try await app.autoRevert() }
        try await app.autoMigrate()
        try await app.prepareSQLite()
        try await body(app, clock)
        if settings.databaseURL != nil { try await app.autoRevert() }
    } catch {
        try? await app.asyncShutdown()
        try? FileManager.default.removeItem(at: directory)
        throw error
    }
    try await app.asyncShutdown()
    try? FileManager.default.removeItem(at: directory)
}

/// The package's root folder, where `Resources/` and `Public/` live.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

var usingPostgres: Bool { ProcessInfo.processInfo.environment["DATABASE_URL"] != nil }

/// The test app with a relay that accepts every mail (for the outbox and the jobs that fill it).
func withTestAppAndRelay(_ body: (Application, ManualWallClock, TestSMTPServer) async throws -> Void) async throws {
    let server = try TestSMTPServer()
    defer { server.stop() }
    try await withTestApp(adjust: {
        $0.smtp = SMTPClient.Settings(
            host: "127.0.0.1", port: server.port, from: "noreply@vertrouwd.example", timeout: TestSMTPServer.patientTimeout)
    }) { app, clock in
        try await body(app, clock, server)
    }
}
