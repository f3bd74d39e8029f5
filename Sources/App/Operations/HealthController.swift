import Fluent
import SQLKit
import Vapor

/// `GET /health` (liveness): 200 while the process answers and its database does, 503 otherwise.
/// `GET /ready` (readiness): 200 only when the database answers and holds every migration this
/// version knows; a proxy or orchestrator sends traffic to an instance only then.
struct HealthController: RouteCollection {
    struct Status: Content {
        let status: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.health, use: health)
        routes.get(.ready, use: ready)
    }

    func health(req: Request) async throws -> Response {
        let healthy = await req.application.databaseAnswers()
        return try await answer(healthy ? "ok" : "unavailable", for: req)
    }

    func ready(req: Request) async throws -> Response {
        guard let sql = req.db as? any SQLDatabase else { return try await answer("unavailable", for: req) }
        let applied: Set<String>
        do {
            let rows = try await sql.raw("SELECT name FROM _fluent_migrations").all()
            applied = Set(rows.compactMap { try? $0.decode(column: "name", as: String.self) })
        } catch {
            return try await answer("unavailable", for: req)
        }
        let missing = Application.allMigrations.map(\.name).filter { !applied.contains($0) }
        return try await answer(missing.isEmpty ? "ok" : "migrations-pending", for: req)
    }

    private func answer(_ status: String, for req: Request) async throws -> Response {
        let response = try await Status(status: status).encodeResponse(for: req)
        response.status = status == "ok" ? .ok : .serviceUnavailable
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}
