/// Made-up registrations, the same for the same seed: for the demo, the benchmark and the property
/// tests. `lopsided` weights make a few categories dominate and the rest rare, so that small cells
/// (what disclosure control exists for) are common; otherwise the weights follow what practice
/// reports, roughly.
public struct SampleRegistrations: Sendable {
    public var generator: SplitMix64
    private let weights: [String: [Double]]
    /// Optional breakdowns to fill in (none unless set).
    public var optionalCategories: [OptionalBreakdown: [String]] = [:]

    public init(seed: UInt64, lopsided: Bool = true) {
        var generator = SplitMix64(seed: seed)
        var weights: [String: [Double]] = [
            "party": [40, 35, 5, 12, 8], "pattern": [25, 45, 30], "kind": [30, 35, 8, 10, 9, 2, 1, 4, 3],
            "outcome": [40, 45, 10, 12, 6, 8, 1, 1, 4, 3], "quarter": [26, 24, 20, 30],
        ]
        if lopsided {
            for (name, count) in [("party", 5), ("pattern", 3), ("kind", 9), ("outcome", 10), ("quarter", 4)] {
                // Cubing uniform draws makes a few categories dominate and the rest rare.
                weights[name] = (0..<count).map { _ in Self.pow3(Double.random(in: 0.02...1, using: &generator)) }
            }
        }
        // Optional breakdowns: the categories, then "not recorded".
        for (name, count) in [("gender", 4), ("job-group", 4), ("location", 3)] {
            weights[name] = (0..<count).map { _ in Self.pow3(Double.random(in: 0.02...1, using: &generator)) }
        }
        self.weights = weights
        self.generator = generator
    }

    private static func pow3(_ value: Double) -> Double { value * value * value }

    mutating func pick(_ name: String) -> Int {
        guard let weights = weights[name] else { preconditionFailure("no weights for \(name)") }
        return pick(weights)
    }

    mutating func pick(_ table: [Double]) -> Int {
        var roll = Double.random(in: 0..<table.reduce(0, +), using: &generator)
        for (index, weight) in table.enumerated() {
            roll -= weight
            if roll < 0 { return index }
        }
        return table.count - 1
    }

    public mutating func registration() -> RegistrationFacts {
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
        // Feedback is recorded only after an acknowledgement, as in the back office.
        let acknowledged = isReport ? deadline() : nil
        var facts = RegistrationFacts(
            quarter: pick("quarter") + 1, isReport: isReport,
            registration: Registration(
                kinds: Array(kinds), otherParty: Registration.OtherParty.allCases[pick("party")],
                pattern: Registration.Pattern.allCases[pick("pattern")], outcomes: outcomes,
                contacts: Int.random(in: 1...6, using: &generator), quarterHours: Int.random(in: 1...20, using: &generator)),
            acknowledgedInTime: acknowledged, feedbackInTime: acknowledged == nil ? nil : deadline(),
            retaliationSignal: Int.random(in: 0..<10, using: &generator) == 0)
        for breakdown in OptionalBreakdown.allCases {
            guard let categories = optionalCategories[breakdown] else { continue }
            let options = categories + [OptionalBreakdown.notRecorded]
            let weights = self.weights[breakdown.rawValue].flatMap { $0.count == options.count ? $0 : nil }
            facts.optional[breakdown] = options[pick(weights ?? options.map { _ in 1 })]
        }
        return facts
    }

    /// Mostly in time, sometimes late, sometimes not yet given.
    mutating func deadline() -> Bool? {
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: false
        case 1: nil
        default: true
        }
    }

    public mutating func population(upTo limit: Int) -> [RegistrationFacts] {
        // Mostly small organisations, where suppression matters; now and then a larger one.
        let size =
            Int.random(in: 0...3, using: &generator) == 0
            ? Int.random(in: 0...limit, using: &generator) : Int.random(in: 0...30, using: &generator)
        return (0..<size).map { _ in registration() }
    }
}
