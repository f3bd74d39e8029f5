import Foundation
import Testing

@testable import App

/// Where the program finds its resources, and how it says it cannot start (issue 21).
@Suite("Start-up: resources and one-line errors")
struct StartupTests {
    /// A directory laid out like `/usr/share/vertrouwd`, made of links to this checkout's files.
    static func completeRoot(at directory: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        for entry in ["Resources", "Public", "VERSION"] {
            try manager.createSymbolicLink(
                at: directory.appendingPathComponent(entry), withDestinationURL: packageRoot.appendingPathComponent(entry))
        }
    }

    static func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-startup-\(name)-\(UUID().uuidString)")
    }

    @Test func theVariableWinsOverEverythingElse() throws {
        let configured = Self.temporary("configured")
        try Self.completeRoot(at: configured)
        let prefix = Self.temporary("prefix")
        try Self.completeRoot(at: prefix.appendingPathComponent("share/vertrouwd"))
        defer {
            try? FileManager.default.removeItem(at: configured)
            try? FileManager.default.removeItem(at: prefix)
        }
        // Both an installed copy and the working directory are complete; the variable is chosen.
        let root = try ResourceRoot.locate(
            environment: ["VERTROUWD_RESOURCES_DIR": configured.path], executable: prefix.appendingPathComponent("bin/vertrouwd").path,
            workingDirectory: packageRoot.path)
        #expect(root.path == configured.path + "/")
        #expect(root.layout == .configured)
        // The data stays where an installed program keeps it, wherever the resources come from.
        #expect(root.defaultDataDirectory == "/var/lib/vertrouwd")
        let fromSource = try ResourceRoot.locate(
            environment: ["VERTROUWD_RESOURCES_DIR": configured.path], executable: "/nowhere/bin/vertrouwd",
            workingDirectory: packageRoot.path)
        #expect(fromSource.defaultDataDirectory == "./data")
    }

    @Test func aRelativeVariableIsReadFromTheWorkingDirectory() throws {
        let parent = Self.temporary("relative")
        try Self.completeRoot(at: parent.appendingPathComponent("share"))
        defer { try? FileManager.default.removeItem(at: parent) }
        let root = try ResourceRoot.locate(
            environment: ["VERTROUWD_RESOURCES_DIR": "share"], executable: nil, workingDirectory: parent.path)
        #expect(root.path == parent.appendingPathComponent("share").path + "/")
    }

    @Test func theInstallLayoutIsFoundNextToTheExecutable() throws {
        let prefix = Self.temporary("prefix")
        try Self.completeRoot(at: prefix.appendingPathComponent("share/vertrouwd"))
        defer { try? FileManager.default.removeItem(at: prefix) }
        // Even from a working directory that is itself complete, the installed copy comes first.
        let root = try ResourceRoot.locate(
            environment: [:], executable: prefix.appendingPathComponent("bin/vertrouwd").path, workingDirectory: packageRoot.path)
        #expect(root.path == prefix.appendingPathComponent("share/vertrouwd").path + "/")
        #expect(root.layout == .installed)
        #expect(root.defaultDataDirectory == "/var/lib/vertrouwd")
        #expect(
            root.version
                == (try String(contentsOf: packageRoot.appendingPathComponent("VERSION"), encoding: .utf8)).trimmingCharacters(
                    in: .whitespacesAndNewlines))
    }

    @Test func theWorkingDirectoryComesLast() throws {
        let root = try ResourceRoot.locate(environment: [:], executable: "/nowhere/bin/vertrouwd", workingDirectory: packageRoot.path)
        #expect(root.layout == .workingDirectory)
        #expect(root.path == packageRoot.path + "/")
        #expect(root.version.split(separator: ".").count == 3, "VERSION holds a version like 1.2.3: \(root.version)")
    }

    @Test func nothingFoundNamesEveryDirectoryTriedAndTheVariable() throws {
        let error = #expect(throws: ResourceRoot.NotFound.self) {
            try ResourceRoot.locate(environment: [:], executable: "/nowhere/bin/vertrouwd", workingDirectory: "/")
        }
        let message = try #require(error).description
        #expect(message.contains("/nowhere/share/vertrouwd/ (no Resources/Views/)"))
        #expect(message.contains(", / (no Resources/Views/)"))
        #expect(message.contains("set VERTROUWD_RESOURCES_DIR"))
        #expect(!message.contains("\n"))
    }

    @Test func anIncompleteDirectoryNamesWhatIsMissing() throws {
        let partial = Self.temporary("partial")
        try Self.completeRoot(at: partial)
        try FileManager.default.removeItem(at: partial.appendingPathComponent("Public"))
        defer { try? FileManager.default.removeItem(at: partial) }
        // A mistyped or half-copied setting is not silently replaced by another copy.
        let error = #expect(throws: ResourceRoot.NotFound.self) {
            try ResourceRoot.locate(
                environment: ["VERTROUWD_RESOURCES_DIR": partial.path], executable: nil, workingDirectory: packageRoot.path)
        }
        let message = try #require(error).description
        #expect(message.contains("tried \(partial.path)/ (no Public/css/app.css)"))
        #expect(message.contains("correct VERTROUWD_RESOURCES_DIR"))
        #expect(!message.contains(packageRoot.path + "/ "))
    }

    @Test func theExecutableIsFoundWithoutProc() throws {
        // In a chroot without /proc the first argument is all there is: a path, or a name on the PATH.
        let bin = Self.temporary("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let program = bin.appendingPathComponent("vertrouwd-probe")
        #expect(FileManager.default.createFile(atPath: program.path, contents: Data(), attributes: [.posixPermissions: 0o755]))
        defer { try? FileManager.default.removeItem(at: bin) }
        let onPath = ResourceRoot.executableFromArguments(["vertrouwd-probe"], environment: ["PATH": "/nowhere:\(bin.path)"])
        #expect(onPath == program.resolvingSymlinksInPath().path)
        #expect(ResourceRoot.executableFromArguments(["vertrouwd-probe"], environment: ["PATH": "/nowhere"]) == nil)
        #expect(ResourceRoot.executableFromArguments([program.path], environment: [:]) == program.resolvingSymlinksInPath().path)
    }

    @Test func theDataDirectoryIsMadePrivateOrRefusedInOneLine() throws {
        let parent = Self.temporary("data")
        defer { try? FileManager.default.removeItem(at: parent) }
        let fresh = parent.appendingPathComponent("made/here")
        try DataDirectory.prepare(fresh.path)
        let mode = try FileManager.default.attributesOfItem(atPath: fresh.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o700)
        let file = parent.appendingPathComponent("a-file")
        #expect(FileManager.default.createFile(atPath: file.path, contents: Data("x".utf8)))
        let isFile = #expect(throws: DataDirectory.Unusable.self) { try DataDirectory.prepare(file.path) }
        #expect(
            isFile?.description
                == "the data directory \(file.path) is a file, not a directory; set VERTROUWD_DATA_DIR to a directory this user may write to"
        )
        let under = #expect(throws: DataDirectory.Unusable.self) { try DataDirectory.prepare(file.path + "/below") }
        #expect(under?.description.contains("does not exist and cannot be made") == true)
    }

    @Test func settingsTakeTheDefaultDataDirectoryTheyAreGiven() throws {
        #expect(try AppSettings.fromEnvironment([:]).dataDirectory == "./data")
        #expect(try AppSettings.fromEnvironment([:], defaultDataDirectory: "/var/lib/vertrouwd").dataDirectory == "/var/lib/vertrouwd")
        let set = try AppSettings.fromEnvironment(["VERTROUWD_DATA_DIR": "/srv/v"], defaultDataDirectory: "/var/lib/vertrouwd")
        #expect(set.dataDirectory == "/srv/v")
    }
}

