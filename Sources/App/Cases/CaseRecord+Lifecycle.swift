import Foundation
import VertrouwdCore

/// The bridge between `CaseLifecycle` (the rules) and the case's clear columns (what is stored).
extension CaseRecord {
    /// The case as the lifecycle rules see it. Registration lives in its own table, so the caller
    /// that closes a case says whether it is registered.
    func lifecycleState(isRegistered: Bool = false) -> CaseState {
        CaseState(
            kind: kind, status: status, isAcknowledged: acknowledgedAt != nil, isFeedbackGiven: feedbackGivenAt != nil,
            isRegistered: isRegistered)
    }

    /// Applies an allowed action to the columns (status, the Wbk clocks, the ended and waiting marks);
    /// a refused one changes nothing and answers 404, exactly like a case that is not there: the
    /// buttons for it are not shown, so only a stale page or a hand-made request meets it. The caller saves.
    func apply(_ action: CaseAction, by actor: CaseActor, isRegistered: Bool = false, now: Date) throws(PageError) {
        let before = lifecycleState(isRegistered: isRegistered)
        guard case .success(let after) = CaseLifecycle.apply(action, by: actor, to: before) else { throw .notFound }
        status = after.status
        if after.isAcknowledged && !before.isAcknowledged { acknowledgedAt = now }
        if after.isFeedbackGiven && !before.isFeedbackGiven { feedbackGivenAt = now }
        if after.status.isEnded && !before.status.isEnded {
            endedAt = now
            waitingSince = nil
        }
        if action == .reopen { endedAt = nil }
        // The counsellor answered: nothing from the person is waiting any more.
        if action == .reply { waitingSince = nil }
    }
}
