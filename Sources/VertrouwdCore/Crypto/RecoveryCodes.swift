/// One-time recovery codes for staff who lose their authenticator.
///
/// Ten codes of twelve characters from an alphabet without look-alikes (no 0/O, 1/I/L), written in
/// groups of four: about 59 bits each, far beyond guessing under the login throttle.
public enum RecoveryCodes {
    public static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    public static let count = 10
    public static let groups = 3
    public static let groupLength = 4

    public static func generate(using random: any RandomSource = SystemRandomSource()) -> [String] {
        (0..<count).map { _ in
            (0..<groups).map { _ in
                String((0..<groupLength).map { _ in alphabet[random.index(below: alphabet.count)] })
            }.joined(separator: "-")
        }
    }

    /// Upper-cases and drops spaces and hyphens, so "abcd efgh-jkmn" and "ABCD-EFGH-JKMN" are the same code.
    public static func normalize(_ typed: String) -> String {
        String(typed.uppercased().filter { $0 != " " && $0 != "-" })
    }

    public static func looksLikeRecoveryCode(_ typed: String) -> Bool {
        let normalized = normalize(typed)
        return normalized.count == groups * groupLength && normalized.allSatisfy { alphabet.contains($0) }
    }
}
