import Fluent
import Foundation
import SQLKit
import Vapor
import VertrouwdCore

/// What a counsellor narrows their queue to. Every value comes from a clear column of the queue.
struct WorkQueueFilter: Equatable, Sendable {
    /// A deadline window: overdue, or due within so many days (overdue ones included).
    enum Due: String, CaseIterable, Sendable {
        case overdue
        case week
        case month

        var days: Int64? { self == .week ? 7 : self == .month ? 30 : nil }
    }

    /// How the counsellor came to hold the case.
    enum Scope: String, CaseIterable, Sendable {
        /// The person chose them (or the reporting point they are part of).
        case chosen
        /// A colleague shared or handed the case over.
        case shared
    }

    var organisationID: UUID?
    var status: CaseStatus?
    var kind: CaseKind?
    var due: Due?
    var language: Language?
    var scope: Scope?

    var isEmpty: Bool { self == WorkQueueFilter() }

    /// Whether a row passes; the reference the SQL below must agree with.
    func admits(_ row: QueueRow, at now: Int64) -> Bool {
        if let organisationID, row.organisationID != organisationID { return false }
        if let status, row.status != status { return false }
        if let kind, row.kind != kind { return false }
        if let language, row.language != language.code { return false }
        if let scope, row.shared != (scope == .shared) { return false }
        if let due {
            guard let dueAt = row.dueAt else { return false }
            if let days = due.days { return dueAt <= now + days * 86_400 }
            return dueAt < now
        }
        return true
    }
}

/// Reads one counsellor's work queue: a page in queue order after a cursor, the counts under a
/// filter, the cases set aside. Only `case_queue` is read, and only that counsellor's rows: every
/// statement starts from `counsellor_id`, the first column of each of its indexes.
struct WorkQueueQuery {
    let sql: any SQLDatabase
    let counsellorID: UUID
    let filter: WorkQueueFilter
    /// The clock the deadline tier is decided at: the first page's, carried in the cursor.
    let now: Int64

    init(db: any Database, counsellorID: UUID, filter: WorkQueueFilter, now: Int64) throws {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        self.sql = sql
        self.counsellorID = counsellorID
        self.filter = filter
        self.now = now
    }

    struct Item: Decodable, Sendable {
        let case_id: UUID
        let organisation_id: UUID
        let kind: String
        let status: String
        let shared: Bool
        let standing: Int
        let standing_key: Int64
        let due_at: Int64?
        let remind_at: Int64?
        let deadline: String?
        let received_at: Int64
        let waiting_since: Int64?
        let match_pending: Bool

        var entry: WorkQueueEntry {
            WorkQueueEntry(
                standing: WorkQueueTier(rawValue: standing) ?? .rest, standingKey: standing_key, dueAt: due_at, remindAt: remind_at,
                deadline: deadline, receivedAt: received_at, waitingSince: waiting_since, matchPending: match_pending)
        }
    }

    struct Page: Sendable {
        let items: [(item: Item, position: WorkQueuePosition)]
        /// The cursor of the next page, when there is one.
        let next: String?
    }

    static let columns: SQLQueryString =
        "case_id, organisation_id, kind, status, shared, standing, standing_key, due_at, remind_at, deadline, received_at, waiting_since, match_pending"

    /// The counsellor and the filter, as the start of a WHERE clause.
    var scope: SQLQueryString {
        var clause: SQLQueryString = "counsellor_id = \(bind: counsellorID)"
        if let id = filter.organisationID { clause += " AND organisation_id = \(bind: id)" }
        if let status = filter.status { clause += " AND status = \(bind: status.rawValue)" }
        if let kind = filter.kind { clause += " AND kind = \(bind: kind.rawValue)" }
        if let language = filter.language { clause += " AND language = \(bind: language.code)" }
        if let scope = filter.scope { clause += " AND shared = \(bind: scope == .shared)" }
        switch filter.due {
        case .overdue: clause += " AND due_at < \(bind: now)"
        case .week, .month: clause += " AND due_at <= \(bind: now + (filter.due?.days ?? 0) * 86_400)"
        case nil: break
        }
        return clause
    }

    /// Up to `limit` cases after `cursor` (from the start when nil), tier by tier: each tier is one
    /// range of an index, read only as far as the page needs.
    func page(after cursor: WorkQueuePosition?, limit: Int) async throws -> Page {
        var items: [(item: Item, position: WorkQueuePosition)] = []
        for tier in WorkQueueTier.queue where tier >= (cursor?.tier ?? .deadline) {
            let after = cursor?.tier == tier ? cursor : nil
            for item in try await read(tier, after: after, limit: limit + 1 - items.count) {
                items.append(
                    (
                        item,
                        WorkQueuePosition(tier: tier, key: tier == .deadline ? item.due_at ?? 0 : item.standing_key, caseID: item.case_id)
                    ))
            }
            if items.count > limit { break }
        }
        let shown = Array(items.prefix(limit))
        return Page(items: shown, next: items.count > limit ? shown.last?.position.cursor(asOf: now) : nil)
    }

