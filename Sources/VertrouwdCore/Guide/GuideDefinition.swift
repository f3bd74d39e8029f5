import Foundation

/// A text in every language the product speaks.
public struct LocalizedText: Sendable, Decodable, Equatable {
    public let nl: String
    public let en: String

    public init(nl: String, en: String) {
        self.nl = nl
        self.en = en
    }

    public func callAsFunction(_ language: Language) -> String {
        language == .dutch ? nl : en
    }
}

/// The guide (wegwijzer) as data: questions whose options set facts and lead to the next question or
/// to an outcome; outcomes with routes; the action-plan steps per family; and rules that add routes,
/// steps, kinds and notes from the facts gathered. Loaded from `Resources/Guide/guide.json`.
public struct GuideDefinition: Sendable, Decodable {
    public struct Question: Sendable, Decodable {
        public let text: LocalizedText
        public let hint: LocalizedText?
        public let options: [Option]
    }

    public struct Option: Sendable, Decodable {
        public let id: String
        public let label: LocalizedText
        public let hint: LocalizedText?
        /// Facts this answer sets, e.g. `{"kind": "pesten"}`.
        public let set: [String: String]?
        /// A question id, or `outcome:<id>`.
        public let next: String
    }

    public struct Outcome: Sendable, Decodable {
        public let title: LocalizedText
        public let text: LocalizedText
        /// Which family's action plan applies, if any.
        public let family: String?
        /// The action plan's steps when they are the outcome's own (a bystander's, a manager's), else
        /// the family's plan.
        public let steps: [String]?
        public let routes: [String]
        public let notes: [String]?
    }

    public struct Route: Sendable, Decodable {
        public init(title: LocalizedText, text: LocalizedText, link: String) {
            self.title = title
            self.text = text
            self.link = link
        }

        public let title: LocalizedText
        public let text: LocalizedText
        /// `article:<slug>`, `page:<name>` or `tel:<number>`.
        public let link: String
    }

    public struct Step: Sendable, Decodable {
        public let id: String
        public let title: LocalizedText
        public let text: LocalizedText
        public let article: String?
    }

    public struct Rule: Sendable, Decodable {
        /// Every fact must have one of the listed values.
        public let when: [String: [String]]
        public let addKinds: [String]?
        public let addRoutes: [String]?
        public let addSteps: [String]?
        public let addNotes: [String]?
    }

    public let start: String
    public let maximumQuestions: Int
    public let questions: [String: Question]
    public let outcomes: [String: Outcome]
    public internal(set) var routes: [String: Route]
    /// Action-plan steps per family id, in order.
    public let plans: [String: [String]]
    public let steps: [String: Step]
    public let notes: [String: LocalizedText]
    public let rules: [Rule]

    public static func load(from file: URL) throws -> GuideDefinition {
        try JSONDecoder().decode(GuideDefinition.self, from: Data(contentsOf: file))
    }
}
