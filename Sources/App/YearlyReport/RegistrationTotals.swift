import Fluent
import Foundation
import SQLKit
import VertrouwdCore

/// The yearly report's counts, aggregated by the database in one grouped query: registrations are
/// never loaded into the app to be counted. Each group (quarter, kind of case, other party,
/// pattern) carries its counts per kind, outcome and deadline, which `YearFigures` then adds up.
public enum RegistrationTotals {
    public enum Scope: Sendable {
        case organisation(UUID)
        /// A counsellor's own registrations across every organisation.
        case counsellor(UUID)
    }

    /// `optional` names the optional breakdowns to count, with the organisation's categories; each
    /// is one more small grouped query.
    public static func figures(
        _ scope: Scope, year: Int, optional: [OptionalBreakdown: [String]] = [:], on db: any Database
    ) async throws -> YearFigures {
        let filter: SQLQueryString =
            switch scope {
            case .organisation(let id): "organisation_id = \(bind: id)"
            case .counsellor(let id): "counsellor_id = \(bind: id)"
            }
        var figures = YearFigures()
        // Both queries count the same rows: only registrations with a known party and pattern.
        let selection =
            filter + " AND year = \(bind: year) AND other_party IN (\(binds: Breakdown.otherParty.categories))"
            + " AND pattern IN (\(binds: Breakdown.pattern.categories))"
        for row in try await rows(where: selection, by: [], on: db) { try add(row, to: &figures) }
        guard let sql = db as? any SQLDatabase else { return figures }
        for (breakdown, categories) in optional {
            var counts = OptionalCounts(categories: categories)
            let column = breakdown.formField
            let query: SQLQueryString =
                "SELECT \(ident: column) AS category, COUNT(*) AS people FROM case_registrations WHERE " + selection
                + " GROUP BY \(ident: column)"
            for row in try await sql.raw(query).all() {
                let category = try row.decodeNil(column: "category") ? nil : try row.decode(column: "category", as: String.self)
                counts.add(category, people: try row.decode(column: "people", as: Int.self))
            }
            figures.optional[breakdown] = counts
        }
        return figures
    }

    /// Every organisation's figures for one year, in one query.
    public static func figuresByOrganisation(year: Int, on db: any Database) async throws -> [UUID: YearFigures] {
        var all: [UUID: YearFigures] = [:]
        for row in try await rows(where: "year = \(bind: year)", by: ["organisation_id"], on: db) {
            try add(row, to: &all[try row.decode(column: "organisation_id", as: UUID.self), default: YearFigures()])
        }
        return all
    }

    private static let groups = ["quarter", "case_kind", "other_party", "pattern"]

    private static func rows(where filter: SQLQueryString, by extra: [String], on db: any Database) async throws -> [any SQLRow] {
        guard let sql = db as? any SQLDatabase else { return [] }
        var columns: [SQLQueryString] = [
            "COUNT(*) AS people", sum("contacts", as: "contacts"), sum("quarter_hours", as: "quarter_hours"),
            count("retaliation_signal = \(true)", as: "retaliation"),
        ]
        for (index, kind) in Breakdown.kind.categories.enumerated() {
            columns.append(count("(',' || kinds || ',') LIKE \(literal: "%,\(kind),%")", as: "kind_\(index)"))
        }
        for (index, outcome) in Breakdown.outcome.categories.enumerated() {
            columns.append(count("(',' || outcomes || ',') LIKE \(literal: "%,\(outcome),%")", as: "outcome_\(index)"))
        }
        for (column, name) in [("acknowledged_in_time", "acknowledgement"), ("feedback_in_time", "feedback")] {
            columns.append(count("\(ident: column) = \(true)", as: "\(name)_0"))
            columns.append(count("(\(ident: column) IS NULL OR \(ident: column) = \(false))", as: "\(name)_1"))
        }
        let grouping = groups + extra
        let query: SQLQueryString =
            "SELECT \(idents: grouping, joinedBy: ", "), \(columns.joined(separator: ", ")) FROM case_registrations WHERE "
            + filter + " GROUP BY \(idents: grouping, joinedBy: ", ")"
        return try await sql.raw(query).all()
    }

    private static func sum(_ column: String, as name: String) -> SQLQueryString {
        "CAST(SUM(\(ident: column)) AS BIGINT) AS \(ident: name)"
    }

    private static func count(_ condition: SQLQueryString, as name: String) -> SQLQueryString {
        "CAST(SUM(CASE WHEN " + condition + " THEN 1 ELSE 0 END) AS BIGINT) AS \(ident: name)"
    }

    private static func add(_ row: any SQLRow, to figures: inout YearFigures) throws {
        let people = try row.decode(column: "people", as: Int.self)
        let quarter = try row.decode(column: "quarter", as: Int.self)
        let isReport = try row.decode(column: "case_kind", as: String.self) == CaseKind.formalReport.rawValue
        guard let party = Breakdown.otherParty.categories.firstIndex(of: try row.decode(column: "other_party", as: String.self)),
            let pattern = Breakdown.pattern.categories.firstIndex(of: try row.decode(column: "pattern", as: String.self))
        else { return }
        figures.cases += people
        figures.contacts += try row.decode(column: "contacts", as: Int.self)
        figures.quarterHours += try row.decode(column: "quarter_hours", as: Int.self)
        figures.retaliationSignals += try row.decode(column: "retaliation", as: Int.self)
        figures.quarters[min(max(quarter, 1), 4) - 1] += people
        figures[.caseKind][isReport ? Breakdown.reportIndex : 0] += people
        figures[.otherParty][party] += people
        figures[.pattern][pattern] += people
        figures.partyByPattern[party][pattern] += people
        for (breakdown, prefix) in [(Breakdown.kind, "kind"), (.outcome, "outcome")] {
            for index in breakdown.categories.indices {
                figures[breakdown][index] += try row.decode(column: "\(prefix)_\(index)", as: Int.self)
            }
        }
        guard isReport else { return }
        for (breakdown, prefix) in [(Breakdown.acknowledgement, "acknowledgement"), (.feedback, "feedback")] {
            for index in breakdown.categories.indices {
                figures[breakdown][index] += try row.decode(column: "\(prefix)_\(index)", as: Int.self)
            }
        }
    }
}
