/// The two families of situations Vertrouwd helps with, and their nine kinds.
///
/// The ids are stable: they name knowledge-base articles, guide outcomes and (later) registration
/// categories in the yearly report.
public enum Family: String, Sendable, CaseIterable, Codable {
    /// Ongewenste omgangsvormen: harm to a person or group, judged by how the receiver experiences it.
    case unwantedBehaviour = "ongewenste-omgangsvormen"
    /// Integriteitsschendingen: harm to the organisation, society or the environment.
    case integrityViolation = "integriteitsschendingen"

    public var kinds: [Kind] { Kind.allCases.filter { $0.family == self } }

    /// The knowledge-base article with this family's steps.
    public var stepsArticle: String {
        switch self {
        case .unwantedBehaviour: "stappen-ongewenst-gedrag"
        case .integrityViolation: "stappen-integriteit"
        }
    }
}

public enum Kind: String, Sendable, CaseIterable, Codable {
    case intimidation = "intimidatie"
    case bullying = "pesten"
    case aggressionAndViolence = "agressie-en-geweld"
    case discrimination = "discriminatie"
    case sexualHarassment = "seksuele-intimidatie"
    /// Misstand: wrongdoing that harms society (environment, public health) — the Wbk's public-interest case.
    case societalWrongdoing = "misstanden-maatschappij"
    case breachOfEULaw = "inbreuk-eu-recht"
    /// Fraud, theft, misuse of company resources.
    case violation = "schendingen"
    /// Gifts, side activities, conflicts of interest.
    case irregularity = "onregelmatigheden"

    public var family: Family {
        switch self {
        case .intimidation, .bullying, .aggressionAndViolence, .discrimination, .sexualHarassment: .unwantedBehaviour
        case .societalWrongdoing, .breachOfEULaw, .violation, .irregularity: .integrityViolation
        }
    }

    /// Each kind has a knowledge-base article under its own id.
    public var article: String { rawValue }
}

/// The other party, seen from the person (registration and guide).
public enum OtherParty: String, Sendable, CaseIterable, Codable {
    case manager = "leidinggevende"
    case colleague = "collega"
    case subordinate = "ondergeschikte"
    case clientOrThirdParty = "klant-derde"
    case unknown = "onbekend"
}

/// How often it happens.
public enum Pattern: String, Sendable, CaseIterable, Codable {
    case incident
    case repeated = "herhaald"
    case longLasting = "langdurig"
}
