import Fluent
import Vapor
import VertrouwdCore

/// The work queue as the dashboard shows it: the filter read from the address, one page of cases
/// with why each stands where it does, the counts, and the links to the next page.
struct WorkQueuePage {
    static let pageSize = 25

    struct Option: Encodable {
        let value: String
        let labelKey: String?
        let label: String?
        let selected: Bool
    }

    struct Select: Encodable {
        let name: String
        let labelKey: String
        let options: [Option]
    }

    struct Row: Encodable {
        let id: String
        let href: String
        let organisationName: String
        let kindKey: String
        let statusKey: String
        let created: String
        /// Why the case stands here (`overdue`, `due_soon`, `waiting`, `match`, `new`), nil in the rest.
        let reason: String?
        let reasonKey: String?
        let isShared: Bool
        let deadline: DeadlineView?
    }

    struct Summary: Encodable {
        let total: Int
        let new: Int
        let waiting: Int
        let overdue: Int
        let dueSoon: Int
        let matches: Int
    }

    struct Context: Encodable {
        let selects: [Select]
        let isFiltered: Bool
        let rows: [Row]
        let summary: Summary
        let nextHref: String?
        let firstHref: String?
        let setAside: [Row]
        /// All of them, also beyond the 500 listed: the removal takes every one.
        let setAsideCount: Int
    }

    let req: Request
    let accountID: UUID
    /// The counsellor's organisations, id → (slug, name).
    let organisations: [(id: UUID, slug: String, name: String)]

    func build() async throws -> Context {
        let filter = readFilter()
        let current = WorkQueueEntry.seconds(req.now)
        // A cursor's clock is its first page's: never more than a day old or in the future, which
        // also keeps the deadline window's arithmetic far from overflowing.
        let cursor = req.query[String.self, at: "after"].flatMap(WorkQueuePosition.parse(cursor:))
            .flatMap { (current - 86_400...current).contains($0.asOf) ? $0 : nil }
        let now = cursor?.asOf ?? current
        let query = try WorkQueueQuery(db: req.db, counsellorID: accountID, filter: filter, now: now)
        let page = try await query.page(after: cursor?.position, limit: Self.pageSize)
        let counts = try await query.counts()
        let setAside = try await query.setAside(limit: 500)
        let setAsideCount = setAside.count < 500 ? setAside.count : try await query.setAsideCount()
        let names = try await organisationNames(for: page.items.map(\.item) + setAside)
        let rows = page.items.map { row($0.item, tier: $0.position.tier, now: now, names: names) }
        let base = filterQuery(filter)
        return Context(
            selects: selects(filter), isFiltered: !filter.isEmpty, rows: rows,
            summary: Summary(
                total: counts.total, new: counts.new ?? 0, waiting: counts.waiting ?? 0, overdue: counts.overdue ?? 0,
                dueSoon: counts.due_soon ?? 0, matches: counts.matches ?? 0),
            nextHref: page.next.map { Endpoint.backoffice.path() + "?" + (base + [("after", $0)]).encoded },
            firstHref: cursor == nil ? nil : Endpoint.backoffice.path() + (base.isEmpty ? "" : "?" + base.encoded),
            setAside: setAside.map { row($0, tier: .setAside, now: now, names: names) }, setAsideCount: setAsideCount)
    }

    func readFilter() -> WorkQueueFilter {
        let value = { (name: String) in req.query[String.self, at: name] }
        return WorkQueueFilter(
            organisationID: value("organisation").flatMap { slug in organisations.first { $0.slug == slug }?.id },
            status: value("status").flatMap(CaseStatus.init(rawValue:)), kind: value("kind").flatMap(CaseKind.init(rawValue:)),
            due: value("due").flatMap(WorkQueueFilter.Due.init(rawValue:)), language: value("language").flatMap(Language.init(rawValue:)),
            scope: value("scope").flatMap(WorkQueueFilter.Scope.init(rawValue:)))
    }

