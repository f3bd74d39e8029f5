import Foundation
import Testing

@testable import VertrouwdCore

@Suite("Bounded memory for key derivation")
struct BoundedDerivationTests {
    /// The benchmark tool built beside this test binary (`swift test` builds every product).
    static func benchTool() throws -> URL {
        let binary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var directory = URL(fileURLWithPath: binary).deletingLastPathComponent()
        // The test binary sits inside `vertrouwdPackageTests.xctest/` on some layouts.
        while !directory.path.hasSuffix("debug") && !directory.path.hasSuffix("release") && directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("vertrouwd-bench")
    }

    /// Measured in a process of its own: in this one, other suites run at the same time and their
    /// memory would count as the derivations' (issue 20).
    @Test("20 concurrent derivations at full cost stay under 600 MiB")
    func twentyAtOnceStayBounded() throws {
        let tool = try Self.benchTool()
        #expect(FileManager.default.isExecutableFile(atPath: tool.path), "\(tool.path) is built by swift test")
        let process = Process()
        process.executableURL = tool
        process.arguments = ["kdf-bounded"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let line = String(decoding: data, as: UTF8.self)
        let fields = Dictionary(
            uniqueKeysWithValues: line.split(whereSeparator: \.isWhitespace).compactMap { field -> (String, Int)? in
                let parts = field.split(separator: "=")
                guard parts.count == 2, let value = Int(parts[1]) else { return nil }
                return (String(parts[0]), value)
            })
        let grown = try #require(fields["grown-bytes"], "\(line)")
        #expect(fields["derived"] == 20)
        #expect(grown > 100 << 20, "one derivation alone takes 128 MiB: grew \(grown >> 20) MiB")
        // Two at a time need ~256 MiB; without the bound it would have been 20 × 128 MiB.
        #expect(grown < 600 << 20, "grew \(grown >> 20) MiB with two derivations at a time")
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