/// The real program, started as an operator would start it: the message, the exit code, no backtrace.
@Suite("Start-up: the program itself")
struct StartupProcessTests {
    struct Outcome {
        let status: Int32
        let output: String
        let errors: String
    }

    /// `vertrouwd`, built beside this test binary (`swift test` builds every product).
    static func program() throws -> URL {
        let binary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var directory = URL(fileURLWithPath: binary).deletingLastPathComponent()
        while !directory.path.hasSuffix("debug") && !directory.path.hasSuffix("release") && directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("vertrouwd")
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = try program()
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData, as: UTF8.self))
    }

    /// Exit code 1, nothing on standard output, one line on standard error that starts as expected.
    static func expectOneLineRefusal(_ outcome: Outcome, startingWith start: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.status == 1, sourceLocation: sourceLocation)
        #expect(outcome.output.isEmpty, "\(outcome.output)", sourceLocation: sourceLocation)
        #expect(outcome.errors.hasPrefix("vertrouwd: \(start)"), "\(outcome.errors)", sourceLocation: sourceLocation)
        #expect(outcome.errors.filter { $0 == "\n" }.count == 1, "\(outcome.errors)", sourceLocation: sourceLocation)
        #expect(!outcome.errors.contains("Backtrace") && !outcome.errors.contains("Fatal error"), sourceLocation: sourceLocation)
    }

    @Test func startedFromTheRootWithoutResourcesItSaysWhereItLooked() throws {
        #expect(FileManager.default.isExecutableFile(atPath: try Self.program().path), "built by swift test")
        let outcome = try Self.run(["serve", "--port", "1"])
        Self.expectOneLineRefusal(outcome, startingWith: "cannot find the templates and static files; tried ")
        #expect(outcome.errors.contains(", / (no Resources/Views/); set VERTROUWD_RESOURCES_DIR"))
    }

    @Test func anUnusableDataDirectoryIsOneLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-not-a-directory-\(UUID().uuidString)")
        #expect(FileManager.default.createFile(atPath: file.path, contents: Data("x".utf8)))
        defer { try? FileManager.default.removeItem(at: file) }
        let outcome = try Self.run(
            ["serve", "--port", "1"], environment: ["VERTROUWD_RESOURCES_DIR": packageRoot.path, "VERTROUWD_DATA_DIR": file.path])
        Self.expectOneLineRefusal(outcome, startingWith: "the data directory \(file.path) is a file, not a directory")
    }

    @Test func anUnreadableSecretFileIsOneLine() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-secretless-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let outcome = try Self.run(
            ["serve", "--port", "1"],
            environment: [
                "VERTROUWD_RESOURCES_DIR": packageRoot.path, "VERTROUWD_DATA_DIR": data.path,
                "VERTROUWD_SECRET_FILE": data.appendingPathComponent("no-such-secret").path,
            ])
        Self.expectOneLineRefusal(
            outcome,
            startingWith: "the instance secret file \(data.path)/no-such-secret does not exist; correct VERTROUWD_SECRET_FILE")
    }

    @Test func aBadSettingIsOneLine() throws {
        let outcome = try Self.run(
            ["serve", "--port", "1"],
            environment: ["VERTROUWD_RESOURCES_DIR": packageRoot.path, "VERTROUWD_PUBLIC_URL": "ftp://example.org"])
        Self.expectOneLineRefusal(outcome, startingWith: "VERTROUWD_PUBLIC_URL: must start with http:// or https://")
    }

    @Test func aBadCommandLineIsOneLine() throws {
        let outcome = try Self.run(["serve", "--log", "verbose"], environment: ["VERTROUWD_RESOURCES_DIR": packageRoot.path])
        Self.expectOneLineRefusal(outcome, startingWith: "cannot read the command line (")
    }

    @Test func aPortInUseIsOneLine() throws {
        // A socket of this process's own holds a port; the program is asked to listen on it too.
        let held = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(held) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(held, pointer, length) == 0 && listen(held, 1) == 0 && getsockname(held, pointer, &length) == 0
            }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("vertrouwd-port-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let outcome = try Self.run(
            ["serve", "--hostname", "127.0.0.1", "--port", "\(port)"],
            environment: ["VERTROUWD_RESOURCES_DIR": packageRoot.path, "VERTROUWD_DATA_DIR": data.path, "LOG_LEVEL": "error"])
        Self.expectOneLineRefusal(
            outcome, startingWith: "cannot listen on http://127.0.0.1:\(port): the address is in use; choose another --port")
    }

    @Test func versionComesFromTheVersionFile() throws {
        let version = try String(contentsOf: packageRoot.appendingPathComponent("VERSION"), encoding: .utf8)
        let outcome = try Self.run(["--version"], environment: ["VERTROUWD_RESOURCES_DIR": packageRoot.path])
        #expect(outcome.status == 0)
        #expect(outcome.output == "vertrouwd \(version.trimmingCharacters(in: .whitespacesAndNewlines))\n")
        #expect(outcome.errors.isEmpty)
    }

    @Test func theHealthCheckFailsWhenNothingAnswers() throws {
        // Port 1 is privileged and unused here; the passing case is checked against the image in CI.
        let outcome = try Self.run(["health", "--port", "1"])
        #expect(outcome.status == 1)
        #expect(outcome.output == "unhealthy: no answer on port 1\n")
    }
}
