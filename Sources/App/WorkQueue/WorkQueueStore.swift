import Fluent
import Foundation
import Vapor
import VertrouwdCore

/// Keeps the work queue (`QueueRow`) in step with the cases: one row for each counsellor who holds
/// a case's key, with the case's clear columns and standing. Runs inside the caller's transaction,
/// so a case and its queue rows change together or not at all.
///
/// A new case writes its rows itself (`CaseVault.store`, without a read inside its transaction),
/// and so does a grant to one more counsellor (`CaseVault.grant`). Every later save of a case or a match refreshes through the model middlewares below; the rest
/// is called where a case changes without a model save: cases set aside in bulk, a purge, an
/// organisation's reminder terms; `markShared` after a colleague's share.
enum WorkQueueStore {
    /// Brings the rows of these cases up to date; `sharedWith` are counsellors who receive a case
    /// from a colleague now (their new rows are marked as shared).
    static func refresh(_ caseIDs: some Sequence<UUID>, sharedWith: Set<UUID> = [], on db: any Database) async throws {
        for caseID in Set(caseIDs) {
            guard let record = try await CaseRecord.query(on: db).filter(\.$id == caseID).with(\.$organisation).first() else {
                try await QueueRow.query(on: db).filter(\.$caseID == caseID).delete()
                continue
            }
            try await refresh(record, sharedWith: sharedWith, on: db)
        }
    }

    static func refresh(_ record: CaseRecord, sharedWith: Set<UUID> = [], on db: any Database) async throws {
        guard let caseID = record.id else { return }
        let holders = Set(
            try await CaseKeyGrant.query(on: db).filter(\.$caseRecord.$id == caseID).filter(\.$recipientKind == "counsellor").all()
                .compactMap { $0.$counsellor.id })
        let existing = try await QueueRow.query(on: db).filter(\.$caseID == caseID).all()
        let gone = existing.filter { !holders.contains($0.counsellorID) }.compactMap(\.id)
        if !gone.isEmpty { try await QueueRow.query(on: db).filter(\.$id ~~ gone).delete() }
        guard !holders.isEmpty else { return }
        let entry = try await entry(for: record, on: db)
        for holder in holders {
            if let row = existing.first(where: { $0.counsellorID == holder }) {
                if sharedWith.contains(holder) { row.shared = true }
                if row.apply(record, entry) || row.hasChanges { try await row.save(on: db) }
            } else {
                let row = QueueRow(counsellorID: holder, caseID: caseID, shared: sharedWith.contains(holder))
                row.apply(record, entry)
                try await row.create(on: db)
            }
        }
    }

    /// The counsellor has the case from a colleague now (a share, a transfer, a hand-over).
    static func markShared(_ caseID: UUID, with counsellorID: UUID, on db: any Database) async throws {
        try await QueueRow.query(on: db).filter(\.$caseID == caseID).filter(\.$counsellorID == counsellorID)
            .set(\.$shared, to: true).update()
    }

    /// The case's standing, from its clear columns, its organisation's reminder terms and whether a
    /// match waits for its counsellor's confirmation.
    static func entry(for record: CaseRecord, on db: any Database) async throws -> WorkQueueEntry {
        guard let caseID = record.id else { throw Abort(.internalServerError) }
        let organisation: Organisation
        if let loaded = record.$organisation.value {
            organisation = loaded
        } else {
            organisation = try await record.$organisation.get(on: db)
        }
        let pending = try await PartyMatch.query(on: db)
            .group(.or) { $0.filter(\.$firstCaseID == caseID).filter(\.$secondCaseID == caseID) }.all()
            .contains { !$0.isConfirmed(by: caseID) }
        return QueueRow.entry(
            for: record, remindDays: (organisation.remindAcknowledgementDays, organisation.remindFeedbackDays), matchPending: pending,
            now: Date(timeIntervalSince1970: 0))
    }

    /// Every case of an organisation, after its reminder terms changed.
    static func refresh(organisationID: UUID, on db: any Database) async throws {
        for record in try await CaseRecord.query(on: db).filter(\.$organisation.$id == organisationID).with(\.$organisation).all() {
            try await refresh(record, on: db)
        }
    }

    /// Every case, from nothing: the migration that made the queue, and the tests, which compare.
    /// Who had a case from a colleague comes from the audit log (a key grant or a transfer to them).
    static func rebuild(on db: any Database) async throws {
        try await QueueRow.query(on: db).delete()
        let given = try await AuditEvent.query(on: db)
            .filter(\.$action ~~ [AuditAction.keyGrant.rawValue, AuditAction.caseTransfer.rawValue]).all()
        var sharedWith: [String: Set<UUID>] = [:]
        for event in given {
            if let counsellor = UUID(uuidString: event.detail) { sharedWith[event.caseID, default: []].insert(counsellor) }
        }
        for record in try await CaseRecord.query(on: db).with(\.$organisation).all() {
            guard let caseID = record.id else { continue }
            try await refresh(record, sharedWith: sharedWith[caseID.uuidString] ?? [], on: db)
        }
    }
}

/// Refreshes a case's queue rows whenever the case or one of its matches is saved through its model.
struct WorkQueueMiddleware: AsyncModelMiddleware {
    typealias Model = CaseRecord

    func update(model: CaseRecord, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.update(model, on: db)
        // Read back, not the model in hand: a save writes only the columns it changed, and another
        // request may have changed the others (set the case aside, say) since this one read it.
        try await WorkQueueStore.refresh([model.requireID()], on: db)
    }
}

/// A new match, or a counsellor's confirmation, moves both cases in their counsellors' queues.
struct WorkQueueMatchMiddleware: AsyncModelMiddleware {
    typealias Model = PartyMatch

    func create(model: PartyMatch, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.create(model, on: db)
        try await WorkQueueStore.refresh([model.firstCaseID, model.secondCaseID], on: db)
    }

    func update(model: PartyMatch, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.update(model, on: db)
        try await WorkQueueStore.refresh([model.firstCaseID, model.secondCaseID], on: db)
    }
}
