import Foundation
import Logging
import NIOConcurrencyHelpers

@testable import App

/// Captures every log line of the test process, so tests can prove what never reaches the logs.
enum TestLogs {
    private static let lines = NIOLockedValueBox<[String]>([])
    private static let bootstrapped = NIOLockedValueBox(false)

    static func bootstrapOnce() {
        bootstrapped.withLockedValue { done in
            guard !done else { return }
            done = true
            // The same privacy filter as production, around a handler that remembers every line.
            LoggingSystem.bootstrap { label in PrivacyLogHandler(wrapping: CapturingHandler(label: label)) }
        }
    }

    static func append(_ line: String) {
        lines.withLockedValue { $0.append(line) }
    }

    /// Every line of the whole test process: for proving that something is logged nowhere.
    static var all: [String] { lines.withLockedValue { $0 } }

    /// The lines of one request, by the id it was answered with: for proving that something *is*
    /// logged, which a line of another test running at the same time must not prove instead.
    static func lines(ofRequest id: String?) -> [String] {
        guard let id else { return [] }
        return all.filter { $0.contains(id) }
    }

    struct CapturingHandler: LogHandler {
        let label: String
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            event.metadata?.forEach { merged[$0.key] = $0.value }
            TestLogs.append("\(event.level) \(label) \(event.message) \(merged)")
        }
    }
}
