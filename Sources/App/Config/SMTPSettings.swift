import Foundation

/// The relay that notifications go through (`VERTROUWD_SMTP_*`), read by `AppSettings` and used by
/// `SMTPClient`. Kept with the settings so that they depend on nothing but themselves.
struct SMTPSettings: Sendable, Equatable {
    enum Security: String, Sendable, Equatable, CaseIterable {
        case none
        case startTLS = "starttls"
        case tls
    }

    var host: String
    var port: Int
    var from: String
    var heloName: String = "vertrouwd.local"
    var timeout: TimeInterval = 30
    var security: Security = .none
    var username: String? = nil
    var password: String? = nil
    /// PEM file with the CA certificate(s) to trust instead of the system's (a private relay).
    var trustRootsFile: String? = nil
}
