@testable import VertrouwdCore

/// A seeded generator, so a failing property test names a seed that fails again.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE5_E4B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// Synthetic registrations with lopsided category weights, so that small cells are common: the
/// situation disclosure control exists for.
struct SyntheticRegistrations {
    var generator: SeededGenerator
    private let weights: [String: [Double]]

    init(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var weights: [String: [Double]] = [:]
        for (name, count) in [("party", 5), ("pattern", 3), ("kind", 9), ("outcome", 10), ("quarter", 4)] {
            // Cubing uniform draws makes a few categories dominate and the rest rare.
            weights[name] = (0..<count).map { _ in Self.pow3(Double.random(in: 0.02...1, using: &generator)) }
        }
        self.weights = weights
        self.generator = generator
    }

    private static func pow3(_ value: Double) -> Double { value * value * value }

    mutating func pick(_ name: String) -> Int {
        let table = weights[name]!
        var roll = Double.random(in: 0..<table.reduce(0, +), using: &generator)
        for (index, weight) in table.enumerated() {
            roll -= weight
            if roll < 0 { return index }
        }
        return table.count - 1
    }

    mutating func registration() -> RegistrationFacts {
        var kinds = Set([Kind.allCases[pick("kind")]])
        if Bool.random(using: &generator) { kinds.insert(Kind.allCases[pick("kind")]) }
        let outcomes: [Registration.Outcome]
        if Int.random(in: 0..<8, using: &generator) == 0 {
            outcomes = [.none]
        } else {
            let choices = Registration.Outcome.allCases.filter { $0 != .none }
            outcomes = Array(Set((0..<Int.random(in: 1...3, using: &generator)).map { _ in choices[pick("outcome")] }))
        }
        let isReport = Int.random(in: 0..<4, using: &generator) == 0
        return RegistrationFacts(
            quarter: pick("quarter") + 1, isReport: isReport,
            registration: Registration(
                kinds: Array(kinds), otherParty: Registration.OtherParty.allCases[pick("party")],
                pattern: Registration.Pattern.allCases[pick("pattern")], outcomes: outcomes,
                contacts: Int.random(in: 1...6, using: &generator), quarterHours: Int.random(in: 1...20, using: &generator)),
            acknowledgedInTime: isReport ? deadline() : nil, feedbackInTime: isReport ? deadline() : nil,
            retaliationSignal: Int.random(in: 0..<10, using: &generator) == 0)
    }

    /// Mostly in time, sometimes late, sometimes not yet given.
    mutating func deadline() -> Bool? {
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: false
        case 1: nil
        default: true
        }
    }

    mutating func population(upTo limit: Int) -> [RegistrationFacts] {
        // Mostly small organisations, where suppression matters; now and then a larger one.
        let size =
            Int.random(in: 0...3, using: &generator) == 0
            ? Int.random(in: 0...limit, using: &generator) : Int.random(in: 0...30, using: &generator)
        return (0..<size).map { _ in registration() }
    }
}
