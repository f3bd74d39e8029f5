import Foundation

/// When something may be tried again: a login, a receipt, a journal phrase, a submitted form. A number
/// of free attempts, then a wait that doubles with every further attempt, up to a ceiling. A wait, not
/// a lock: the real owner is never shut out for long. What counts as an attempt is the caller's choice
/// (a failed login; any submitted contact form).
public struct ThrottlePolicy: Sendable {
    public var freeAttempts: Int
    public var firstDelay: TimeInterval
    public var maximumDelay: TimeInterval
    /// Attempts older than this are forgotten.
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

    public static let standard = ThrottlePolicy()

    /// The wait imposed after `attempts` counted attempts.
    public func delay(afterAttempts attempts: Int) -> TimeInterval {
        guard attempts >= freeAttempts else { return 0 }
        let exponent = min(attempts - freeAttempts, 30)
        return min(firstDelay * pow(2, Double(exponent)), maximumDelay)
    }

    /// When the next attempt is allowed, given the attempts counted so far and when the last one was.
    public func nextAttemptAllowed(attempts: Int, lastAttempt: Date) -> Date {
        lastAttempt.addingTimeInterval(delay(afterAttempts: attempts))
    }
}
