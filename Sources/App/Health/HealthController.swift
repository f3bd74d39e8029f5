import Vapor

/// `GET /health`: 200 `{"status":"ok"}` when the database answers, 503 otherwise.
struct HealthController: RouteCollection {
    struct Status: Content {
        let status: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health)
    }

    func health(req: Request) async throws -> Response {
        let healthy = await req.application.databaseAnswers()
        let response = try await Status(status: healthy ? "ok" : "unavailable").encodeResponse(for: req)
        response.status = healthy ? .ok : .serviceUnavailable
        return response
    }
}
