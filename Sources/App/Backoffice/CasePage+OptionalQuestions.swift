import Vapor
import VertrouwdCore

extension CasePage {
    /// One question per switched-on optional breakdown: the organisation's categories, then "not recorded".
    static func optionalQuestions(_ organisation: Organisation, chosen: [String: String], req: Request) -> [OptionalQuestion] {
        let breakdowns = organisation.optionalBreakdowns
        return OptionalBreakdown.allCases.compactMap { breakdown in
            guard let categories = breakdowns[breakdown] else { return nil }
            let field = breakdown.formField
            let values = categories + [OptionalBreakdown.notRecorded]
            return OptionalQuestion(
                field: field, legendKey: "registration.\(field)",
                choices: values.enumerated().map { index, value in
                    OptionalChoice(
                        id: "\(field)-\(index)", value: value, label: breakdown.label(value, req: req),
                        checked: (chosen[field] ?? "") == value)
                })
        }
    }
}
