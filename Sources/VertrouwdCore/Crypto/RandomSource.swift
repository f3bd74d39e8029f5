import Crypto
import Foundation

/// Where random bytes come from. Injected so that tests can make keys, salts and tokens repeatable.
public protocol RandomSource: Sendable {
    func bytes(count: Int) -> [UInt8]
}

/// The operating system's cryptographically secure generator.
public struct SystemRandomSource: RandomSource {
    public init() {}

    public func bytes(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next()) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }
}

extension RandomSource {
    /// A uniformly chosen index below `bound`, without modulo bias.
    public func index(below bound: Int) -> Int {
        precondition(bound > 0 && bound <= 256)
        let limit = 256 - (256 % bound)
        while true {
            let byte = Int(bytes(count: 1)[0])
            if byte < limit { return byte % bound }
        }
    }
}
