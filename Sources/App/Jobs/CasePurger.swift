import Fluent
import SQLKit
import Vapor
import VertrouwdCore

/// Destroys the content of cases whose retention term has passed: the case row with its keys, content,
/// submissions and waiting mails go; the registration stays, detached from the case. On SQLite the
/// deletes overwrite the freed bytes (`secure_delete`) and the write-ahead log is emptied; on
/// PostgreSQL the tables are vacuumed so dead rows do not linger in the data files.
struct CasePurger {
    let services: VertrouwdServices
    let db: any Database
    let logger: Logger

    struct Due {
        let record: CaseRecord
        let organisationName: String
        let purgeDate: Date
    }

    /// Ended cases whose content goes before `until`, soonest first (`until` = now: due now).
    func due(before until: Date, caseIDs: Set<UUID>? = nil) async throws -> [Due] {
        var result: [Due] = []
        for organisation in try await Organisation.query(on: db).all() {
            let policy = organisation.retention
            let organisationID = try organisation.requireID()
            var query = CaseRecord.query(on: db).filter(\.$organisation.$id == organisationID).filter(\.$endedAt != nil)
                .filter(\.$endedAt <= policy.cutoff(at: until))
            if let caseIDs {
                guard !caseIDs.isEmpty else { return [] }
                query = query.filter(\.$id ~~ caseIDs)
            }
            for record in try await query.all() {
                guard let ended = record.endedAt else { continue }
                result.append(Due(record: record, organisationName: organisation.name, purgeDate: policy.purgeDate(endedAt: ended)))
            }
        }
        return result.sorted { $0.purgeDate < $1.purgeDate }
    }

    /// Purges every case that is due now; returns how many went.
    @discardableResult
    func purge() async throws -> Int {
        let now = services.clock.now
        let due = try await due(before: now)
        guard !due.isEmpty else { return 0 }
        let audit = AuditLog(db: db, clock: services.clock)
        let isSQLite = services.settings.databaseURL == nil
        for item in due {
            guard let caseID = item.record.id else { continue }
            try await db.transaction { db in
                if isSQLite, let sql = db as? any SQLDatabase { try await sql.raw("PRAGMA secure_delete = ON").run() }
                try await CaseRegistration.query(on: db).filter(\.$caseID == caseID).set(\.$caseID, to: nil).update()
                try await OutgoingMail.query(on: db).filter(\.$caseID == caseID).delete()
                // Content, key grants and the submission mark go with the case (ON DELETE CASCADE),
                // deleted explicitly as well so no driver setting can leave them behind.
                try await CaseContent.query(on: db).filter(\.$caseRecord.$id == caseID).delete()
                try await CaseKeyGrant.query(on: db).filter(\.$caseRecord.$id == caseID).delete()
                try await CaseSubmission.query(on: db).filter(\.$caseRecord.$id == caseID).delete()
                try await CaseRecord.query(on: db).filter(\.$id == caseID).delete()
            }
            try await audit.record(.system, "case-purge", caseID: caseID)
        }
        try await scrub()
        logger.info("cases purged", metadata: ["count": .stringConvertible(due.count)])
        return due.count
    }

    /// Makes sure deleted bytes are gone from the files, not just unreachable.
    func scrub() async throws {
        guard let sql = db as? any SQLDatabase else { return }
        if services.settings.databaseURL == nil {
            try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
        } else {
            for table in [CaseContent.schema, CaseKeyGrant.schema, CaseSubmission.schema, CaseRecord.schema, OutgoingMail.schema] {
                try await sql.raw("VACUUM \(ident: table)").run()
            }
        }
    }
}
