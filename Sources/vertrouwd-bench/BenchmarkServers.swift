import App
import Vapor
import VertrouwdCore

/// Servers for `benchmarks/http.sh`.
enum BenchmarkServers {
    /// The stack's own limit on this machine: one route answering "Hello", no middleware at all.
    static func hello(port: Int) async throws {
        let app = try await Application.make(Environment(name: "benchmark", arguments: ["vertrouwd-bench"]))
        app.middleware = Middlewares()
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = port
        app.get("hello") { _ in "Hello" }
        try await app.startup()
        try await app.running?.onStop.get()
        try await app.asyncShutdown()
    }

    /// `vertrouwd demo` with scrypt at test strength (N = 2^10), to measure a submission without its
    /// key derivation. The product itself refuses these parameters; this binary is never deployed.
    static func demoWithCheapKDF(arguments: [String]) async throws {
        try await Vertrouwd.main(
            arguments: ["vertrouwd", "demo", "--env", "benchmark"] + arguments,
            adjust: {
                $0.passwordParameters = .fastForTests
                $0.journalParameters = .fastForTests
                // Thousands of contacts to one organisation, to fill the dashboard.
                $0.organisationSubmissionsPerHour = 100_000
            })
    }
}
