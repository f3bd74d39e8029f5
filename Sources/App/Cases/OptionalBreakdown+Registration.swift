import Vapor
import VertrouwdCore

extension OptionalBreakdown {
    /// The registration form's field and the `case_registrations` column.
    var formField: String {
        switch self {
        case .gender: "gender"
        case .jobGroup: "job_group"
        case .location: "location"
        }
    }

    /// A category as people read it: genders are translated, the organisation's own categories
    /// are shown as written, and no value is "not recorded".
    func label(_ category: String, req: Request) -> String { label(category) { req.t($0) } }

    func label(_ category: String, translate: (String) -> String) -> String {
        if category == OptionalBreakdown.notRecorded { return translate("registration.not_recorded") }
        return self == .gender ? translate("registration.gender.\(category)") : category
    }
}
