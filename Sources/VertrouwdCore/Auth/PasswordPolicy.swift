/// What a staff password must be. Length over composition rules (NIST SP 800-63B): long passphrases
/// are easy to remember and hard to guess.
public enum PasswordPolicy {
    public static let minimumLength = 12
    public static let maximumLength = 256

    /// Translation keys of everything wrong with a proposed password; empty when it is acceptable.
    public static func problems(password: String, confirmation: String, email: String) -> [String] {
        var problems: [String] = []
        if password.count < minimumLength { problems.append("password.too_short") }
        if password.count > maximumLength { problems.append("password.too_long") }
        if password != confirmation { problems.append("password.mismatch") }
        let lowered = password.lowercased()
        if !email.isEmpty, lowered.contains(email.lowercased()) || lowered == email.split(separator: "@").first.map(String.init) {
            problems.append("password.contains_email")
        }
        if Set(password).count < 4, password.count >= minimumLength { problems.append("password.too_simple") }
        return problems
    }
}
