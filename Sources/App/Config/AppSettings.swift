import Foundation
import VertrouwdCore

/// Every setting the process reads from its environment, read in one place (see the README's table).
public struct AppSettings: Sendable {
    public var dataDirectory: String
    /// `postgres://…` selects PostgreSQL; nil keeps the SQLite file in the data directory.
    public var databaseURL: String?
    /// Where the instance secret is read from; by default `<data directory>/instance-secret`.
    public var secretFile: String?
    /// The secret itself (base64), for instances that share it through their environment.
    public var secretBase64: String?
    /// The address people use, for links in e-mails and activation links; https also makes cookies Secure.
    public var publicURL: String
    public var quickExitURL: String
    public var sessionIdleTimeout: TimeInterval
    /// How often a session's or an unlocked key's last-seen time is written while it is in use: a
    /// write on every request would make every page view a write. At most a minute, and at most a
    /// quarter of the idle timeout, so a session in use never times out (it may end that much early).
    public var lastSeenInterval: TimeInterval { min(60, sessionIdleTimeout / 4) }
    public var sessionAbsoluteTimeout: TimeInterval
    public var maxBodySize: Int
    /// The limit for a form with files (multipart): room for the most files at the largest size an
    /// organisation may allow, plus the text.
    public var maxUploadSize: Int = (AttachmentPolicy.filesPerSubmission * AttachmentPolicy.largestMaximumMebibytes + 2) << 20
    public var kdfConcurrency: Int
    public var passwordParameters: ScryptPasswordHasher.Parameters
    /// The KDF cost of journal phrases. Unlike password hashes these cannot be upgraded later (a
    /// journal or backup made under other parameters would no longer open), so it is fixed.
    public var journalParameters: ScryptPasswordHasher.Parameters = .standard
    /// A connection that sends and receives nothing for this long is closed, so clients that open
    /// connections and stall (slowloris) cannot use them all up. It also cuts a request the server
    /// itself takes longer than this over (Vapor's idle handler does not know about requests in
    /// progress), so it stays at the 60 seconds reverse proxies commonly wait for an answer.
    public var idleTimeoutSeconds: Int = 60
    /// Contacts and reports one organisation takes in an hour before further ones wait: a guard
    /// against a flood, far above what a real organisation sends.
    public var organisationSubmissionsPerHour: Int = 60
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    public var trustProxy: Bool = false
    /// The relay for notification mails; nil sends none.
    var smtp: SMTPSettings?
    /// How often each instance looks for waiting mails, and for deadline reminders that are due.
    public var outboxIntervalSeconds: Int = 5
    public var reminderIntervalSeconds: Int = 600
    /// `json`: one JSON object per log line (for a log collector); otherwise plain text.
    public var logFormat: LogFormat = .text
    /// Whether `VERTROUWD_PUBLIC_URL` was given; without it, `serve` points links at its own address.
    public var publicURLIsSet = false
    /// Headless Chromium for PDFs (`VERTROUWD_CHROMIUM`, else the first on the PATH); nil: no PDFs.
    public var chromiumPath: String?
    /// The bearer token `/metrics` asks for; without one, `/metrics` is not served at all.
    public var metricsToken: String?
    /// Label submission counts with the organisation's slug (off: no organisation appears in metrics).
    public var metricsPerOrganisation: Bool = false
    /// A folder whose `synonyms.<language>.txt` replace the shipped search synonyms
    /// (`Resources/Search/`), so a practice's own list survives an upgrade of the package.
    public var synonymsDirectory: String?

    public enum LogFormat: String, Sendable {
        case text
        case json
    }

    public var usesTLS: Bool { publicURL.lowercased().hasPrefix("https://") }

    public static let defaultQuickExitURL = "https://www.buienradar.nl/"

    public init(
        dataDirectory: String = "./data", databaseURL: String? = nil, secretFile: String? = nil,
        secretBase64: String? = nil, publicURL: String = "http://127.0.0.1:8080",
        quickExitURL: String = AppSettings.defaultQuickExitURL, sessionIdleTimeout: TimeInterval = 30 * 60,
        sessionAbsoluteTimeout: TimeInterval = 12 * 60 * 60, maxBodySize: Int = 1 << 20, kdfConcurrency: Int = 2,
        passwordParameters: ScryptPasswordHasher.Parameters = .standard
    ) {
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.secretFile = secretFile
        self.secretBase64 = secretBase64
        self.publicURL = publicURL
        self.quickExitURL = quickExitURL
        self.sessionIdleTimeout = sessionIdleTimeout
        self.sessionAbsoluteTimeout = sessionAbsoluteTimeout
        self.maxBodySize = maxBodySize
        self.kdfConcurrency = kdfConcurrency
        self.passwordParameters = passwordParameters
    }

