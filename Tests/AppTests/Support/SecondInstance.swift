import Foundation
import Vapor
import VertrouwdCore

@testable import App

/// A second instance of the running test app: another `Application` with the same settings (so the
/// same database and instance secret) and the same clock, as a second machine behind a proxy would be.
func withSecondInstance(
    of first: Application, clock: ManualWallClock, adjust: (inout AppSettings) -> Void = { _ in },
    _ body: (Application) async throws -> Void
) async throws {
    var settings = first.vertrouwd.settings
    adjust(&settings)
    let second = try await Application.make(Environment(name: "testing", arguments: ["vertrouwd"]))
    second.directory = first.directory
    do {
        try await configure(second, settings: settings, clock: clock)
        try await second.prepareSQLite()
        try await body(second)
    } catch {
        try? await second.asyncShutdown()
        throw error
    }
    try await second.asyncShutdown()
}
