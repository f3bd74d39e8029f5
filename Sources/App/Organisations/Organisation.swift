import Fluent
import Vapor

/// A client organisation of the practice. Its public pages live under `/o/<slug>`.
final class Organisation: Model, @unchecked Sendable {
    static let schema = "organisations"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "slug") var slug: String
    @Field(key: "default_language") var defaultLanguage: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Children(for: \.$organisation) var memberships: [OrganisationMembership]

    init() {}

    init(id: UUID? = nil, name: String, slug: String, defaultLanguage: String) {
        self.id = id
        self.name = name
        self.slug = slug
        self.defaultLanguage = defaultLanguage
    }
}
