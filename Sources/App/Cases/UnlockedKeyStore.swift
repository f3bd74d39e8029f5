import Crypto
import Foundation
import NIOConcurrencyHelpers
import VertrouwdCore

/// Counsellors' private keys while they are logged in: in this process's memory only, never in the
/// database, a log or on disk. A key is found by a random handle kept in the session, and dropped at
/// logout, at session timeout, or when it has not been used for the idle timeout.
///
/// Because the store is per process, a restart (or a request served by another instance) finds no
/// key: the counsellor is asked to log in again. See docs/security.md.
final class UnlockedKeyStore: Sendable {
    struct Entry {
        let key: Curve25519.KeyAgreement.PrivateKey
        let accountID: UUID
        var lastUsed: Date
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    private let idleTimeout: TimeInterval

    init(idleTimeout: TimeInterval) {
        self.idleTimeout = idleTimeout
    }

    /// Keeps a key and returns the handle to find it again.
    func put(_ key: Curve25519.KeyAgreement.PrivateKey, accountID: UUID, now: Date, random: any RandomSource) -> String {
        let handle = Token.generate(using: random)
        entries.withLockedValue { entries in
            Self.sweep(&entries, now: now, idleTimeout: idleTimeout)
            entries[handle] = Entry(key: key, accountID: accountID, lastUsed: now)
        }
        return handle
    }

    /// The key behind `handle`, if it belongs to `accountID` and has not expired.
    func key(for handle: String, accountID: UUID, now: Date) -> Curve25519.KeyAgreement.PrivateKey? {
        entries.withLockedValue { entries in
            Self.sweep(&entries, now: now, idleTimeout: idleTimeout)
            guard var entry = entries[handle], entry.accountID == accountID else { return nil }
            entry.lastUsed = now
            entries[handle] = entry
            return entry.key
        }
    }

    func remove(_ handle: String) {
        _ = entries.withLockedValue { $0.removeValue(forKey: handle) }
    }

    /// Drops every key of one account (a reset, a disabled account).
    func removeAll(of accountID: UUID) {
        entries.withLockedValue { entries in entries = entries.filter { $0.value.accountID != accountID } }
    }

    var count: Int { entries.withLockedValue { $0.count } }

    private static func sweep(_ entries: inout [String: Entry], now: Date, idleTimeout: TimeInterval) {
        entries = entries.filter { now.timeIntervalSince($0.value.lastUsed) <= idleTimeout }
    }
}
