import Fluent
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals
import Vapor

/// What `vertrouwd` does when started: bootstrap logging, build the app, run the command, shut down.
public enum Vertrouwd {
    /// `arguments` and `adjust` are for the benchmark servers; the product runs with neither.
    /// A problem the operator can fix (a setting, a file, a directory) ends the process with one line
    /// on standard error and exit code 1; so does any other error at start, after it is logged.
    public static func main(
        arguments: [String] = CommandLine.arguments, adjust: (inout AppSettings) -> Void = { _ in }
    ) async throws {
        // Everything the program writes (database, secret, backups) is for its own user only,
        // however it was started; systemd's UMask=0077 says the same for the service.
        umask(0o077)
        let first = arguments.dropFirst().first ?? ""
        if first == "health" { exit(await healthCheck(arguments: arguments)) }
        let root: ResourceRoot
        do {
            root = try ResourceRoot.locate(
                environment: ProcessInfo.processInfo.environment, executable: ResourceRoot.executablePath(),
                workingDirectory: FileManager.default.currentDirectoryPath)
        } catch {
            stop(error.description)
        }
        if first == "--version" || first == "version" {
            print("vertrouwd \(root.version)")
            return
        }
        var env: Environment
        let app: Application
        var isDemo = false
        do {
            env = try Environment.detect(arguments: Self.withDefaults(arguments))
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
            isDemo = env.arguments.count > 1 && env.arguments[1] == "demo"
            if isDemo { env.arguments[1] = "serve" }
            app = try await Application.make(env)
        } catch {
            stop("cannot read the command line (\(error)); `vertrouwd --help` lists the commands and options")
        }
        let command = env.arguments.count > 1 ? env.arguments[1] : "serve"
        app.directory = root.directories
        do {
            var settings = try AppSettings.fromEnvironment(defaultDataDirectory: root.defaultDataDirectory)
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
        } catch let problem as any StartupProblem {
            try? await app.asyncShutdown()
            stop(problem.description)
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            try? await app.asyncShutdown()
            stop("cannot listen on \(Self.localAddress(arguments: env.arguments)): the address is in use; choose another --port")
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            stop("stopped by the error logged above")
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
        let host = option(["--hostname", "-H"], in: arguments) ?? "127.0.0.1"
        let port = option(["--port", "-p"], in: arguments) ?? "8080"
        return "http://\(host):\(port)"
    }

    static func option(_ names: Set<String>, in arguments: [String]) -> String? {
        guard let index = arguments.firstIndex(where: names.contains), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    /// `vertrouwd health [--port 8080]`: exit code 0 when the server on this machine answers
    /// `/health` with 200 within five seconds, 1 otherwise. The container image's health check; it
    /// reads no settings and opens no database, so it is cheap to run every half minute.
    static func healthCheck(arguments: [String]) async -> Int32 {
        let port = option(["--port", "-p"], in: arguments) ?? "8080"
        do {
            let response = try await HTTPClient.shared.get(
                url: "http://127.0.0.1:\(port)/health", deadline: .now() + .seconds(5)
            ).get()
            print(response.status == .ok ? "healthy" : "unhealthy: HTTP \(response.status.code)")
            return response.status == .ok ? 0 : 1
        } catch {
            print("unhealthy: no answer on port \(port)")
            return 1
        }
    }

    /// Ends the process because it cannot start: one line on standard error, exit code 1.
    static func stop(_ message: String) -> Never {
        FileHandle.standardError.write(Data("vertrouwd: \(message)\n".utf8))
        exit(1)
    }
}
