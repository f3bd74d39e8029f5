/// The error page: a status, a title and a plain explanation, each a translation key.
struct ErrorPageContext: Encodable {
    let shell: PageShell
    let status: UInt
    let titleKey: String
    let bodyKey: String
}

/// The page for a form that could not be saved because the database is away.
struct UnavailablePageContext: Encodable {
    let shell: PageShell
    let form: KeptForm
}
