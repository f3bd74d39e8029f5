import Foundation

/// Who acts on a case.
public enum CaseActor: String, Sendable, CaseIterable {
    /// The person who made the case, through their receipt.
    case person
    /// A counsellor who holds the case's key.
    case counsellor
}

/// Everything that may change a case's state, each made by one kind of actor.
public enum CaseAction: String, Sendable, CaseIterable {
    /// The counsellor writes to the person's inbox.
    case reply
    /// Formal report: receipt acknowledged (stops the 7-day clock).
    case acknowledge
    /// Formal report: feedback given (stops the 3-month clock).
    case recordFeedback
    /// The counsellor records a consent the person gave or took back in conversation.
    case recordConsent
    /// The counsellor records a referral.
    case refer
    /// Back to "in conversation" (from new or referred).
    case resumeConversation
    /// Closing needs a registration for the yearly report; the retention term starts.
    case close
    /// A closed case opens again; the retention term stops.
    case reopen
    /// The person adds to an open case: a message, files, their name, who it is about, a choice,
    /// an address for news, a shared journal.
    case personWrites
    /// The person withdraws the case; nothing can undo it.
    case withdraw

    public var actor: CaseActor {
        switch self {
        case .personWrites, .withdraw: .person
        case .reply, .acknowledge, .recordFeedback, .recordConsent, .refer, .resumeConversation, .close, .reopen: .counsellor
        }
    }
}

/// The part of a case the lifecycle rules read: all of it in clear columns, none of it content.
public struct CaseState: Sendable, Equatable {
    public var kind: CaseKind
    public var status: CaseStatus
    public var isAcknowledged: Bool
    public var isFeedbackGiven: Bool
    /// Whether the case has its registration for the yearly report.
    public var isRegistered: Bool

    public init(
        kind: CaseKind, status: CaseStatus, isAcknowledged: Bool = false, isFeedbackGiven: Bool = false, isRegistered: Bool = false
    ) {
        self.kind = kind
        self.status = status
        self.isAcknowledged = isAcknowledged
        self.isFeedbackGiven = isFeedbackGiven
        self.isRegistered = isRegistered
    }
}

/// Why an action is refused, most fundamental reason first.
public enum CaseRefusal: Error, Sendable, Equatable, CaseIterable {
    /// The action is not this actor's to make.
    case notYours
    /// Closed or withdrawn: only reopening a closed case is possible.
    case ended
    /// Only a closed case reopens (a withdrawal is the person's and stays).
    case notClosed
    /// The Wbk's clocks belong to formal reports only.
    case notAFormalReport
    case alreadyAcknowledged
    /// Feedback follows the acknowledgement.
    case notAcknowledged
    case feedbackAlreadyGiven
    /// A case closes only with its registration.
    case notRegistered
}

/// The case's states, the transitions between them and who may make them. The App stores the result
/// in the case's clear columns; every controller asks here instead of comparing strings.
public enum CaseLifecycle {
    /// The state after `action`, or why it is refused.
    public static func apply(_ action: CaseAction, by actor: CaseActor, to state: CaseState) -> Result<CaseState, CaseRefusal> {
        guard action.actor == actor else { return .failure(.notYours) }
        if action == .reopen {
            guard state.status == .closed else { return .failure(.notClosed) }
            return .success(with(state) { $0.status = .inConversation })
        }
        guard !state.status.isEnded else { return .failure(.ended) }
        switch action {
        case .reply:
            return .success(with(state) { $0.status = $0.status == .new ? .inConversation : $0.status })
        case .acknowledge:
            guard state.kind == .formalReport else { return .failure(.notAFormalReport) }
            guard !state.isAcknowledged else { return .failure(.alreadyAcknowledged) }
            return .success(
                with(state) {
                    $0.isAcknowledged = true
                    $0.status = $0.status == .new ? .inConversation : $0.status
                })
        case .recordFeedback:
            guard state.kind == .formalReport else { return .failure(.notAFormalReport) }
            guard state.isAcknowledged else { return .failure(.notAcknowledged) }
            guard !state.isFeedbackGiven else { return .failure(.feedbackAlreadyGiven) }
            return .success(with(state) { $0.isFeedbackGiven = true })
        case .recordConsent, .personWrites:
            return .success(state)
        case .refer:
            return .success(with(state) { $0.status = .referred })
        case .resumeConversation:
            return .success(with(state) { $0.status = .inConversation })
        case .close:
            guard state.isRegistered else { return .failure(.notRegistered) }
            return .success(with(state) { $0.status = .closed })
        case .withdraw:
            return .success(with(state) { $0.status = .withdrawn })
        case .reopen:
            return .failure(.notClosed)  // handled above; kept so the switch stays exhaustive
        }
    }

    /// Whether `action` is allowed now, for showing or hiding its button.
    public static func allows(_ action: CaseAction, to state: CaseState) -> Bool {
        if case .success = apply(action, by: action.actor, to: state) { return true }
        return false
    }

    /// The statuses one step can reach from `status`, for any kind and clock (docs and tests).
    public static func reachable(from status: CaseStatus) -> Set<CaseStatus> {
        var reached: Set<CaseStatus> = []
        for action in CaseAction.allCases {
            for kind in CaseKind.allCases {
                for flags in 0..<8 {
                    let state = CaseState(
                        kind: kind, status: status, isAcknowledged: flags & 1 != 0, isFeedbackGiven: flags & 2 != 0,
                        isRegistered: flags & 4 != 0)
                    if case .success(let next) = apply(action, by: action.actor, to: state), next.status != status {
                        reached.insert(next.status)
                    }
                }
            }
        }
        return reached
    }

    private static func with(_ state: CaseState, _ change: (inout CaseState) -> Void) -> CaseState {
        var copy = state
        change(&copy)
        return copy
    }
}
