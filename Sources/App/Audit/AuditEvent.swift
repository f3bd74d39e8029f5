import Fluent
import SQLKit
import Vapor
import VertrouwdCore

/// One entry of the audit log (see `AuditChain`): who did what to which case, and when. Never content,
/// never the person's identity: a person acting through their receipt is "person".
final class AuditEvent: Model, @unchecked Sendable {
    static let schema = "audit_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "sequence") var sequence: Int
    @Field(key: "at") var at: Date
    /// "staff:<account id>", "person" or "system".
    @Field(key: "actor") var actor: String
    @Field(key: "action") var action: String
    /// The case id, or empty.
    @Field(key: "case_id") var caseID: String
    /// A short code (the other counsellor's id for a hand-over, a count for a purge); never content.
    @Field(key: "detail") var detail: String
    @Field(key: "previous") var previous: String
    @Field(key: "digest") var digest: String

    init() {}

    init(_ entry: AuditChain.Entry) {
        sequence = entry.sequence
        at = entry.at
        actor = entry.actor
        action = entry.action
        caseID = entry.caseID
        detail = entry.detail
        previous = entry.previous
        digest = entry.digest
    }

    var entry: AuditChain.Entry {
        AuditChain.Entry(
            sequence: sequence, at: at, actor: actor, action: action, caseID: caseID, detail: detail, previous: previous, digest: digest)
    }
}

/// Appends to the audit log, inside the caller's transaction where there is one, so an action and
/// its entry are stored together or not at all. Appends are serialised: on PostgreSQL by a
/// transaction-scoped advisory lock (two instances never take the same sequence number), on SQLite
/// by its single writer; the unique index on the sequence is the last guard.
struct AuditLog {
    let db: any Database
    let clock: any WallClock

    /// The advisory lock key for appends ("VRTA").
    static let lockKey = 0x5652_5441

    enum Actor {
        case staff(UUID)
        case person
        case system

        var code: String {
            switch self {
            case .staff(let id): "staff:\(id.uuidString)"
            case .person: "person"
            case .system: "system"
            }
        }
    }

    func record(
        _ actor: Actor, _ action: AuditAction, caseID: UUID? = nil, detail: String = "", on database: (any Database)? = nil
    )
        async throws
    {
        try await (database ?? db).writeTransaction { db in
            if let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" {
                try await sql.raw("SELECT pg_advisory_xact_lock(\(literal: Self.lockKey))").run()
            }
            let last = try await AuditEvent.query(on: db).sort(\.$sequence, .descending).first()
            let entry = AuditChain.next(
                after: last?.entry, at: clock.now, actor: actor.code, action: action.rawValue, caseID: caseID?.uuidString ?? "",
                detail: detail)
            try await AuditEvent(entry).create(on: db)
        }
    }

    /// Checks the whole chain; nil when intact.
    func verify() async throws -> AuditChain.Problem? {
        AuditChain.verify(try await AuditEvent.query(on: db).sort(\.$sequence).all().map(\.entry))
    }
}

extension Request {
    var audit: AuditLog { AuditLog(db: db, clock: vertrouwd.clock) }

    /// Records an entry for the signed-in staff member, in `database` (the action's transaction)
    /// when given. It throws: what cannot be recorded does not happen. Pages a person reaches with a
    /// receipt record `.person` explicitly, even when a staff session happens to exist in the browser.
    func audit(_ action: AuditAction, caseID: UUID? = nil, detail: String = "", on database: (any Database)? = nil) async throws {
        guard let id = staffAccount?.id else { throw PageError.loginRequired }
        try await audit.record(.staff(id), action, caseID: caseID, detail: detail, on: database)
    }

    /// Runs `work` and records its audit entry in one transaction.
    func audited(
        _ action: AuditAction, caseID: UUID?, detail: String = "", _ work: @escaping @Sendable (any Database) async throws -> Void
    )
        async throws
    {
        try await db.writeTransaction { db in
            try await work(db)
            try await self.audit(action, caseID: caseID, detail: detail, on: db)
        }
    }
}
