import Fluent
import Vapor
import VertrouwdCore

/// The dashboard's signals without names: per organisation that registers locations (an optional
/// yearly-report breakdown, off by default; the list can hold departments as well as sites), the
/// locations with three or more cases received in the last six months. Counts of all the
/// organisation's registered cases, whoever holds them; never which cases, never to management.
struct UnitSignalsQuery {
    struct Row: Encodable {
        let organisationName: String
        let unit: String
        let cases: Int
    }

    let db: any Database

    func rows(for organisations: [Organisation], now: Date) async throws -> [Row] {
        var rows: [Row] = []
        for organisation in organisations where !organisation.locations.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            guard let organisationID = organisation.id else { continue }
            let registrations = try await CaseRegistration.query(on: db).filter(\.$organisation.$id == organisationID)
                .filter(\.$location != nil).filter(\.$caseID != nil).all()
            let caseIDs = Set(registrations.compactMap(\.caseID))
            guard caseIDs.count >= UnitSignals.threshold else { continue }
            let received = Dictionary(
                try await CaseRecord.query(on: db).filter(\.$id ~~ caseIDs).all().compactMap { record in
                    record.id.map { ($0, record.receivedAt ?? record.createdAt ?? now) }
                }, uniquingKeysWith: { first, _ in first })
            let cases = registrations.compactMap { registration -> (unit: String, receivedAt: Date)? in
                guard let caseID = registration.caseID, let at = received[caseID], let unit = registration.location else { return nil }
                return (unit, at)
            }
            rows += UnitSignals.signals(cases, now: now).map { Row(organisationName: organisation.name, unit: $0.unit, cases: $0.cases) }
        }
        return rows
    }
}
