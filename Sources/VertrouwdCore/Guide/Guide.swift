import Foundation

/// Walks the guide: from the answers given so far to the next question or the outcome.
///
/// The answers travel in the form itself (`question:option`, in order) and are checked against the
/// definition on every step, so a tampered or outdated form restarts the guide instead of failing.
public struct Guide: Sendable {
    public struct Answer: Sendable, Hashable {
        public let question: String
        public let option: String

        public init(question: String, option: String) {
            self.question = question
            self.option = option
        }

        /// `question:option`, the form in which answers travel in the page.
        public var encoded: String { "\(question):\(option)" }

        public init?(encoded: String) {
            let parts = encoded.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, encoded.count <= 80 else { return nil }
            self.init(question: parts[0], option: parts[1])
        }
    }

    public enum Position: Sendable {
        case question(id: String, GuideDefinition.Question)
        case outcome(Result)
    }

    public struct Result: Sendable {
        public let outcomeID: String
        public let outcome: GuideDefinition.Outcome
        public let facts: [String: String]
        public let kinds: [Kind]
        public let routes: [(id: String, route: GuideDefinition.Route)]
        public let steps: [GuideDefinition.Step]
        public let notes: [(id: String, text: LocalizedText)]
    }

    public enum Failure: Error, Equatable {
        case invalidAnswers
    }

    public let definition: GuideDefinition

    public init(definition: GuideDefinition) {
        self.definition = definition
    }

    /// Where the given answers lead. Throws `invalidAnswers` when they do not follow the tree.
    public func position(after answers: [Answer]) throws -> Position {
        var current = definition.start
        var facts: [String: String] = [:]
        for answer in answers {
            guard answer.question == current, let question = definition.questions[current],
                let option = question.options.first(where: { $0.id == answer.option })
            else { throw Failure.invalidAnswers }
            option.set?.forEach { facts[$0.key] = $0.value }
            current = option.next
            if current.hasPrefix("outcome:"), answer != answers.last { throw Failure.invalidAnswers }
        }
        if current.hasPrefix("outcome:") {
            return .outcome(try result(String(current.dropFirst("outcome:".count)), facts: facts))
        }
        guard let question = definition.questions[current] else { throw Failure.invalidAnswers }
        return .question(id: current, question)
    }

    func result(_ id: String, facts: [String: String]) throws -> Result {
        guard let outcome = definition.outcomes[id] else { throw Failure.invalidAnswers }
        var kinds = facts["kind"].flatMap(Kind.init(rawValue:)).map { [$0] } ?? []
        var routeIDs = outcome.routes
        var stepIDs = outcome.steps ?? outcome.family.flatMap { definition.plans[$0] } ?? []
        var noteIDs = outcome.notes ?? []
        for rule in definition.rules where rule.when.allSatisfy({ facts[$0.key].map($0.value.contains) ?? false }) {
            for kind in (rule.addKinds ?? []).compactMap(Kind.init(rawValue:)) where !kinds.contains(kind) { kinds.append(kind) }
            for route in rule.addRoutes ?? [] where !routeIDs.contains(route) { routeIDs.append(route) }
            for step in rule.addSteps ?? [] where !stepIDs.contains(step) { stepIDs.append(step) }
            for note in rule.addNotes ?? [] where !noteIDs.contains(note) { noteIDs.append(note) }
        }
        return Result(
            outcomeID: id, outcome: outcome, facts: facts, kinds: kinds,
            routes: routeIDs.compactMap { id in definition.routes[id].map { (id, $0) } },
            steps: stepIDs.compactMap { definition.steps[$0] },
            notes: noteIDs.compactMap { id in definition.notes[id].map { (id, $0) } })
    }

    // MARK: - Exhaustive walk (for the tests)

    /// Every complete path through the tree, as answer sequences.
    public func allPaths() -> [[Answer]] {
        var paths: [[Answer]] = []
        func walk(_ id: String, _ trail: [Answer], _ seen: Set<String>) {
            guard let question = definition.questions[id], !seen.contains(id) else { return }
            for option in question.options {
                let next = trail + [Answer(question: id, option: option.id)]
                if option.next.hasPrefix("outcome:") { paths.append(next) } else { walk(option.next, next, seen.union([id])) }
            }
        }
        walk(definition.start, [], [])
        return paths
    }

    /// Questions no path reaches.
    public func unreachableQuestions() -> [String] {
        let reached = Set(allPaths().flatMap { $0.map(\.question) })
        return definition.questions.keys.filter { !reached.contains($0) }.sorted()
    }
}