    /// The filter as address parameters, for the page links.
    func filterQuery(_ filter: WorkQueueFilter) -> [(String, String)] {
        var pairs: [(String, String)] = []
        if let id = filter.organisationID, let slug = organisations.first(where: { $0.id == id })?.slug {
            pairs.append(("organisation", slug))
        }
        if let status = filter.status { pairs.append(("status", status.rawValue)) }
        if let kind = filter.kind { pairs.append(("kind", kind.rawValue)) }
        if let due = filter.due { pairs.append(("due", due.rawValue)) }
        if let language = filter.language { pairs.append(("language", language.code)) }
        if let scope = filter.scope { pairs.append(("scope", scope.rawValue)) }
        return pairs
    }

    private func selects(_ filter: WorkQueueFilter) -> [Select] {
        func options(_ all: [(String, String?, String?)], chosen: String?) -> [Option] {
            [Option(value: "", labelKey: "backoffice.filter.all", label: nil, selected: chosen == nil)]
                + all.map { Option(value: $0.0, labelKey: $0.1, label: $0.2, selected: $0.0 == chosen) }
        }
        var selects: [Select] = []
        if organisations.count > 1 {
            let chosen = organisations.first { $0.id == filter.organisationID }?.slug
            selects.append(
                Select(
                    name: "organisation", labelKey: "backoffice.filter",
                    options: options(organisations.map { ($0.slug, nil, $0.name) }, chosen: chosen)))
        }
        selects.append(
            Select(
                name: "status", labelKey: "backoffice.filter.status",
                options: options(CaseStatus.allCases.map { ($0.rawValue, $0.translationKey, nil) }, chosen: filter.status?.rawValue)))
        selects.append(
            Select(
                name: "kind", labelKey: "backoffice.filter.kind",
                options: options(CaseKind.allCases.map { ($0.rawValue, $0.translationKey, nil) }, chosen: filter.kind?.rawValue)))
        selects.append(
            Select(
                name: "due", labelKey: "backoffice.filter.due",
                options: options(
                    WorkQueueFilter.Due.allCases.map { ($0.rawValue, "backoffice.filter.due.\($0.rawValue)", nil) },
                    chosen: filter.due?.rawValue)))
        selects.append(
            Select(
                name: "language", labelKey: "backoffice.filter.language",
                options: options(Language.allCases.map { ($0.code, "language.switch.\($0.code)", nil) }, chosen: filter.language?.code)))
        selects.append(
            Select(
                name: "scope", labelKey: "backoffice.filter.scope",
                options: options(
                    WorkQueueFilter.Scope.allCases.map { ($0.rawValue, "backoffice.filter.scope.\($0.rawValue)", nil) },
                    chosen: filter.scope?.rawValue)))
        return selects
    }

    private func organisationNames(for items: [WorkQueueQuery.Item]) async throws -> [UUID: String] {
        var names = Dictionary(organisations.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let missing = Set(items.map(\.organisation_id)).subtracting(names.keys)
        if !missing.isEmpty {
            for organisation in try await Organisation.query(on: req.db).filter(\.$id ~~ missing).all() {
                if let id = organisation.id { names[id] = organisation.name }
            }
        }
        return names
    }

    private func row(_ item: WorkQueueQuery.Item, tier: WorkQueueTier, now: Int64, names: [UUID: String]) -> Row {
        let entry = item.entry
        let overdue = entry.isOverdue(at: now)
        let reason: String? =
            switch tier {
            case .deadline: overdue ? "overdue" : "due_soon"
            case .waiting: "waiting"
            case .match: "match"
            case .new: "new"
            case .rest, .setAside: nil
            }
        let deadline = entry.dueAt.map { due in
            DeadlineView(
                labelKey: "deadline.\(entry.deadline ?? "acknowledgement")", due: req.formatted(Date(timeIntervalSince1970: Double(due))),
                stateKey: overdue ? "deadline.state.overdue" : "deadline.state.on-time", isOverdue: overdue)
        }
        let id = item.case_id.uuidString
        return Row(
            id: id, href: Endpoint.casePage.path(id), organisationName: names[item.organisation_id] ?? "",
            kindKey: "case.kind.\(item.kind)", statusKey: "case.status.\(item.status)",
            created: req.formatted(Date(timeIntervalSince1970: Double(item.received_at))), reason: reason,
            reasonKey: reason.map { "backoffice.badge.\($0)" }, isShared: item.shared,
            deadline: deadline)
    }
}

extension [(String, String)] {
    /// As an address's query: each name and value percent-encoded.
    var encoded: String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#")
        return map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }
}
