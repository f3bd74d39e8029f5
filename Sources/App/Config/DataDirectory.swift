import Foundation

/// The data directory (SQLite database, instance secret, uploads in transit): made if missing, and
/// checked for writing before anything is stored in it.
enum DataDirectory {
    struct Unusable: StartupProblem {
        let path: String
        let reason: String

        var description: String {
            "the data directory \(path) \(reason); set VERTROUWD_DATA_DIR to a directory this user may write to"
        }
    }

    static func prepare(_ path: String) throws(Unusable) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw Unusable(path: path, reason: "is a file, not a directory") }
        } else {
            do {
                try manager.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw Unusable(path: path, reason: "does not exist and cannot be made")
            }
        }
        guard manager.isWritableFile(atPath: path), manager.isExecutableFile(atPath: path) else {
            throw Unusable(path: path, reason: "cannot be written to")
        }
    }
}
