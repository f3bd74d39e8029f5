import Fluent
import Foundation
import VertrouwdCore

/// The work queue's reads exactly as the dashboard makes them, for `vertrouwd-bench practice`,
/// which lives outside this module. The product does not use it.
public struct WorkQueueProbe: Sendable {
    let query: WorkQueueQuery

    public init(db: any Database, counsellorID: UUID, organisationID: UUID? = nil, kind: CaseKind? = nil, now: Int64) throws {
        query = try WorkQueueQuery(
            db: db, counsellorID: counsellorID, filter: WorkQueueFilter(organisationID: organisationID, kind: kind), now: now)
    }

    public static var pageSize: Int { WorkQueuePage.pageSize }

    /// One page after `cursor`: how many cases it holds, and the next page's cursor.
    public func page(after cursor: String?) async throws -> (cases: Int, next: String?) {
        let page = try await query.page(
            after: cursor.flatMap(WorkQueuePosition.parse(cursor:))?.position, limit: WorkQueuePage.pageSize)
        return (page.items.count, page.next)
    }

    /// The database's plans for the page's statements, the standing tier read after `cursor`.
    public func plans(after cursor: String) async throws -> [(String, [String])] {
        guard let position = WorkQueuePosition.parse(cursor: cursor)?.position else { return [] }
        return try await query.plans(after: position)
    }

    /// The summary's counting pass; returns the total.
    public func counts() async throws -> Int { try await query.counts().total }
}
