import Fluent
import Leaf
import NIOConcurrencyHelpers
import Vapor
import VertrouwdCore

/// Everything read from `Resources/` at start: translations, articles with their search indexes, the guide.
/// Files do not change while the process runs, so a second application in the same process (tests)
/// reuses what the first one loaded.
struct LoadedContent: Sendable {
    let catalog: Catalog
    let knowledgeBase: KnowledgeBase
    let search: KnowledgeSearch
    let guide: Guide
    /// Bodies outside the organisation a person can turn to: the guide's `body:` routes and the
    /// knowledge base's last theme.
    let externalBodies: [ExternalBody]

    private static let cache = NIOLockedValueBox<[String: LoadedContent]>([:])

    /// - Parameter synonyms: a folder whose synonym files replace `Resources/Search/`'s.
    static func load(from directory: String, synonyms: String? = nil) throws -> LoadedContent {
        try cache.withLockedValue { cache in
            let key = directory + "|" + (synonyms ?? "")
            if let loaded = cache[key] { return loaded }
            let resources = URL(fileURLWithPath: directory)
            let synonymFolders = (synonyms.map { [URL(fileURLWithPath: $0)] } ?? []) + [resources.appendingPathComponent("Search")]
            let knowledgeBase = try KnowledgeBase.load(from: resources.appendingPathComponent("KnowledgeBase"))
            let bodies = try ExternalBody.load(from: resources.appendingPathComponent("Guide/external-bodies.json"))
            let loaded = LoadedContent(
                catalog: try Catalog.load(from: resources.appendingPathComponent("Localization")), knowledgeBase: knowledgeBase,
                search: KnowledgeSearch(
                    knowledgeBase: knowledgeBase, synonyms: try KnowledgeSearch.synonyms(in: synonymFolders)),
                guide: Guide(definition: try .load(from: resources.appendingPathComponent("Guide/guide.json")).adding(bodies)),
                externalBodies: bodies)
            cache[key] = loaded
            return loaded
        }
    }
}

/// Builds the application from its settings. Tests call this too, with their own settings, clock and randomness.
public func configure(
    _ app: Application, settings: AppSettings, clock: any WallClock = SystemWallClock(),
    random: any RandomSource = SystemRandomSource()
) async throws {
    if app.environment == .production || app.environment == .development {
        guard settings.passwordParameters.meetsMinimum else {
            throw AppSettings.Failure.invalid(variable: "password parameters", reason: "below the minimum scrypt cost")
        }
    }
    _ = PrometheusMetrics.registry  // before Vapor makes its request metrics
    try DataDirectory.prepare(settings.dataDirectory)
    let secret = try InstanceSecret.load(settings: settings, random: random)
    let content = try LoadedContent.load(from: app.directory.resourcesDirectory, synonyms: settings.synonymsDirectory)
    // Key derivations get threads of their own: on the shared pool they would hold up SQLite, whose
    // queries run there too, until requests time out waiting for a connection.
    let kdfThreads = NIOThreadPool(numberOfThreads: settings.kdfConcurrency)
    kdfThreads.start()
    app.lifecycle.use(ThreadPoolShutdown(pool: kdfThreads))
    app.vertrouwd = VertrouwdServices(
        settings: settings, catalog: content.catalog, clock: clock, random: random, instanceSecret: secret,
        passwords: PasswordService(
            hasher: ScryptPasswordHasher(parameters: settings.passwordParameters, random: random),
            limit: settings.kdfConcurrency, threadPool: kdfThreads),
        throttlePolicy: .standard,
        knowledgeBase: content.knowledgeBase, search: content.search, guide: content.guide, externalBodies: content.externalBodies,
        instanceID: "\(ProcessInfo.processInfo.hostName)/\(getpid())/\(Token.generate(using: random).prefix(8))")

    try app.configureDatabase(settings)
    app.registerMigrations()
    app.databases.middleware.use(WorkQueueMiddleware())
    app.databases.middleware.use(WorkQueueMatchMiddleware())
    app.pageCache = PageCache()
    // What the cached public pages show: a change to any of these empties the page cache.
    app.databases.middleware.use(PageCacheInvalidation<Organisation>(cache: app.pageCache))
    app.databases.middleware.use(PageCacheInvalidation<OrganisationArticle>(cache: app.pageCache))
    app.databases.middleware.use(PageCacheInvalidation<OrganisationMembership>(cache: app.pageCache))
    app.databases.middleware.use(PageCacheInvalidation<StaffAccount>(cache: app.pageCache))
    app.databases.middleware.use(PageCacheInvalidation<CounsellorProfile>(cache: app.pageCache))

    app.views.use(.leaf)
    app.leaf.tags["t"] = TranslateTag()
    app.leaf.tags["path"] = PathTag()
    for (name, tag) in FieldTags.all { app.leaf.tags[name] = tag }

    app.routes.defaultMaxBodySize = ByteCount(value: settings.maxBodySize)
    app.http.server.configuration.idleTimeout = .seconds(Int64(settings.idleTimeoutSeconds))
    // At shutdown, requests in flight get this long to finish (an upload on a slow line, a queue of
    // key derivations); deploy/systemd/vertrouwd.service waits longer before it kills.
    app.http.server.configuration.shutdownTimeout = .seconds(40)
    app.sessions.use { _ in HashedSessionDriver() }
    app.sessions.configuration = SessionsConfiguration(cookieName: Application.sessionCookieName) { id in
        HTTPCookies.Value(string: id.string, path: "/", isSecure: settings.usesTLS, isHTTPOnly: true, sameSite: .strict)
    }

    // Order matters: the outermost middleware runs first. Vapor's defaults are replaced entirely,
    // because its route logger and error middleware would log paths and error messages.
    app.middleware = Middlewares()
    app.requestsInFlight = InFlightCounter()
    app.middleware.use(app.requestsInFlight)
    app.middleware.use(RequestIDMiddleware())
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(RequestLogMiddleware())
    app.middleware.use(LanguageMiddleware())
    app.middleware.use(ErrorPageMiddleware())
    app.middleware.use(try StaticAssets(directory: app.directory.publicDirectory))
    app.middleware.use(SessionScoped(wrapped: BrowserSecretMiddleware()))
    app.middleware.use(SessionScoped(wrapped: app.sessions.middleware))
    app.middleware.use(SessionScoped(wrapped: StaffSessionMiddleware()))
    app.middleware.use(SessionScoped(wrapped: OpenJournalMiddleware()))
    app.middleware.use(CSRFMiddleware())

    try routes(app)
}

/// Stops a thread pool the app started, when the app shuts down.
struct ThreadPoolShutdown: LifecycleHandler {
    let pool: NIOThreadPool

    func shutdownAsync(_ application: Application) async {
        try? await pool.shutdownGracefully()
    }
}
