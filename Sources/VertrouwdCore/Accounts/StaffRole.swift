/// What a staff account may do. People seeking help never have an account.
public enum StaffRole: String, Sendable, CaseIterable, Codable {
    /// Runs the instance: organisations and accounts. Never sees case contents.
    case admin
    /// Vertrouwenspersoon: the confidential counsellor. May serve several organisations.
    case counsellor
    /// Management or HR of one organisation: sees released yearly reports and nothing else.
    case organisationContact = "organisation-contact"
}

/// Whether a counsellor is employed by the organisation or comes from an outside practice.
public enum CounsellorKind: String, Sendable, CaseIterable, Codable {
    case `internal`
    case external
}
