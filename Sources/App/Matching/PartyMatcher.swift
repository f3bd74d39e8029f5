import Fluent
import Vapor
import VertrouwdCore

/// Stores who a case names, as keyed digests, finds the other cases of the organisation that name
/// the same person, and keeps each person's choice about every match.
///
/// What a match shows, and to whom:
/// - each case's counsellors see that another case names the same person, with a short reference;
///   never the other case, its content, its counsellor's notes or whom it names;
/// - each person sees in their inbox that someone else named the same person, and chooses;
/// - only when both people allow it do the counsellors see each other's names, so they can talk;
/// - management never sees anything of it.
struct PartyMatcher {
    let services: VertrouwdServices
    let db: any Database

    /// Stores the digests of `party` for a case and records a match with every other case of the
    /// organisation that names the same person. Returns the cases newly matched.
    @discardableResult
    func record(_ party: NamedParty, caseID: UUID, organisationID: UUID, on db: any Database) async throws -> [UUID] {
        let keys = PartyKeys(instanceSecret: services.instanceSecret.bytes, organisationID: organisationID)
        let stored = keys.digests(party)
        guard !stored.isEmpty else { return [] }
        let existing = try await NamedPartyDigest.query(on: db).filter(\.$caseID == caseID).all()
        let known = Set(existing.map { "\($0.kind)|\($0.digest)" })
        for identifier in stored where !known.contains("\(identifier.kind.rawValue)|\(identifier.digest)") {
            try await NamedPartyDigest(
                organisationID: organisationID, caseID: caseID, kind: identifier.kind.rawValue, digest: identifier.digest,
                initialsOnly: identifier.isInitialsOnly
            ).create(on: db)
        }
        return try await findMatches(of: caseID, organisationID: organisationID, on: db)
    }

    /// Records a match with every other case of the organisation that names the same person and has
    /// none with this case yet. Run again when the case is shown: two cases stored at the same moment
    /// cannot see each other's digests inside their transactions, and are matched at the next look.
    @discardableResult
    func findMatches(of caseID: UUID, organisationID: UUID, on db: any Database) async throws -> [UUID] {
        let mine = try await identifiers(of: caseID, on: db)
        guard !mine.isEmpty else { return [] }
        let candidates = try await NamedPartyDigest.query(on: db).filter(\.$organisationID == organisationID)
            .filter(\.$digest ~~ mine.map(\.digest)).filter(\.$caseID != caseID).all()
        var found: [UUID] = []
        for other in Set(candidates.map(\.caseID)) {
            let theirs = candidates.filter { $0.caseID == other }.compactMap(Self.stored)
            guard StoredIdentifier.match(mine, theirs) else { continue }
            let pair = PartyMatch(organisationID: organisationID, cases: (caseID, other), foundAt: services.clock.now)
            let exists = try await PartyMatch.query(on: db).filter(\.$firstCaseID == pair.firstCaseID)
                .filter(\.$secondCaseID == pair.secondCaseID).first()
            guard exists == nil else { continue }
            do {
                try await pair.create(on: db)
                found.append(other)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                // The other case's look found the pair at the same moment: it is recorded once.
            }
        }
        return found
    }

    func identifiers(of caseID: UUID, on db: any Database) async throws -> [StoredIdentifier] {
        try await NamedPartyDigest.query(on: db).filter(\.$caseID == caseID).all().compactMap(Self.stored)
    }

    static func stored(_ row: NamedPartyDigest) -> StoredIdentifier? {
        PartyIdentifier.Kind(rawValue: row.kind).map { StoredIdentifier(kind: $0, digest: row.digest, isInitialsOnly: row.initialsOnly) }
    }

    func matches(of caseID: UUID) async throws -> [PartyMatch] {
        try await PartyMatch.query(on: db).group(.or) { $0.filter(\.$firstCaseID == caseID).filter(\.$secondCaseID == caseID) }
            .sort(\.$foundAt).all()
    }

    /// The person's choice for every match of their case; the other side's choices stay as they are.
    func choose(_ choice: MatchConsent.Choice, for caseID: UUID) async throws {
        let now = services.clock.now
        for match in try await matches(of: caseID) {
            var consent = match.consent
            let side = match.side(of: caseID)
            try consent.choose(choice, for: side)
            switch side {
            case .first:
                match.firstChoice = consent.first.rawValue
                match.firstDecidedAt = now
            case .second:
                match.secondChoice = consent.second.rawValue
                match.secondDecidedAt = now
            }
            try await match.save(on: db)
        }
    }

    /// Names of the counsellors who hold a case's key.
    func counsellorNames(of caseID: UUID) async throws -> [String] {
        let holders = try await CaseKeyGrant.query(on: db).filter(\.$caseRecord.$id == caseID).filter(\.$recipientKind == "counsellor")
            .all()
            .compactMap { $0.$counsellor.id }
        guard !holders.isEmpty else { return [] }
        return try await StaffAccount.query(on: db).filter(\.$id ~~ Set(holders)).all().map(\.displayName).sorted()
    }
}
