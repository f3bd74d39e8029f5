import Testing

@testable import VertrouwdCore

/// The attacker is only as good as its solver: compare it with enumerating every whole-number point.
@Suite("The attacker's linear program")
struct LinearProgramTests {
    @Test(arguments: Array(UInt64(1)...40))
    func boundsMatchEnumerationOnSumsOfCells(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        var program = LinearProgram()
        let variables = (0..<4).map { _ in program.variable(lower: 0, upper: Double(Int.random(in: 1...5, using: &generator))) }
        var rules: [([Int], LinearProgram.Relation, Int)] = []
        for _ in 0..<2 {
            // Sums of consecutive cells, as breakdown totals are: the system stays totally unimodular.
            let start = Int.random(in: 0..<3, using: &generator)
            let members = Array(variables[start...Int.random(in: (start + 1)...3, using: &generator)])
            let relation = [LinearProgram.Relation.equal, .lessOrEqual, .greaterOrEqual].randomElement(using: &generator)!
            let bound = Int.random(in: 0...8, using: &generator)
            program.add(Dictionary(uniqueKeysWithValues: members.map { ($0, 1.0) }), relation, Double(bound))
            rules.append((members, relation, bound))
        }
        var points: [[Int]] = [[]]
        for variable in variables { points = points.flatMap { point in (0...Int(program.upper[variable]!)).map { point + [$0] } } }
        let feasible = points.filter { point in
            rules.allSatisfy { members, relation, bound in
                let total = members.map { point[$0] }.reduce(0, +)
                return switch relation {
                case .equal: total == bound
                case .lessOrEqual: total <= bound
                case .greaterOrEqual: total >= bound
                }
            }
        }
        let range = program.range(of: [variables[0]: 1, variables[2]: -1])
        guard let low = feasible.map({ $0[0] - $0[2] }).min(), let high = feasible.map({ $0[0] - $0[2] }).max() else {
            #expect(range == nil, "seed \(seed): found a point where there is none")
            return
        }
        #expect(range == Double(low)...Double(high), "seed \(seed)")
    }
}
