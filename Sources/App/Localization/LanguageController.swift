import Vapor
import VertrouwdCore

/// `GET /lang/:code?return=/path`: remembers the chosen language in a cookie and goes back.
struct LanguageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.language, use: choose)
    }

    func choose(req: Request) async throws -> Response {
        guard let code = req.parameters.get("code"), let language = Language(rawValue: code) else {
            throw Abort(.notFound)
        }
        let target = LocalPath.safe(req.query[String.self, at: "return"])
        let response = req.redirect(to: target, redirectType: .normal)
        response.cookies[Request.languageCookie] = HTTPCookies.Value(
            string: language.code, expires: req.now.addingTimeInterval(365 * 24 * 3600), path: "/",
            isSecure: req.vertrouwd.settings.usesTLS, isHTTPOnly: true, sameSite: .lax)
        return response
    }
}

/// Return addresses that stay on this site, so that no link can turn Vertrouwd into an open redirect.
enum LocalPath {
    static func safe(_ candidate: String?) -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), !candidate.hasPrefix("/\\"),
            candidate.count <= 512,
            candidate.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" })
        else { return "/" }
        return candidate
    }
}
