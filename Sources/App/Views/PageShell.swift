import Vapor
import VertrouwdCore

/// What every page's layout needs: language, switch link, quick exit, who is logged in.
/// Each page's context struct holds one of these as `shell`.
struct PageShell: Encodable {
    struct StaffBadge: Encodable {
        let name: String
        let roleKey: String
        let homePath: String
        let isCounsellor: Bool
    }

    let lang: String
    let switchLang: String
    let switchHref: String
    let switchLabelKey: String
    /// `data-page` on the body: tests and styles find pages by it.
    let page: String
    let titleKey: String
    /// Set on pages a person seeking help may be reading; staff pages have no quick exit.
    let quickExitURL: String?
    let staff: StaffBadge?
    let csrf: String?
    let noticeKey: String?

    init(_ req: Request, page: String, titleKey: String, publicPage: Bool, noticeKey: String? = nil) {
        let language = req.language
        lang = language.code
        switchLang = language.other.code
        switchLabelKey = "language.switch.\(language.other.code)"
        var back = req.url.path
        if let query = req.url.query, !query.isEmpty, req.method == .GET { back += "?" + query }
        let encoded =
            LocalPath.safe(back).addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-_.~"))) ?? "/"
        switchHref = Endpoint.language.path(language.other.code) + "?return=\(encoded)"
        self.page = page
        self.titleKey = titleKey
        quickExitURL = publicPage ? req.vertrouwd.settings.quickExitURL : nil
        if let account = req.staffAccount {
            staff = StaffBadge(
                name: account.displayName, roleKey: "role.\(account.role.rawValue)", homePath: account.role.homePath,
                isCounsellor: account.role == .counsellor)
            csrf = req.csrfToken()
        } else {
            staff = nil
            csrf = nil
        }
        self.noticeKey = noticeKey ?? req.takeNotice()
    }
}

/// A field error shown in the summary at the top (linking to the field) and next to the field.
struct FieldError: Encodable {
    let field: String
    let key: String
}

/// A form's errors as the templates need them: the list, and whether there are any
/// (Leaf treats an empty array as true, so templates test `errors.any`).
struct FormErrors: Encodable {
    let list: [FieldError]
    let any: Bool
    /// Field name → the first error's key, for the message next to each field.
    let byField: [String: String]

    init(_ list: [FieldError]) {
        self.list = list
        any = !list.isEmpty
        byField = list.reversed().reduce(into: [:]) { $0[$1.field] = $1.key }
    }
}

/// A link with a title and a line of explanation: article lists, guide routes.
struct LinkCard: Encodable {
    let title: String
    let text: String
    let href: String
}

/// One checkbox, radio button or select option: its value, the key of its label, and whether it is chosen.
struct FormOption: Encodable {
    let value: String
    let labelKey: String
    let checked: Bool
}
