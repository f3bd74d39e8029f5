import Fluent
import SQLKit
import Vapor
import VertrouwdCore

/// Destroys the content of cases whose retention term has passed: the case row with its keys, content,
/// submissions and waiting mails go; the registration stays, detached from the case. On SQLite the
/// deletes overwrite the freed bytes (`secure_delete`) and the write-ahead log is emptied; on
/// PostgreSQL the tables are vacuumed, which makes the space reusable (see docs/security.md for what
/// that does and does not guarantee).
struct CasePurger {
    let services: VertrouwdServices
    let db: any Database
    let logger: Logger

    struct Due {
        let record: CaseRecord
        let organisationName: String
        let purgeDate: Date
    }

    /// Ended cases whose content goes at or before `until`, soonest first (`until` = now: due now).
    func due(before until: Date, caseIDs: Set<UUID>? = nil, heldBy counsellorID: UUID? = nil) async throws -> [Due] {
        if let caseIDs, caseIDs.isEmpty { return [] }
        // Each organisation's own term, from the few terms in use: a case can only be due once its
        // organisation's cutoff has passed, so the read is a short range of the `cases_ended` index
        // (cases ended long ago are gone already) instead of every ended case. Calendar months are not
        // symmetric at month ends (31 March + 1 month = 30 April), so each cutoff takes a few days'
        // slack and each case is then checked with its organisation's policy.
        let terms = try await Organisation.query(on: db).unique().all(\.$retentionMonths)
        guard !terms.isEmpty else { return [] }
        func cutoff(_ months: Int) -> Date { RetentionPolicy(months: months).cutoff(at: until).addingTimeInterval(4 * 86_400) }
        let latest = terms.map(cutoff).max() ?? until
        var query = CaseRecord.query(on: db).filter(\.$endedAt != nil).filter(\.$endedAt <= latest).with(\.$organisation)
            .join(Organisation.self, on: \CaseRecord.$organisation.$id == \Organisation.$id)
            .group(.or) { any in
                for months in terms {
                    any.group(.and) { term in
                        term.filter(Organisation.self, \.$retentionMonths == months).filter(\.$endedAt <= cutoff(months))
                    }
                }
            }
        if let caseIDs { query = query.filter(\.$id ~~ caseIDs) }
        // A counsellor's own cases through their work queue's rows (one per case they hold), not a
        // list of every id they hold.
        if let counsellorID {
            // Their rows' own copy of the end date keeps this one index range (`case_queue_ended`).
            query = query.join(QueueRow.self, on: \CaseRecord.$id == \QueueRow.$caseID)
                .filter(QueueRow.self, \.$counsellorID == counsellorID).filter(QueueRow.self, \.$endedAt != nil)
                .filter(QueueRow.self, \.$endedAt <= WorkQueueEntry.seconds(latest))
        }
        return try await query.all().compactMap { record -> Due? in
            let policy = record.organisation.retention
            guard let ended = record.endedAt, policy.isDue(endedAt: ended, at: until) else { return nil }
            return Due(record: record, organisationName: record.organisation.name, purgeDate: policy.purgeDate(endedAt: ended))
        }
        .sorted { $0.purgeDate < $1.purgeDate }
    }

    /// Purges every case that is due now; returns how many went.
    @discardableResult
    func purge() async throws -> Int {
        let now = services.clock.now
        var count = 0
        for item in try await due(before: now) {
            guard let caseID = item.record.id else { continue }
            let purged = try await destroy(caseID, action: .casePurge, actor: .system) { record, db in
                // Reopened (or changed) since the list was made: it stays.
                guard let ended = record.endedAt, record.status.isEnded else { return false }
                return try await Organisation.find(record.$organisation.id, on: db)?.retention.isDue(endedAt: ended, at: now) ?? false
            }
            if purged { count += 1 }
        }
        if count > 0 {
            try await scrub()
            logger.info("cases purged", metadata: ["count": .stringConvertible(count)])
        }
        return count
    }

    /// Deletes one case with everything in it and records `action`, in one transaction, after
    /// `allowed` has looked at the case as it is inside that transaction. Returns whether it went.
    func destroy(
        _ caseID: UUID, action: AuditAction, actor: AuditLog.Actor,
        allowed: @escaping @Sendable (CaseRecord, any Database) async throws -> Bool
    ) async throws -> Bool {
        let isSQLite = services.settings.databaseURL == nil
        let audit = AuditLog(db: db, clock: services.clock)
        return try await db.writeTransaction { db in
            // secure_delete is per connection: set it on the one this transaction uses.
            if isSQLite, let sql = db as? any SQLDatabase { try await sql.raw("PRAGMA secure_delete = ON").run() }
            guard let record = try await CaseRecord.find(caseID, on: db), try await allowed(record, db) else { return false }
            try await CaseRegistration.query(on: db).filter(\.$caseID == caseID).set(\.$caseID, to: nil).update()
            try await OutgoingMail.query(on: db).filter(\.$caseID == caseID).delete()
            // Content, key grants and the submission mark go with the case (ON DELETE CASCADE),
            // deleted explicitly as well so no driver setting can leave them behind.
            try await CaseContent.query(on: db).filter(\.$caseRecord.$id == caseID).delete()
            try await CaseKeyGrant.query(on: db).filter(\.$caseRecord.$id == caseID).delete()
            try await CaseSubmission.query(on: db).filter(\.$caseRecord.$id == caseID).delete()
            try await NamedPartyDigest.query(on: db).filter(\.$caseID == caseID).delete()
            try await CasePersonMark.query(on: db).filter(\.$caseID == caseID).delete()
            let matches = PartyMatch.query(on: db).group(.or) { $0.filter(\.$firstCaseID == caseID).filter(\.$secondCaseID == caseID) }
            let partners = try await matches.all().map { $0.other(than: caseID) }
            try await matches.delete()
            try await QueueRow.query(on: db).filter(\.$caseID == caseID).delete()
            try await CaseRecord.query(on: db).filter(\.$id == caseID).delete()
            try await WorkQueueStore.refresh(partners, on: db)
            try await audit.record(actor, action, caseID: caseID, on: db)
            return true
        }
    }

    /// Makes sure deleted bytes are gone from the files, not just unreachable.
    func scrub() async throws {
        try await Scrubber(services: services, db: db, logger: logger).scrub(
            tables: [
                CaseContent.schema, CaseKeyGrant.schema, CaseSubmission.schema, CaseRecord.schema, OutgoingMail.schema,
                NamedPartyDigest.schema, CasePersonMark.schema, PartyMatch.schema,
            ])
    }
}
