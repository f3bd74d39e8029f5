import Fluent
import Vapor
import VertrouwdCore

/// Stores who a case names, as keyed digests, finds the other cases of the organisation that name
/// the same person, and keeps each counsellor's confirmation and each person's choice.
///
/// What a match shows, and to whom:
/// - each case's counsellor sees that another case possibly names the same person, with a short
///   reference and the kind of identifier they share; never the other case, its content, its
///   counsellor's notes or whom it names;
/// - a person hears of it only when both counsellors have confirmed that their person may be told,
///   so a case made up to find out whether someone was named tells its maker nothing;
/// - then each person chooses, and only when both allow it do the counsellors see each other's
///   names, so they can talk;
/// - management never sees anything of it.
///
/// Two cases of one person (a journal shared into both) never match; neither do cases that ended
/// or were set aside as unwanted.
struct PartyMatcher {
    let services: VertrouwdServices
    let db: any Database

    func keys(_ organisationID: UUID) -> PartyKeys {
        PartyKeys(instanceSecret: services.instanceSecret.bytes, organisationID: organisationID)
    }

    /// Stores the digests of `party` for a case (inside the caller's transaction). Matching runs
    /// after the commit (`findMatches`), outside any transaction.
    func store(_ party: NamedParty, caseID: UUID, organisationID: UUID, on db: any Database) async throws {
        let existing = Set(try await NamedPartyDigest.query(on: db).filter(\.$caseID == caseID).all().map { "\($0.kind)|\($0.digest)" })
        for identifier in keys(organisationID).digests(party) where !existing.contains("\(identifier.kind.rawValue)|\(identifier.digest)") {
            try await NamedPartyDigest(
                organisationID: organisationID, caseID: caseID, kind: identifier.kind.rawValue, digest: identifier.digest,
                initialsOnly: identifier.isInitialsOnly
            ).create(on: db)
        }
    }

    /// Marks a case as the person's whose journal was shared into it.
    func markPerson(journalID: UUID, caseID: UUID, organisationID: UUID, on db: any Database) async throws {
        let digest = keys(organisationID).personMark(journalID: journalID)
        guard try await CasePersonMark.query(on: db).filter(\.$caseID == caseID).filter(\.$digest == digest).first() == nil else { return }
        try await CasePersonMark(organisationID: organisationID, caseID: caseID, digest: digest).create(on: db)
    }

    /// Records a match with every other live case of the organisation that names the same person, is
    /// not the same person's, and has none with this case yet. Also run each time the case page or
    /// the inbox is rendered, before it reads (never by the view builders, which only read): two cases
    /// stored at the same moment cannot see each other's digests, and meet at the next look.
    @discardableResult
    func findMatches(of caseID: UUID, organisationID: UUID) async throws -> [UUID] {
        guard let record = try await CaseRecord.find(caseID, on: db), Self.canMatch(record) else { return [] }
        let mine = try await identifiers(of: caseID)
        guard !mine.isEmpty else { return [] }
        let candidates = try await NamedPartyDigest.query(on: db).filter(\.$organisationID == organisationID)
            .filter(\.$digest ~~ mine.map(\.digest)).filter(\.$caseID != caseID).all()
        let others = Set(candidates.map(\.caseID))
        guard !others.isEmpty else { return [] }
        let live = Set(try await CaseRecord.query(on: db).filter(\.$id ~~ others).all().filter(Self.canMatch).compactMap(\.id))
        let myMarks = Set(try await CasePersonMark.query(on: db).filter(\.$caseID == caseID).all().map(\.digest))
        let samePerson =
            myMarks.isEmpty
            ? Set<UUID>()
            : Set(try await CasePersonMark.query(on: db).filter(\.$digest ~~ myMarks).filter(\.$caseID != caseID).all().map(\.caseID))
        var found: [UUID] = []
        for other in others where live.contains(other) && !samePerson.contains(other) {
            let theirs = candidates.filter { $0.caseID == other }.compactMap(Self.stored)
            guard let kind = StoredIdentifier.strongestMatch(mine, theirs) else { continue }
            let pair = PartyMatch(organisationID: organisationID, cases: (caseID, other), matchedKind: kind, foundAt: services.clock.now)
            let exists = try await PartyMatch.query(on: db).filter(\.$firstCaseID == pair.firstCaseID)
                .filter(\.$secondCaseID == pair.secondCaseID).first()
            guard exists == nil else { continue }
            do {
                // With the two cases' queue rows (the match middleware), or not at all.
                try await db.transaction { db in try await pair.create(on: db) }
                found.append(other)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                // The other case's look recorded the pair at the same moment (no transaction here).
            }
        }
        return found
    }

    /// A case that can take part: not ended, not set aside as unwanted.
    static func canMatch(_ record: CaseRecord) -> Bool {
        !record.status.isEnded && record.flaggedAt == nil
    }

    func identifiers(of caseID: UUID) async throws -> [StoredIdentifier] {
        try await NamedPartyDigest.query(on: db).filter(\.$caseID == caseID).all().compactMap(Self.stored)
    }

    static func stored(_ row: NamedPartyDigest) -> StoredIdentifier? {
        PartyIdentifier.Kind(rawValue: row.kind).map { StoredIdentifier(kind: $0, digest: row.digest, isInitialsOnly: row.initialsOnly) }
    }

    func matches(of caseID: UUID, on db: (any Database)? = nil) async throws -> [PartyMatch] {
        try await PartyMatch.query(on: db ?? self.db).group(.or) { $0.filter(\.$firstCaseID == caseID).filter(\.$secondCaseID == caseID) }
            .sort(\.$foundAt).all()
    }

    /// A case's counsellor confirms that their person may be told of one match. Returns the cases
    /// whose people are told now (both sides confirmed), for a nudge.
    func confirm(_ matchID: UUID, for caseID: UUID) async throws -> [UUID] {
        guard let match = try await PartyMatch.find(matchID, on: db), match.firstCaseID == caseID || match.secondCaseID == caseID,
            !match.isConfirmed(by: caseID)
        else { return [] }
        if caseID == match.firstCaseID { match.firstConfirmedAt = services.clock.now } else { match.secondConfirmedAt = services.clock.now }
        try await db.transaction { db in try await match.save(on: db) }
        return match.isConfirmedByBoth ? [match.firstCaseID, match.secondCaseID] : []
    }

    /// The person's choice for every match of their case they have been told of; the other side's
    /// choices stay as they are. Returns how many matches it applied to.
    @discardableResult
    func choose(_ choice: MatchConsent.Choice, for caseID: UUID, on db: any Database) async throws -> Int {
        let now = services.clock.now
        var applied = 0
        for match in try await matches(of: caseID, on: db) where match.isConfirmedByBoth || choice == .separate {
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
            applied += 1
        }
        return applied
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
