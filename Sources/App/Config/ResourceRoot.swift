import Foundation
import Vapor

/// The directory that holds `Resources/` (templates, translations, knowledge base, guide, API
/// description), `Public/` (style sheets, scripts, icons) and `VERSION`.
///
/// Looked for, in order: `VERTROUWD_RESOURCES_DIR`; the install layout next to the executable
/// (`/usr/bin/vertrouwd` reads `/usr/share/vertrouwd`); the working directory (a source checkout).
/// A directory named in the variable is the only one tried: a mistyped setting is an error, not a
/// silent fallback to another copy.
public struct ResourceRoot: Sendable, Equatable {
    /// Ends with a slash, as Vapor's `DirectoryConfiguration` expects.
    public let path: String
    /// Where it was found, which decides where data goes by default.
    public let layout: Layout

    public enum Layout: Sendable, Equatable {
        /// Named by `VERTROUWD_RESOURCES_DIR`.
        case configured
        /// `../share/vertrouwd` from the executable: a package or image.
        case installed
        /// The working directory: a source checkout.
        case workingDirectory
    }

    /// Whether the program is installed: a complete `../share/vertrouwd` beside the executable,
    /// whichever directory the resources were finally taken from.
    public let isInstalledProgram: Bool

    /// Without `VERTROUWD_DATA_DIR`: `/var/lib/vertrouwd` for an installed program (the package's
    /// unit and image use it too), `./data` in a source checkout. Decided by where the program is,
    /// not by `VERTROUWD_RESOURCES_DIR`, so a command run by hand finds the service's data.
    public var defaultDataDirectory: String {
        isInstalledProgram ? "/var/lib/vertrouwd" : "./data"
    }

    /// What a complete directory holds; the first one missing is named in the error.
    static let required = [
        "Resources/Views/", "Resources/Localization/", "Resources/KnowledgeBase/", "Resources/Guide/guide.json",
        "Resources/API/openapi.json", "Public/css/app.css", "VERSION",
    ]
    static let variable = "VERTROUWD_RESOURCES_DIR"

    public struct NotFound: StartupProblem {
        public let tried: [(directory: String, missing: String)]
        public let fromVariable: Bool

        public var description: String {
            let list = tried.map { "\($0.directory) (no \($0.missing))" }.joined(separator: ", ")
            let advice =
                fromVariable
                ? "correct \(ResourceRoot.variable) or unset it"
                : "set \(ResourceRoot.variable) to the directory that holds Resources/ and Public/"
            return "cannot find the templates and static files; tried \(list); \(advice)"
        }
    }

    /// - Parameters:
    ///   - executable: the running program's own path (symbolic links resolved), nil if unknown.
    public static func locate(
        environment: [String: String], executable: String?, workingDirectory: String
    ) throws(NotFound) -> ResourceRoot {
        let installed = executable.map {
            URL(fileURLWithPath: $0).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("share/vertrouwd").path + "/"
        }
        let isInstalledProgram = installed.map { firstMissing(in: $0) == nil } ?? false
        var candidates: [(String, Layout)] = []
        let configured = environment[variable]?.trimmingCharacters(in: .whitespaces) ?? ""
        if !configured.isEmpty {
            candidates = [(absolute(configured, from: workingDirectory), .configured)]
        } else {
            if let installed { candidates.append((installed, .installed)) }
            candidates.append((workingDirectory, .workingDirectory))
        }
        var tried: [(String, String)] = []
        for (candidate, layout) in candidates {
            let directory = candidate.hasSuffix("/") ? candidate : candidate + "/"
            if let missing = firstMissing(in: directory) {
                tried.append((directory, missing))
            } else {
                return ResourceRoot(path: directory, layout: layout, isInstalledProgram: isInstalledProgram)
            }
        }
        throw NotFound(tried: tried, fromVariable: !configured.isEmpty)
    }

    /// The running program's path: `/proc/self/exe` where /proc is mounted, else what its first
    /// argument names.
    public static func executablePath(
        arguments: [String] = CommandLine.arguments, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        return executableFromArguments(arguments, environment: environment)
    }

    /// The first argument as a path (against the working directory) or a name on the PATH, links resolved.
    static func executableFromArguments(_ arguments: [String], environment: [String: String]) -> String? {
        let manager = FileManager.default
        guard let first = arguments.first, !first.isEmpty else { return nil }
        if first.contains("/") {
            return URL(fileURLWithPath: absolute(first, from: manager.currentDirectoryPath)).resolvingSymlinksInPath().path
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/\(first)"
            if manager.isExecutableFile(atPath: candidate) {
                return URL(fileURLWithPath: candidate).resolvingSymlinksInPath().path
            }
        }
        return nil
    }

    /// Vapor's view of the same directory.
    public var directories: DirectoryConfiguration { DirectoryConfiguration(workingDirectory: path) }

    /// The product's version, from the one `VERSION` file (the package takes its version from it too).
    public var version: String {
        let text = (try? String(contentsOfFile: path + "VERSION", encoding: .utf8)) ?? ""
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func firstMissing(in directory: String) -> String? {
        var isDirectory: ObjCBool = false
        for entry in required {
            let wantsDirectory = entry.hasSuffix("/")
            let exists = FileManager.default.fileExists(atPath: directory + entry, isDirectory: &isDirectory)
            if !exists || isDirectory.boolValue != wantsDirectory { return entry }
        }
        return nil
    }

    static func absolute(_ path: String, from workingDirectory: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: workingDirectory).appendingPathComponent(path).path
    }
}
