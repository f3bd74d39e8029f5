import Fluent
import Leaf
import Vapor
import VertrouwdCore

extension Application {
    static let sessionCookieName = "vertrouwd_session"
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
    try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
    let secret = try InstanceSecret.load(settings: settings, random: random)
    let catalog = try Catalog.load(from: URL(fileURLWithPath: app.directory.resourcesDirectory).appendingPathComponent("Localization"))
    app.vertrouwd = VertrouwdServices(
        settings: settings, catalog: catalog, clock: clock, random: random, instanceSecret: secret,
        passwords: PasswordService(
            hasher: ScryptPasswordHasher(parameters: settings.passwordParameters, random: random),
            limit: settings.kdfConcurrency, threadPool: app.threadPool),
        throttlePolicy: .standard,
        unlockedKeys: UnlockedKeyStore(idleTimeout: settings.sessionIdleTimeout))

    try app.configureDatabase(settings)
    app.registerMigrations()

    app.views.use(.leaf)
    app.leaf.tags["t"] = TranslateTag()

    app.routes.defaultMaxBodySize = ByteCount(value: settings.maxBodySize)
    app.sessions.use { _ in HashedSessionDriver() }
    app.sessions.configuration = SessionsConfiguration(cookieName: Application.sessionCookieName) { id in
        HTTPCookies.Value(string: id.string, path: "/", isSecure: settings.usesTLS, isHTTPOnly: true, sameSite: .strict)
    }

    // Order matters: the outermost middleware runs first. Vapor's defaults are replaced entirely,
    // because its route logger and error middleware would log paths and error messages.
    app.middleware = Middlewares()
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(RequestLogMiddleware())
    app.middleware.use(LanguageMiddleware())
    app.middleware.use(ErrorPageMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(StaffSessionMiddleware())
    app.middleware.use(CSRFMiddleware())

    try routes(app)
}
