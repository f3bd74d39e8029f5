import Foundation

/// A small exact-enough linear program for the differencing attacker: integer-valued variables
/// relaxed to reals, bounded below by 0 (or more) and optionally above, linear (in)equalities, and
/// a dense two-phase simplex with Bland's rule. The attacker's systems are small once published
/// values are substituted, and they are split into independent parts before solving.
struct LinearProgram {
    enum Relation { case lessOrEqual, equal, greaterOrEqual }

    struct Constraint {
        var terms: [Int: Double]
        var relation: Relation
        var bound: Double
    }

    private(set) var lower: [Double] = []
    private(set) var upper: [Double?] = []
    private(set) var constraints: [Constraint] = []

    mutating func variable(lower: Double = 0, upper: Double? = nil) -> Int {
        self.lower.append(lower)
        self.upper.append(upper)
        return self.lower.count - 1
    }

    mutating func add(_ terms: [Int: Double], _ relation: Relation, _ bound: Double) {
        constraints.append(Constraint(terms: terms.filter { $0.value != 0 }, relation: relation, bound: bound))
    }

    /// The lowest and highest value of `objective` over the feasible set (infinite when unbounded);
    /// nil when nothing is feasible — for the attacker, a sign that its model is wrong.
    func range(of objective: [Int: Double]) -> ClosedRange<Double>? {
        guard let (fixed, reduced) = presolved() else { return nil }
        var constant = 0.0
        var remaining: [Int: Double] = [:]
        for (variable, value) in objective {
            if let known = fixed[variable] { constant += value * known } else { remaining[variable] = value }
        }
        let part = reduced.independentPart(touching: Set(remaining.keys))
        guard let low = part.minimum(remaining), let high = part.minimum(remaining.mapValues { -$0 }) else { return nil }
        return (low + constant)...(-high + constant)
    }

    /// Variables pinned by a one-variable equation, substituted everywhere (repeatedly), so that a
    /// published total does not tie every table into one big system.
    /// Nil when a substitution contradicts a constraint or a bound.
    private func presolved() -> ([Int: Double], LinearProgram)? {
        var fixed: [Int: Double] = [:]
        var current = constraints
        while let index = current.firstIndex(where: { $0.relation == .equal && $0.terms.count == 1 }) {
            let (variable, coefficient) = current[index].terms.first!
            let value = current[index].bound / coefficient
            guard value >= lower[variable] - 1e-9, value <= (upper[variable] ?? .infinity) + 1e-9 else { return nil }
            fixed[variable] = value
            var next: [Constraint] = []
            for constraint in current {
                guard let coefficient = constraint.terms[variable] else {
                    next.append(constraint)
                    continue
                }
                var reduced = constraint
                reduced.terms[variable] = nil
                reduced.bound -= coefficient * value
                guard reduced.terms.isEmpty else {
                    next.append(reduced)
                    continue
                }
                // Nothing left: it must hold as it stands.
                let holds =
                    switch reduced.relation {
                    case .equal: abs(reduced.bound) <= 1e-9
                    case .lessOrEqual: reduced.bound >= -1e-9
                    case .greaterOrEqual: reduced.bound <= 1e-9
                    }
                if !holds { return nil }
            }
            current = next
        }
        var program = self
        program.constraints = current
        return (fixed, program)
    }

    /// Only the variables and constraints connected to `variables`: the rest cannot change the answer.
    private func independentPart(touching variables: Set<Int>) -> LinearProgram {
        var reached = variables
        var used = Set<Int>()
        var grew = true
        while grew {
            grew = false
            for (index, constraint) in constraints.enumerated() where !used.contains(index) {
                if constraint.terms.keys.contains(where: reached.contains) {
                    used.insert(index)
                    reached.formUnion(constraint.terms.keys)
                    grew = true
                }
            }
        }
        var part = LinearProgram()
        let order = reached.sorted()
        let renumber = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        for variable in order { _ = part.variable(lower: lower[variable], upper: upper[variable]) }
        for index in used.sorted() {
            let constraint = constraints[index]
            part.add(
                Dictionary(uniqueKeysWithValues: constraint.terms.map { (renumber[$0.key]!, $0.value) }), constraint.relation,
                constraint.bound)
        }
        part.renumbering = renumber
        return part
    }

    private var renumbering: [Int: Int] = [:]

