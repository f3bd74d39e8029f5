import Crypto
import Foundation

/// Random bearer tokens (activation links, CSRF tokens) and the digests that are stored instead of them.
public enum Token {
    /// 256 bits, base64url without padding: safe in a URL and a form field.
    public static func generate(byteCount: Int = 32, using random: any RandomSource = SystemRandomSource()) -> String {
        Data(random.bytes(count: byteCount)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// What the database keeps of a token: its SHA-256, hex encoded. A leaked table yields no usable link.
    public static func digest(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A keyed digest for values that are guessable on their own (an e-mail address, a client address):
    /// without the instance secret the digest cannot be tested against guesses.
    public static func keyedDigest(_ value: String, key: [UInt8], purpose: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("\(purpose)\u{0}\(value)".utf8), using: SymmetricKey(data: key))
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
