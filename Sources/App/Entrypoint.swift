import Fluent
import Logging
import ServiceLifecycle
import UnixSignals
import Vapor

/// What `vertrouwd` does when started: bootstrap logging, build the app, run the command, shut down.
public enum Vertrouwd {
    /// `arguments` and `adjust` are for the benchmark servers; the product runs with neither.
    public static func main(
        arguments: [String] = CommandLine.arguments, adjust: (inout AppSettings) -> Void = { _ in }
    ) async throws {
        var env = try Environment.detect(arguments: Self.withDefaults(arguments))
        // The format is read here, before the settings, so that even a bad setting is logged in it.
        let json = AppSettings.earlyLogFormat() == .json
        try LoggingSystem.bootstrap(from: &env) { level in
            { label in
                PrivacyLogHandler(
                    wrapping: json
                        ? JSONLogHandler(label: label, level: level)
                        : ConsoleLogger(label: label, console: Terminal(), level: level))
            }
        }
        // `vertrouwd demo` is `serve` with demo data put in first.
        let isDemo = env.arguments.count > 1 && env.arguments[1] == "demo"
        if isDemo { env.arguments[1] = "serve" }
        let command = env.arguments.count > 1 ? env.arguments[1] : "serve"

        let app = try await Application.make(env)
        do {
            var settings = try AppSettings.fromEnvironment()
            adjust(&settings)
            if !settings.publicURLIsSet {
                settings.publicURL = Self.localAddress(arguments: env.arguments)
            }
            try await configure(app, settings: settings)
            app.asyncCommands.use(AdminCommand(), as: "admin")
            app.asyncCommands.use(PurgeCommand(), as: "purge")
            app.asyncCommands.use(AuditCommand(), as: "audit")
            app.asyncCommands.use(BackupCommand(), as: "backup")
            app.asyncCommands.use(RestoreCommand(), as: "restore")
            if ["serve", "admin", "purge", "audit"].contains(command) || command.hasPrefix("-") {
                try await app.migrateExclusively()
                try await app.prepareSQLite()
            }
            if ["serve", "admin", "purge", "audit"].contains(command) || command.hasPrefix("-") {
                try await InstanceCheck.verifySecret(app.vertrouwd, on: app.db)
            }
            if isDemo { try await DemoSeeder(app: app).run() }
            if command == "serve" || command.hasPrefix("-") {
                try await serve(app, options: ServeOptions(Array(env.arguments.dropFirst(command == "serve" ? 2 : 1))))
            } else {
                try await app.execute()
            }
        } catch let failure as ExitCode {
            // A command that said what went wrong ends with its exit code, not a crash report.
            try? await app.asyncShutdown()
            exit(failure.code)
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// `serve`: the HTTP server and the job loops as the services of one `ServiceGroup`. SIGTERM or
    /// SIGINT shuts them down in reverse order: the server stops accepting connections and answers
    /// the requests in flight, then each job finishes its round; after that the key-derivation
    /// threads and the database close (`asyncShutdown`), so no request in flight loses either.
    static func serve(_ app: Application, options: ServeOptions) async throws {
        try await app.asyncBoot()
        let jobs = JobService(application: app, jobs: RepeatingJob.all(for: app.vertrouwd.settings))
        let http = HTTPService(application: app, hostname: options.hostname, port: options.port)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: jobs), .init(service: http)], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: app.logger))
        try await group.run()
    }

    /// Vapor's default environment is "development", which turns off the template cache: every page
    /// would be parsed again on every request. Vertrouwd runs as "production" unless told otherwise,
    /// and logs at info level (Vapor's production default is notice) unless LOG_LEVEL or --log says.
    static func withDefaults(_ arguments: [String]) -> [String] {
        var result = arguments
        let names = Set(arguments.map { String($0.split(separator: "=").first ?? "") })
        if names.isDisjoint(with: ["--env", "-e"]) { result += ["--env", "production"] }
        if names.isDisjoint(with: ["--log"]), !AppSettings.hasLogLevel() {
            result += ["--log", "info"]
        }
        return result
    }

    /// Without `VERTROUWD_PUBLIC_URL`, links point at the address `serve` listens on.
    static func localAddress(arguments: [String]) -> String {
        func option(_ names: Set<String>) -> String? {
            guard let index = arguments.firstIndex(where: names.contains), index + 1 < arguments.count else { return nil }
            return arguments[index + 1]
        }
        let host = option(["--hostname", "-H"]) ?? "127.0.0.1"
        let port = option(["--port", "-p"]) ?? "8080"
        return "http://\(host):\(port)"
    }
}
