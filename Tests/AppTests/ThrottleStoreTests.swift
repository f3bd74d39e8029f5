import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VertrouwdCore

@testable import App

/// The counts behind every throttle, under attempts at the same moment.
@Suite("Throttle counts")
struct ThrottleStoreTests {
    @Test func attemptsAtTheSameMomentEachCount() async throws {
        try await withTestApp { app, _ in
            let key = "organisation-key"
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        let request = Request(application: app, on: app.eventLoopGroup.next())
                        try await ThrottleStore(request: request).recordAttempt([key])
                    }
                }
                try await group.waitForAll()
            }
            let rows = try await ThrottleCount.query(on: app.db).filter(\.$keyDigest == key).all()
            #expect(rows.count == 1)
            #expect(rows.first?.failures == 40, "attempts were lost: \(rows.first?.failures ?? 0) of 40 counted")
        }
    }

    @Test func withinTheFreeAttemptsNothingWaitsEvenIfAnotherRequestCountedLater() async throws {
        try await withTestApp { app, clock in
            let request = Request(application: app, on: app.eventLoopGroup.next())
            let store = ThrottleStore(request: request)
            // Another request on another instance, whose clock is a second ahead, counted an attempt.
            try await ThrottleCount(keyDigest: "k", failures: 2, lastFailureAt: clock.now.addingTimeInterval(1)).create(on: app.db)
            #expect(try await store.blockedUntil(["k"]) == nil)
            try await ThrottleCount.query(on: app.db).set(\.$failures, to: 5).update()
            #expect(try await store.blockedUntil(["k"]) != nil, "past the free attempts, the wait holds")
            // An attempt long ago starts the count again.
            clock.advance(by: store.policy.memory + 10)
            try await store.recordAttempt(["k"])
            #expect(try await ThrottleCount.query(on: app.db).first()?.failures == 1)
        }
    }
}