    /// Minimises `objective` (in the caller's numbering); nil when infeasible.
    private func minimum(_ objective: [Int: Double]) -> Double? {
        let count = lower.count
        // Shift every variable to start at 0; upper bounds become rows.
        var rows: [([Double], Relation, Double)] = []
        for constraint in constraints {
            var coefficients = Array(repeating: 0.0, count: count)
            var bound = constraint.bound
            for (variable, value) in constraint.terms {
                coefficients[variable] = value
                bound -= value * lower[variable]
            }
            rows.append((coefficients, constraint.relation, bound))
        }
        for variable in 0..<count {
            guard let top = upper[variable] else { continue }
            var coefficients = Array(repeating: 0.0, count: count)
            coefficients[variable] = 1
            rows.append((coefficients, .lessOrEqual, top - lower[variable]))
        }
        var cost = Array(repeating: 0.0, count: count)
        var constant = 0.0
        for (variable, value) in objective {
            let local = renumbering[variable] ?? variable
            cost[local] = value
            constant += value * lower[local]
        }
        var simplex = Simplex(rows: rows, variables: count)
        switch simplex.minimise(cost) {
        case .infeasible: return nil
        case .unbounded: return -.infinity
        case .optimal(let value): return value + constant
        }
    }
}

/// The dense tableau: min c·x subject to rows, x ≥ 0.
private struct Simplex {
    var tableau: [[Double]] = []
    var basis: [Int] = []
    let structural: Int
    var artificialStart = 0
    var width = 0
    let epsilon = 1e-9

    init(rows: [([Double], LinearProgram.Relation, Double)], variables: Int) {
        structural = variables
        let normalised = rows.map { row -> ([Double], LinearProgram.Relation, Double) in
            guard row.2 < 0 else { return row }
            let flipped: LinearProgram.Relation =
                switch row.1 {
                case .lessOrEqual: .greaterOrEqual
                case .greaterOrEqual: .lessOrEqual
                case .equal: .equal
                }
            return (row.0.map { -$0 }, flipped, -row.2)
        }
        let slacks = normalised.filter { $0.1 != .equal }.count
        let artificials = normalised.filter { $0.1 != .lessOrEqual }.count
        artificialStart = variables + slacks
        width = variables + slacks + artificials
        var slack = variables
        var artificial = artificialStart
        for (coefficients, relation, bound) in normalised {
            var row = coefficients + Array(repeating: 0.0, count: slacks + artificials + 1)
            row[width] = bound
            switch relation {
            case .lessOrEqual:
                row[slack] = 1
                basis.append(slack)
                slack += 1
            case .greaterOrEqual:
                row[slack] = -1
                slack += 1
                row[artificial] = 1
                basis.append(artificial)
                artificial += 1
            case .equal:
                row[artificial] = 1
                basis.append(artificial)
                artificial += 1
            }
            tableau.append(row)
        }
    }

    enum Outcome { case optimal(Double), unbounded, infeasible }

    mutating func minimise(_ cost: [Double]) -> Outcome {
        // Phase one: drive the artificial variables out.
        var phaseOne = Array(repeating: 0.0, count: width)
        for column in artificialStart..<width { phaseOne[column] = 1 }
        guard let infeasibility = run(phaseOne, allowed: width), infeasibility < 1e-7 else { return .infeasible }
        for row in basis.indices where basis[row] >= artificialStart {
            if let column = (0..<artificialStart).first(where: { abs(tableau[row][$0]) > epsilon }) { pivot(row, column) }
        }
        var phaseTwo = cost + Array(repeating: 0.0, count: width - cost.count)
        for column in artificialStart..<width { phaseTwo[column] = 0 }
        return run(phaseTwo, allowed: artificialStart).map(Outcome.optimal) ?? .unbounded
    }

    /// Simplex iterations over columns below `allowed`; the optimum, or nil when unbounded.
    private mutating func run(_ cost: [Double], allowed: Int) -> Double? {
        while true {
            var entering: Int?
            for column in 0..<allowed where !basis.contains(column) {
                var reduced = cost[column]
                for row in tableau.indices { reduced -= cost[basis[row]] * tableau[row][column] }
                if reduced < -epsilon {
                    entering = column
                    break
                }
            }
            guard let column = entering else {
                return tableau.indices.reduce(0) { $0 + cost[basis[$1]] * tableau[$1][width] }
            }
            var leaving: Int?
            var bestRatio = Double.infinity
            for row in tableau.indices where tableau[row][column] > epsilon {
                let ratio = tableau[row][width] / tableau[row][column]
                if ratio < bestRatio - epsilon || (abs(ratio - bestRatio) <= epsilon && basis[row] < basis[leaving!]) {
                    bestRatio = ratio
                    leaving = row
                }
            }
            guard let row = leaving else { return nil }
            pivot(row, column)
        }
    }

    private mutating func pivot(_ row: Int, _ column: Int) {
        let factor = tableau[row][column]
        for index in 0...width { tableau[row][index] /= factor }
        for other in tableau.indices where other != row {
            let multiple = tableau[other][column]
            guard multiple != 0 else { continue }
            for index in 0...width { tableau[other][index] -= multiple * tableau[row][index] }
        }
        basis[row] = column
    }
}
