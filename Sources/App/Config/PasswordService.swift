import NIOPosix
import Vapor
import VertrouwdCore

/// Runs password hashing off the event loop, with at most `limit` derivations at once: each scrypt
/// run takes about 128 MiB, so the bound is what keeps a burst of logins from exhausting memory.
public struct PasswordService: Sendable {
    public let hasher: ScryptPasswordHasher
    let limiter: ConcurrencyLimiter
    /// Threads of its own (configure.swift), so that derivations never hold up database queries.
    let threadPool: NIOThreadPool
    /// Derivations allowed to wait for a place. Beyond this the server is overloaded: a request gets
    /// 503 at once, before anything is stored, instead of waiting past any proxy's patience.
    static let maximumQueue = 100

    init(hasher: ScryptPasswordHasher, limit: Int, threadPool: NIOThreadPool) {
        self.hasher = hasher
        self.limiter = ConcurrencyLimiter(limit: limit)
        self.threadPool = threadPool
    }

    public func hash(_ password: String) async throws -> String {
        let hasher = self.hasher
        return try await run { try hasher.hash(password) }
    }

    public func verify(_ password: String, against encoded: String) async throws -> Bool {
        let hasher = self.hasher
        return try await run { try hasher.verify(password, against: encoded) }
    }

    /// Any memory-hard derivation (password hash, key unwrapping, receipt key) goes through here:
    /// off the event loop, and within the bound.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        guard await limiter.waiting < Self.maximumQueue else { throw Abort(.serviceUnavailable) }
        do {
            return try await limiter.run { try await threadPool.runIfActive(work) }
        } catch is NIOThreadPoolError.ThreadPoolInactive {
            // The server is shutting down.
            throw Abort(.serviceUnavailable)
        }
    }

    /// Spends the same time as a real check, so that an unknown account cannot be told from a wrong password.
    public func verifyAgainstDecoy(_ password: String) async throws {
        _ = try await verify(password.isEmpty ? "-" : password, against: decoyHash)
    }

    private var decoyHash: String {
        let parameters = hasher.parameters
        let salt = String(repeating: "A", count: 22) + "=="
        let hash = String(repeating: "A", count: 43) + "="
        return "$scrypt$ln=\(parameters.logRounds),r=\(parameters.blockSize),p=\(parameters.parallelism)$\(salt)$\(hash)"
    }

    /// How many derivations are waiting for a place.
    public func queueLength() async -> Int { await limiter.waiting }
}