    private func read(_ tier: WorkQueueTier, after: WorkQueuePosition?, limit: Int) async throws -> [Item] {
        try await sql.raw(statement(tier, after: after, limit: limit)).all(decoding: Item.self)
    }

    /// One tier's part of a page: the counsellor's rows of that tier after the cursor, in order.
    func statement(_ tier: WorkQueueTier, after: WorkQueuePosition?, limit: Int) -> SQLQueryString {
        var query: SQLQueryString = "SELECT \(Self.columns) FROM case_queue WHERE " + scope
        let key: String
        if tier == .deadline {
            query += " AND standing <> \(literal: WorkQueueTier.setAside.rawValue) AND remind_at <= \(bind: now)"
            key = "due_at"
        } else {
            query += " AND standing = \(literal: tier.rawValue) AND (remind_at IS NULL OR remind_at > \(bind: now))"
            key = "standing_key"
        }
        if let after {
            // A row value, so that both databases start the index range at the cursor instead of
            // reading the tier from its beginning.
            query += " AND (\(ident: key), case_id) > (\(bind: after.key), \(bind: after.caseID))"
        }
        query += " ORDER BY \(ident: key), case_id LIMIT \(literal: limit)"
        return query
    }

    struct Counts: Decodable, Sendable {
        let total: Int
        let new: Int?
        let waiting: Int?
        let overdue: Int?
        let due_soon: Int?
        let matches: Int?
    }

    /// How many cases the filter holds, and how many of them are new, waiting, overdue, due soon or
    /// have a match to confirm (a case can be several). One pass over the counsellor's rows.
    func counts() async throws -> Counts {
        try await sql.raw(countStatement).first(decoding: Counts.self)
            ?? Counts(total: 0, new: 0, waiting: 0, overdue: 0, due_soon: 0, matches: 0)
    }

    var countStatement: SQLQueryString {
        "SELECT COUNT(*) AS total, SUM(CASE WHEN status = 'new' THEN 1 ELSE 0 END) AS new, "
            + "SUM(CASE WHEN waiting_since IS NOT NULL THEN 1 ELSE 0 END) AS waiting, "
            + "SUM(CASE WHEN due_at < \(bind: now) THEN 1 ELSE 0 END) AS overdue, "
            + "SUM(CASE WHEN remind_at <= \(bind: now) AND due_at >= \(bind: now) THEN 1 ELSE 0 END) AS due_soon, "
            + "SUM(CASE WHEN match_pending THEN 1 ELSE 0 END) AS matches "
            + "FROM case_queue WHERE " + scope + " AND standing <> \(literal: WorkQueueTier.setAside.rawValue)"
    }

    /// The database's plan for each statement a page and its counts make (docs/architecture.md).
    func plans(after cursor: WorkQueuePosition) async throws -> [(String, [String])] {
        let postgres = sql.dialect.name == "postgresql"
        let statements: [(String, SQLQueryString)] =
            [
                ("deadline tier", statement(.deadline, after: nil, limit: 26)),
                ("a standing tier, after a cursor", statement(cursor.tier == .deadline ? .rest : cursor.tier, after: cursor, limit: 26)),
                ("summary counts", countStatement),
            ]
        var plans: [(String, [String])] = []
        for (name, statement) in statements {
            let rows = try await sql.raw((postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + statement).all()
            plans.append((name, try rows.map { try $0.decode(column: postgres ? "QUERY PLAN" : "detail", as: String.self) }))
        }
        return plans
    }

    func setAsideCount() async throws -> Int {
        let query: SQLQueryString =
            "SELECT COUNT(*) AS total FROM case_queue WHERE counsellor_id = \(bind: counsellorID) AND standing = "
            + "\(literal: WorkQueueTier.setAside.rawValue)"
        return try await sql.raw(query).first(decoding: Total.self)?.total ?? 0
    }

    struct Total: Decodable { let total: Int }

    /// The cases set aside as unwanted, newest first (the filter does not apply: they are few, and
    /// all of them go at once).
    func setAside(limit: Int) async throws -> [Item] {
        let query: SQLQueryString =
            "SELECT \(Self.columns) FROM case_queue WHERE counsellor_id = \(bind: counsellorID) AND standing = "
            + "\(literal: WorkQueueTier.setAside.rawValue) ORDER BY standing_key, case_id LIMIT \(literal: limit)"
        return try await sql.raw(query).all(decoding: Item.self)
    }
}
