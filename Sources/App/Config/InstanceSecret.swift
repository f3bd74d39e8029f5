import Foundation
import VertrouwdCore

/// The instance secret: the root of every server-side key (HMAC of lookups, sealing of TOTP seeds).
///
/// Never stored in the database, so a stolen database or backup alone is not enough. Read from
/// `VERTROUWD_SECRET` or `VERTROUWD_SECRET_FILE`; otherwise generated once into
/// `<data directory>/instance-secret` with mode 0600.
public struct InstanceSecret: Sendable {
    public static let byteCount = 32
    public let bytes: [UInt8]

    public enum Failure: Error, CustomStringConvertible {
        case tooShort(source: String)
        case unreadable(path: String)
        case notCreated(path: String)
        case missing(path: String)
        case badPermissions(path: String)

        public var description: String {
            switch self {
            case .tooShort(let source):
                "the instance secret from \(source) is shorter than \(InstanceSecret.byteCount) bytes; make a new one with "
                    + "head -c 32 /dev/urandom, or name the right one"
            case .unreadable(let path):
                "the instance secret file \(path) cannot be read by this user; make it readable by this user only (chmod 600), "
                    + "or correct VERTROUWD_SECRET_FILE"
            case .missing(let path):
                "the instance secret file \(path) does not exist; correct VERTROUWD_SECRET_FILE, or unset it to have a "
                    + "secret made in the data directory"
            case .notCreated(let path):
                "the instance secret file \(path) cannot be created; set VERTROUWD_DATA_DIR to a directory this user may write to"
            case .badPermissions(let path): "the instance secret file \(path) is readable by others; run chmod 600 on it"
            }
        }
    }

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    public static func load(settings: AppSettings, random: any RandomSource = SystemRandomSource()) throws -> InstanceSecret {
        if let encoded = settings.secretBase64 {
            guard let data = Data(base64Encoded: encoded), data.count >= byteCount else {
                throw Failure.tooShort(source: "VERTROUWD_SECRET")
            }
            return InstanceSecret(bytes: Array(data))
        }
        let path = settings.secretFile ?? URL(fileURLWithPath: settings.dataDirectory).appendingPathComponent("instance-secret").path
        let manager = FileManager.default
        if manager.fileExists(atPath: path) {
            let attributes = try? manager.attributesOfItem(atPath: path)
            if let mode = attributes?[.posixPermissions] as? NSNumber, mode.intValue & 0o077 != 0 {
                throw Failure.badPermissions(path: path)
            }
            guard let data = manager.contents(atPath: path) else { throw Failure.unreadable(path: path) }
            guard data.count >= byteCount else { throw Failure.tooShort(source: path) }
            return InstanceSecret(bytes: Array(data))
        }
        guard settings.secretFile == nil else { throw Failure.missing(path: path) }
        let bytes = random.bytes(count: byteCount)
        let created = manager.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        guard created else { throw Failure.notCreated(path: path) }
        return InstanceSecret(bytes: bytes)
    }
}
