import Testing

@testable import VertrouwdCore

/// Every action by every actor on every state a case can be in: 10 actions × 2 actors × 2 kinds ×
/// 5 statuses × 8 combinations of the three flags.
@Suite("Case lifecycle")
struct CaseLifecycleTests {
    static let states: [CaseState] = CaseKind.allCases.flatMap { kind in
        CaseStatus.allCases.flatMap { status in
            (0..<8).map { flags in
                CaseState(
                    kind: kind, status: status, isAcknowledged: flags & 1 != 0, isFeedbackGiven: flags & 2 != 0,
                    isRegistered: flags & 4 != 0)
            }
        }
    }

    @Test func theStoredWordsNeverChange() {
        // Rows and ciphertexts (the content field is authenticated data) hold these raw values.
        #expect(CaseStatus.allCases.map(\.rawValue) == ["new", "in-conversation", "referred", "closed", "withdrawn"])
        #expect(CaseKind.allCases.map(\.rawValue) == ["contact", "report"])
        #expect(ContentAuthor.allCases.map(\.rawValue) == ["reporter", "counsellor"])
        #expect(
            ContentField.allCases.map(\.rawValue)
                == ["message", "attachment", "form", "identity", "consent", "note", "referral", "signal", "party", "journal"])
        #expect(CaseStatus.ended == [.closed, .withdrawn])
    }

    @Test func onlyTheActionsOwnActorMayMakeIt() {
        for action in CaseAction.allCases {
            for actor in CaseActor.allCases where actor != action.actor {
                for state in Self.states {
                    #expect(CaseLifecycle.apply(action, by: actor, to: state) == .failure(.notYours), "\(action) by \(actor)")
                }
            }
        }
        #expect(CaseAction.allCases.filter { $0.actor == .person } == [.personWrites, .withdraw])
    }

    @Test func anEndedCaseTakesNothingButReopeningAClosedOne() {
        for state in Self.states where state.status.isEnded {
            for action in CaseAction.allCases {
                let result = CaseLifecycle.apply(action, by: action.actor, to: state)
                if action == .reopen && state.status == .closed {
                    #expect(result == .success(with(state) { $0.status = .inConversation }))
                } else if action == .reopen {
                    #expect(result == .failure(.notClosed), "a withdrawal is the person's and stays")
                } else {
                    #expect(result == .failure(.ended), "\(action) on \(state.status)")
                }
            }
        }
    }

    @Test func reopeningNeedsAClosedCase() {
        for state in Self.states where state.status != .closed {
            #expect(CaseLifecycle.apply(.reopen, by: .counsellor, to: state) == .failure(.notClosed))
        }
    }

    @Test func theStatusGraph() {
        #expect(CaseLifecycle.reachable(from: .new) == [.inConversation, .referred, .closed, .withdrawn])
        #expect(CaseLifecycle.reachable(from: .inConversation) == [.referred, .closed, .withdrawn])
        #expect(CaseLifecycle.reachable(from: .referred) == [.inConversation, .closed, .withdrawn])
        #expect(CaseLifecycle.reachable(from: .closed) == [.inConversation])
        #expect(CaseLifecycle.reachable(from: .withdrawn) == [])
    }

    @Test func aReplyOrAnAcknowledgementStartsTheConversation() throws {
        for state in Self.states where !state.status.isEnded {
            let expected: CaseStatus = state.status == .new ? .inConversation : state.status
            #expect(try CaseLifecycle.apply(.reply, by: .counsellor, to: state).get().status == expected)
            if state.kind == .formalReport && !state.isAcknowledged {
                let after = try? CaseLifecycle.apply(.acknowledge, by: .counsellor, to: state).get()
                #expect(
                    after
                        == with(state) {
                            $0.status = expected
                            $0.isAcknowledged = true
                        })
            }
        }
    }

    @Test func theWbkClocksBelongToFormalReportsInTheirOrder() {
        for state in Self.states where !state.status.isEnded {
            let acknowledge = CaseLifecycle.apply(.acknowledge, by: .counsellor, to: state)
            let feedback = CaseLifecycle.apply(.recordFeedback, by: .counsellor, to: state)
            switch (state.kind, state.isAcknowledged, state.isFeedbackGiven) {
            case (.contact, _, _):
                #expect(acknowledge == .failure(.notAFormalReport))
                #expect(feedback == .failure(.notAFormalReport))
            case (.formalReport, false, _):
                #expect(feedback == .failure(.notAcknowledged), "feedback follows the acknowledgement")
                #expect((try? acknowledge.get())?.isAcknowledged == true)
            case (.formalReport, true, let given):
                #expect(acknowledge == .failure(.alreadyAcknowledged))
                #expect(feedback == (given ? .failure(.feedbackAlreadyGiven) : .success(with(state) { $0.isFeedbackGiven = true })))
            }
        }
    }

    @Test func closingNeedsTheRegistration() {
        for state in Self.states where !state.status.isEnded {
            let result = CaseLifecycle.apply(.close, by: .counsellor, to: state)
            #expect(result == (state.isRegistered ? .success(with(state) { $0.status = .closed }) : .failure(.notRegistered)))
        }
    }

    @Test func theOtherStepsOfAnOpenCase() {
        for state in Self.states where !state.status.isEnded {
            #expect(CaseLifecycle.apply(.refer, by: .counsellor, to: state) == .success(with(state) { $0.status = .referred }))
            #expect(
                CaseLifecycle.apply(.resumeConversation, by: .counsellor, to: state)
                    == .success(with(state) { $0.status = .inConversation }))
            #expect(CaseLifecycle.apply(.withdraw, by: .person, to: state) == .success(with(state) { $0.status = .withdrawn }))
            #expect(CaseLifecycle.apply(.personWrites, by: .person, to: state) == .success(state))
            #expect(CaseLifecycle.apply(.recordConsent, by: .counsellor, to: state) == .success(state))
        }
    }

    @Test func noStepChangesTheKindOrUndoesAClockOrARegistration() {
        for state in Self.states {
            for action in CaseAction.allCases {
                guard case .success(let after) = CaseLifecycle.apply(action, by: action.actor, to: state) else { continue }
                #expect(after.kind == state.kind)
                #expect(after.isRegistered == state.isRegistered)
                #expect(!state.isAcknowledged || after.isAcknowledged)
                #expect(!state.isFeedbackGiven || after.isFeedbackGiven)
                #expect(CaseLifecycle.allows(action, to: state))
            }
        }
    }

    private func with(_ state: CaseState, _ change: (inout CaseState) -> Void) -> CaseState {
        var copy = state
        change(&copy)
        return copy
    }
}
