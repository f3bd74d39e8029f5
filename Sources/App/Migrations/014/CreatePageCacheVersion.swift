import Fluent
import SQLKit

extension Migrations014 {
    /// One number that every save of what the cached public pages show raises, so that every instance
    /// on the database empties its page cache when it sees it change (`PageCacheVersion`).
    struct CreatePageCacheVersion: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(PageCacheVersion.schema)
                .field("name", .string, .required)
                .field("version", .int64, .required)
                .unique(on: "name")
                .create()
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.raw("INSERT INTO \(ident: PageCacheVersion.schema) (name, version) VALUES (\(bind: PageCacheVersion.row), 0)")
                .run()
        }

        func revert(on database: any Database) async throws {
            try await database.schema(PageCacheVersion.schema).delete()
        }
    }
}
