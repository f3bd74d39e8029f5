import Foundation

/// When a login may be tried again after failures: five free attempts, then a wait that doubles with
/// every further failure, up to a ceiling. A wait, not a lock: the real owner is never shut out for long.
public struct LoginThrottlePolicy: Sendable {
    public var freeAttempts: Int
    public var firstDelay: TimeInterval
    public var maximumDelay: TimeInterval
    /// Failures older than this are forgotten.
    public var memory: TimeInterval

    public init(
        freeAttempts: Int = 5, firstDelay: TimeInterval = 30, maximumDelay: TimeInterval = 15 * 60,
        memory: TimeInterval = 24 * 60 * 60
    ) {
        self.freeAttempts = freeAttempts
        self.firstDelay = firstDelay
        self.maximumDelay = maximumDelay
        self.memory = memory
    }

    public static let standard = LoginThrottlePolicy()

    /// The wait imposed after `failures` consecutive failures.
    public func delay(afterFailures failures: Int) -> TimeInterval {
        guard failures >= freeAttempts else { return 0 }
        let exponent = min(failures - freeAttempts, 30)
        return min(firstDelay * pow(2, Double(exponent)), maximumDelay)
    }

    /// When the next attempt is allowed, given the failures so far and when the last one happened.
    public func nextAttemptAllowed(failures: Int, lastFailure: Date) -> Date {
        lastFailure.addingTimeInterval(delay(afterFailures: failures))
    }
}
