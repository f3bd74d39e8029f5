import Vapor

/// Errors that end a request with an error page. `reason` is a translation key, never internal detail.
enum PageError: AbortError {
    case csrf
    case notFound
    case forbidden
    case loginRequired
    case serviceUnavailable

    var status: HTTPResponseStatus {
        switch self {
        case .csrf, .forbidden: .forbidden
        case .notFound: .notFound
        case .loginRequired: .unauthorized
        case .serviceUnavailable: .serviceUnavailable
        }
    }

    var reason: String {
        switch self {
        case .csrf: "error.csrf.body"
        case .notFound: "error.404.body"
        case .forbidden: "error.403.body"
        case .loginRequired: "error.401.body"
        case .serviceUnavailable: "error.503.body"
        }
    }
}
