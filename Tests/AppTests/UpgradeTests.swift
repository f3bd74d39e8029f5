import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VertrouwdCore

@testable import App

/// A database that already holds cases reaches today's schema in one go, with its work queue built
/// from those cases. The queue's rows are built by a migration through today's models, so this is
/// the test that fails when a later migration adds a column those models need first.
@Suite("Upgrades")
struct UpgradeTests {
    @Test func aDatabaseWithCasesFromBeforeTheWorkQueueGetsItsQueue() async throws {
        try await withTestApp { app, _ in
            try await app.autoRevert()
            // The schema as it was before the work queue (migrations 001 to 012).
            let before = Migrations()
            before.add(Array(Application.allMigrations.prefix { !($0 is Migrations013.CreateWorkQueue) }))
            let migrator = Migrator(databases: app.databases, migrations: before, logger: app.logger, on: app.eventLoopGroup.next())
            try await migrator.setupIfNeeded().get()
            try await migrator.prepareBatch().get()

            // Rows as that version wrote them: raw, because today's models have columns it did not.
            let sql = try #require(app.db as? any SQLDatabase)
            let organisation = UUID()
            let counsellor = UUID()
            let (open, closed) = (UUID(), UUID())
            let received = Date(timeIntervalSince1970: 1_790_000_000)
            let ended = received.addingTimeInterval(30 * 86_400)
            try await sql.raw(
                "INSERT INTO organisations (id, name, slug, default_language) VALUES (\(bind: organisation), 'Acme', 'acme', 'nl')"
            ).run()
            try await sql.raw(
                "INSERT INTO staff_accounts (id, email, display_name, role, is_disabled) VALUES "
                    + "(\(bind: counsellor), 'anna@acme.example', 'Anna', 'counsellor', \(bind: false))"
            ).run()
            for (caseID, status, endedAt) in [(open, "in-conversation", nil), (closed, "closed", Optional(ended))] {
                try await sql.raw(
                    "INSERT INTO cases (id, organisation_id, kind, status, key_version, created_at, received_at, ended_at) VALUES "
                        + "(\(bind: caseID), \(bind: organisation), 'contact', \(bind: status), 1, \(bind: received), "
                        + "\(bind: received), \(bind: endedAt))"
                ).run()
                try await sql.raw(
                    "INSERT INTO case_key_grants (id, case_id, key_version, recipient, counsellor_id, encapsulated_key, sealed_key) "
                        + "VALUES (\(bind: UUID()), \(bind: caseID), 1, 'counsellor', \(bind: counsellor), \(bind: Data([1])), "
                        + "\(bind: Data([2])))"
                ).run()
            }

            try await app.autoMigrate()
            let rows = try await QueueRow.query(on: app.db).filter(\.$counsellorID == counsellor).all()
            #expect(Set(rows.map(\.caseID)) == [open, closed])
            #expect(rows.first { $0.caseID == closed }?.endedAt == WorkQueueEntry.seconds(ended))
            #expect(rows.first { $0.caseID == open }?.endedAt == nil)
            try await expectQueueInStep(app)
        }
    }
}
