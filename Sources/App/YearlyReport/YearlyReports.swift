import Crypto
import Fluent
import Foundation
import SQLKit
import VertrouwdCore

/// Finding, previewing and releasing yearly reports. The release computes the published figures
/// once more, protected against every earlier released version of the same year, and freezes them.
struct YearlyReports {
    let db: any Database

    func versions(of organisationID: UUID, year: Int) async throws -> [YearlyReport] {
        try await YearlyReport.query(on: db).filter(\.$organisation.$id == organisationID).filter(\.$year == year)
            .sort(\.$version).all()
    }

    /// The released versions, oldest first.
    func released(of organisationID: UUID, year: Int) async throws -> [YearlyReport] {
        try await versions(of: organisationID, year: year).filter(\.isReleased)
    }

    /// The published figures as a release now would freeze them.
    func preview(of organisationID: UUID, year: Int) async throws -> Result<PublishedYearlyReport, DisclosureError> {
        let breakdowns = try await Organisation.find(organisationID, on: db)?.optionalBreakdowns ?? [:]
        let figures = try await RegistrationTotals.figures(.organisation(organisationID), year: year, optional: breakdowns, on: db)
        let earlier = try await released(of: organisationID, year: year).map { try $0.releasedFigures() }
        return Result { () throws(DisclosureError) in try Disclosure.publish(figures, earlier: earlier) }
    }

    /// What management saw of the previous year: its latest released version, never a recount.
    func previousYear(of organisationID: UUID, year: Int) async throws -> PublishedYearlyReport? {
        try await released(of: organisationID, year: year - 1).last?.releasedFigures()
    }

    /// The draft being written, if any.
    func draft(of organisationID: UUID, year: Int) async throws -> YearlyReport? {
        try await versions(of: organisationID, year: year).first { !$0.isReleased }
    }

    /// A digest of exactly what the counsellor previewed, so that a release cannot freeze figures or
    /// words that changed after they looked.
    /// Encoding can only fail on a programming error; it throws rather than fingerprint nothing.
    static func fingerprint(_ published: PublishedYearlyReport, signals: String, recommendations: String) throws -> String {
        var hasher = SHA256()
        hasher.update(data: Data(try encoded(published).utf8))
        for text in [signals, recommendations] {
            hasher.update(data: Data("\u{0}\(text.utf8.count):".utf8))
            hasher.update(data: Data(text.utf8))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Writes the narrative of a draft, only while it is still a draft (a release in between wins).
    func saveNarrative(of draftID: UUID, signals: String, recommendations: String, at now: Date) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let rows = try await sql.raw(
            """
            UPDATE yearly_reports SET signals = \(bind: signals), recommendations = \(bind: recommendations), updated_at = \(bind: now) \
            WHERE id = \(bind: draftID) AND status = 'draft' RETURNING id
            """
        ).all()
        return !rows.isEmpty
    }

    /// Releases a draft with its figures, only if it is still a draft with exactly the words that
    /// were previewed; false otherwise.
    static func release(
        _ draftID: UUID, figures: String, signals: String, recommendations: String, by accountID: UUID?, at now: Date,
        on db: any Database
    ) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let head = try await AuditEvent.query(on: db).sort(\.$sequence, .descending).first()
        let rows = try await sql.raw(
            """
            UPDATE yearly_reports SET status = 'released', figures = \(bind: figures), released_at = \(bind: now), \
            released_by = \(bind: accountID), updated_at = \(bind: now), \
            audit_sequence = \(bind: head?.sequence), audit_digest = \(bind: head?.digest) \
            WHERE id = \(bind: draftID) AND status = 'draft' AND signals = \(bind: signals) \
            AND recommendations = \(bind: recommendations) RETURNING id
            """
        ).all()
        return !rows.isEmpty
    }

    static func encoded(_ published: PublishedYearlyReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(published), as: UTF8.self)
    }
}