    public enum Failure: Error, CustomStringConvertible {
        case invalid(variable: String, reason: String)

        public var description: String {
            switch self {
            case .invalid(let variable, let reason): "\(variable): \(reason)"
            }
        }
    }

    /// The log format, read before anything else so that even a bad setting is logged in it; a
    /// malformed value means text here, and `fromEnvironment` then stops the start over it.
    public static func earlyLogFormat(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> LogFormat {
        environment["VERTROUWD_LOG_FORMAT"].flatMap { LogFormat(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased()) }
            ?? .text
    }

    /// Whether Vapor's own `LOG_LEVEL` is set (then `--log` is not added).
    public static func hasLogLevel(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["LOG_LEVEL"] != nil
    }

    /// `VERTROUWD_CHROMIUM` when it names an executable, else the first Chromium on the PATH.
    public static func findChromium(in environment: [String: String]) -> String? {
        if let configured = environment["VERTROUWD_CHROMIUM"], FileManager.default.isExecutableFile(atPath: configured) {
            return configured
        }
        let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            for name in names where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") { return "\(directory)/\(name)" }
        }
        return nil
    }

    /// Reads the `VERTROUWD_*` variables and `DATABASE_URL`; a malformed value stops the start with a clear message.
    /// - Parameter defaultDataDirectory: where data goes without `VERTROUWD_DATA_DIR` (`ResourceRoot` knows).
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment, defaultDataDirectory: String = "./data"
    ) throws -> AppSettings {
        var settings = AppSettings(dataDirectory: defaultDataDirectory)
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func number(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let raw = value(name) else { return nil }
            guard let parsed = Int(raw), range.contains(parsed) else {
                throw Failure.invalid(variable: name, reason: "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return parsed
        }
        func flag(_ name: String) throws -> Bool? {
            guard let raw = value(name) else { return nil }
            guard ["0", "1", "true", "false"].contains(raw.lowercased()) else {
                throw Failure.invalid(variable: name, reason: "expected 1 or 0")
            }
            return raw == "1" || raw.lowercased() == "true"
        }
        if let directory = value("VERTROUWD_DATA_DIR") { settings.dataDirectory = directory }
        if let directory = value("VERTROUWD_SYNONYMS_DIR") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw Failure.invalid(variable: "VERTROUWD_SYNONYMS_DIR", reason: "is not a directory")
            }
            settings.synonymsDirectory = directory
        }
        if let url = value("DATABASE_URL") {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw Failure.invalid(variable: "DATABASE_URL", reason: "only postgres:// addresses are supported")
            }
            settings.databaseURL = url
        }
        settings.secretFile = value("VERTROUWD_SECRET_FILE")
        settings.secretBase64 = value("VERTROUWD_SECRET")
        if let url = value("VERTROUWD_PUBLIC_URL") {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw Failure.invalid(variable: "VERTROUWD_PUBLIC_URL", reason: "must start with http:// or https://")
            }
            settings.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            settings.publicURLIsSet = true
        }
        settings.chromiumPath = findChromium(in: environment)
        if let url = value("VERTROUWD_QUICK_EXIT_URL") {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw Failure.invalid(variable: "VERTROUWD_QUICK_EXIT_URL", reason: "must start with http:// or https://")
            }
            settings.quickExitURL = url
        }
        if let minutes = try number("VERTROUWD_SESSION_IDLE_MINUTES", in: 1...1440) {
            settings.sessionIdleTimeout = TimeInterval(minutes * 60)
        }
        if let hours = try number("VERTROUWD_SESSION_MAX_HOURS", in: 1...72) {
            settings.sessionAbsoluteTimeout = TimeInterval(hours * 3600)
        }
        if let mebibytes = try number("VERTROUWD_MAX_BODY_MB", in: 1...512) {
            settings.maxBodySize = mebibytes << 20
        }
        if let mebibytes = try number("VERTROUWD_MAX_UPLOAD_MB", in: 1...512) {
            settings.maxUploadSize = mebibytes << 20
        }
        if let seconds = try number("VERTROUWD_IDLE_TIMEOUT_SECONDS", in: 5...3600) {
            settings.idleTimeoutSeconds = seconds
        }
        if let perHour = try number("VERTROUWD_ORGANISATION_SUBMISSIONS_PER_HOUR", in: 1...100_000) {
            settings.organisationSubmissionsPerHour = perHour
        }
        if let seconds = try number("VERTROUWD_OUTBOX_INTERVAL_SECONDS", in: 1...3600) {
            settings.outboxIntervalSeconds = seconds
        }
        if let seconds = try number("VERTROUWD_REMINDER_INTERVAL_SECONDS", in: 1...86_400) {
            settings.reminderIntervalSeconds = seconds
        }
        if let format = value("VERTROUWD_LOG_FORMAT") {
            guard let parsed = LogFormat(rawValue: format.lowercased()) else {
                throw Failure.invalid(variable: "VERTROUWD_LOG_FORMAT", reason: "expected text or json")
            }
            settings.logFormat = parsed
        }
        if let file = value("VERTROUWD_METRICS_TOKEN_FILE") {
            guard let token = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw Failure.invalid(variable: "VERTROUWD_METRICS_TOKEN_FILE", reason: "cannot be read")
            }
            settings.metricsToken = token.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            settings.metricsToken = value("VERTROUWD_METRICS_TOKEN")
        }
        if let token = settings.metricsToken, token.count < 16 {
            throw Failure.invalid(variable: "VERTROUWD_METRICS_TOKEN", reason: "must be at least 16 characters")
        }
        settings.metricsPerOrganisation = try flag("VERTROUWD_METRICS_PER_ORGANISATION") ?? false
        if let trust = try flag("VERTROUWD_TRUST_PROXY") {
            settings.trustProxy = trust
        }
        if let host = value("VERTROUWD_SMTP_HOST") {
            settings.smtp = try smtpSettings(host: host, value: value, number: number)
        }
        if let limit = try number("VERTROUWD_KDF_CONCURRENCY", in: 1...20) {
            settings.kdfConcurrency = limit
        }
        return settings
    }

    /// The relay: host and port, sender, transport security (by default STARTTLS on 587, TLS on
    /// 465, plain elsewhere), and credentials, which are refused without TLS.
    static func smtpSettings(
        host: String, value: (String) -> String?, number: (String, ClosedRange<Int>) throws -> Int?
    ) throws -> SMTPSettings {
        let port = try number("VERTROUWD_SMTP_PORT", 1...65535) ?? 25
        guard let from = value("VERTROUWD_SMTP_FROM"), EmailAddress(from) != nil else {
            throw Failure.invalid(variable: "VERTROUWD_SMTP_FROM", reason: "a sender address is needed with VERTROUWD_SMTP_HOST")
        }
        var smtp = SMTPSettings(host: host, port: port, from: from)
        if let security = value("VERTROUWD_SMTP_SECURITY") {
            guard let parsed = SMTPSettings.Security(rawValue: security.lowercased()) else {
                throw Failure.invalid(variable: "VERTROUWD_SMTP_SECURITY", reason: "expected none, starttls or tls")
            }
            smtp.security = parsed
        } else {
            smtp.security = port == 465 ? .tls : port == 587 ? .startTLS : .none
        }
        smtp.username = value("VERTROUWD_SMTP_USERNAME")
        if let file = value("VERTROUWD_SMTP_PASSWORD_FILE") {
            guard let password = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw Failure.invalid(variable: "VERTROUWD_SMTP_PASSWORD_FILE", reason: "cannot be read")
            }
            smtp.password = password.trimmingCharacters(in: .newlines)
        } else {
            smtp.password = value("VERTROUWD_SMTP_PASSWORD")
        }
        if smtp.username != nil, smtp.password == nil {
            throw Failure.invalid(variable: "VERTROUWD_SMTP_PASSWORD", reason: "a password is needed with VERTROUWD_SMTP_USERNAME")
        }
        if smtp.username != nil, smtp.security == .none {
            throw Failure.invalid(variable: "VERTROUWD_SMTP_SECURITY", reason: "credentials are only sent over starttls or tls")
        }
        if let file = value("VERTROUWD_SMTP_CA_FILE") {
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw Failure.invalid(variable: "VERTROUWD_SMTP_CA_FILE", reason: "cannot be read")
            }
            smtp.trustRootsFile = file
        }
        return smtp
    }
}
