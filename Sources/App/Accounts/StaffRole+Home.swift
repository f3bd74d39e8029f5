import VertrouwdCore

extension StaffRole {
    /// The page a person of this role lands on after logging in.
    var home: Endpoint {
        switch self {
        case .admin: .admin
        case .counsellor: .backoffice
        case .organisationContact: .management
        }
    }

    var homePath: String { home.path() }
}
