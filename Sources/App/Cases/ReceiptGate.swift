import Fluent
import Vapor
import VertrouwdCore

/// The only way in with a receipt: checks its form, holds back clients that keep guessing, and holds
/// back everybody's *failed* guesses when the whole instance sees a flood of them.
///
/// With 85 random bits a guess is hopeless anyway; the throttle makes trying expensive and visible.
/// It cannot lock a real person out for long: a mistyped receipt is caught by its check character
/// before it counts, a client's wait is capped at 15 minutes, and the instance-wide limit applies only
/// to clients that already failed recently.
struct ReceiptGate {
    enum Outcome {
        case opened(CaseVault.OpenedCase)
        /// Not a receipt at all (length, characters, check character): nothing was counted.
        case malformed
        /// Well-formed but unknown: counted as a failed guess.
        case notFound
        case throttled(until: Date)
    }

    static let clientPolicy = ThrottlePolicy(freeAttempts: 10, firstDelay: 30, maximumDelay: 15 * 60)
    static let globalKey = "receipt-global"
    static let globalWindow: TimeInterval = 60
    /// Failed receipt guesses per minute across the instance before clients with failures are held back.
    static let globalBudget = 120

    let request: Request

    func open(_ typed: String) async throws -> Outcome {
        guard let receipt = Receipt(typed: typed) else { return .malformed }
        let throttle = ThrottleStore(request: request, policy: Self.clientPolicy)
        let clientKey = throttle.clientKey(purpose: "throttle-receipt")
        let clientKeys = [clientKey]
        if let until = try await throttle.blockedUntil(clientKeys) { return .throttled(until: until) }
        if try await throttle.attempts(clientKey) > 0, let until = try await globalFloodUntil() { return .throttled(until: until) }

        guard let opened = try await CaseVault(services: request.vertrouwd, db: request.db).open(receipt: receipt) else {
            try await throttle.recordAttempt(clientKeys)
            try await countGlobalFailure()
            return .notFound
        }
        try await throttle.recordSuccess(clientKeys)
        return .opened(opened)
    }

    /// When the current minute's budget of failed guesses is spent, the end of that minute.
    private func globalFloodUntil() async throws -> Date? {
        guard let row = try await ThrottleCount.query(on: request.db).filter(\.$keyDigest == Self.globalKey).first() else { return nil }
        let windowEnd = row.lastFailureAt.addingTimeInterval(Self.globalWindow)
        return windowEnd > request.now && row.failures >= Self.globalBudget ? windowEnd : nil
    }

    /// The global row counts failures in a fixed window that starts at `last_failure_at`.
    private func countGlobalFailure() async throws {
        try await ThrottleStore(request: request).raise(
            Self.globalKey, since: request.now.addingTimeInterval(-Self.globalWindow), fixedWindow: true)
    }
}
