import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Bounded memory for key derivation")
struct BoundedDerivationTests {
    /// Resident memory of this process in bytes, from /proc (Linux).
    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }

    actor Peak {
        var value = 0
        func record(_ bytes: Int) { value = max(value, bytes) }
    }

    @Test("20 concurrent derivations at full cost stay under 3 GiB")
    func twentyAtOnceStayBounded() async throws {
        let limiter = ConcurrencyLimiter(limit: 2)
        let baseline = Self.residentBytes()
        #expect(baseline > 0, "/proc/self/status is readable")
        let peak = Peak()
        let sampler = Task {
            while !Task.isCancelled {
                await peak.record(Self.residentBytes())
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        let keys = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await limiter.run {
                        try ScryptPasswordHasher.derive("wachtwoord \(index)", salt: Array("zout".utf8), parameters: .standard)
                    }
                }
            }
            return try await group.reduce(into: [[UInt8]]()) { $0.append($1) }
        }
        sampler.cancel()
        let grown = await peak.value - baseline
        #expect(Set(keys).count == 20)
        #expect(grown < 3 << 30, "grew \(grown >> 20) MiB")
        // Two at a time need ~256 MiB; without the bound it would have been 20 × 128 MiB.
        #expect(grown < 600 << 20, "grew \(grown >> 20) MiB with two derivations at a time")
        #expect(await limiter.waiting == 0)
    }

    actor Gauge {
        var current = 0
        var peak = 0
        func enter() { current += 1; peak = max(peak, current) }
        func leave() { current -= 1 }
    }

    @Test func noMoreThanTheLimitRunAtOnce() async throws {
        let limiter = ConcurrencyLimiter(limit: 2)
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await limiter.run {
                        await gauge.enter()
                        try await Task.sleep(for: .milliseconds(5))
                        await gauge.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await gauge.peak == 2)
    }
}
