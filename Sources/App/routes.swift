import Vapor

func routes(_ app: Application) throws {
    try app.register(collection: HealthController())
    try app.register(collection: HomeController())
    try app.register(collection: LanguageController())
    try app.register(collection: PortalController())
    try app.register(collection: CounsellorsController())
    try app.register(collection: ProfileController())
    try app.register(collection: KnowledgeBaseController())
    try app.register(collection: SearchController())
    try app.register(collection: GuideController())
    try app.register(collection: ContactController(mode: .contact))
    try app.register(collection: ContactController(mode: .report))
    try app.register(collection: InboxController())
    try app.register(collection: LoginController())
    try app.register(collection: ActivationController())
    try app.register(collection: PasswordChangeController())
    try app.register(collection: BackofficeController())
    try app.register(collection: CaseController())
    try app.register(collection: ManagementController())
    try app.register(collection: AdminController())
}
