import Logging

/// Wraps the real log handler and lets through only metadata whose keys are known to be harmless.
///
/// Libraries log more than we want: Fluent logs every query with its values at debug level, the SQL
/// drivers log bound parameters. Everything not on the allow-list is replaced by `[redacted]`,
/// at every level, so turning on debug logging never writes an e-mail address or a token to disk.
public struct PrivacyLogHandler: LogHandler {
    public static let allowedKeys: Set<String> = [
        "request-id", "method", "route", "status", "ms", "role", "error",
        "database-id", "migration", "action", "schema", "command", "count",
    ]

    private var wrapped: any LogHandler

    public init(wrapping handler: any LogHandler) {
        wrapped = handler
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = Self.redact(newValue) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = Self.allowedKeys.contains(key) ? newValue : newValue.map { _ in .string("[redacted]") } }
    }

    public func log(event: LogEvent) {
        var redacted = event
        redacted.metadata = event.metadata.map(Self.redact)
        wrapped.log(event: redacted)
    }

    static func redact(_ metadata: Logger.Metadata) -> Logger.Metadata {
        metadata.reduce(into: [:]) { result, entry in
            result[entry.key] = allowedKeys.contains(entry.key) ? entry.value : .string("[redacted]")
        }
    }
}
