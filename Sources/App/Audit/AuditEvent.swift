import Fluent
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

/// Appends to the audit log. Two writers (two instances) may race for the same sequence number; the
/// unique index lets only one win, and the other retries on top of it.
struct AuditLog {
    let db: any Database
    let clock: any WallClock

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

    func record(_ actor: Actor, _ action: String, caseID: UUID? = nil, detail: String = "") async throws {
        for attempt in 0..<8 {
            do {
                try await db.transaction { db in
                    let last = try await AuditEvent.query(on: db).sort(\.$sequence, .descending).first()
                    let entry = AuditChain.next(
                        after: last?.entry, at: clock.now, actor: actor.code, action: action, caseID: caseID?.uuidString ?? "",
                        detail: detail)
                    try await AuditEvent(entry).create(on: db)
                }
                return
            } catch let error as any DatabaseError where error.isConstraintFailure && attempt < 7 {
                try await Task.sleep(for: .milliseconds(5 * (attempt + 1)))
            }
        }
    }

    /// Checks the whole chain; nil when intact.
    func verify() async throws -> AuditChain.Problem? {
        AuditChain.verify(try await AuditEvent.query(on: db).sort(\.$sequence).all().map(\.entry))
    }
}

extension Request {
    var audit: AuditLog { AuditLog(db: db, clock: vertrouwd.clock) }

    /// Records an audit entry for the signed-in staff member (or "person" without one). It throws:
    /// what cannot be recorded does not happen.
    func audit(_ action: String, caseID: UUID? = nil, detail: String = "") async throws {
        let actor: AuditLog.Actor = staffAccount?.id.map { .staff($0) } ?? .person
        try await audit.record(actor, action, caseID: caseID, detail: detail)
    }
}
