import Vapor

extension Request {
    private struct PathKey: StorageKey {
        typealias Value = String
    }

    /// `url.path`, worked out once per request: Vapor's getter goes through Foundation's string
    /// search on every call, and the middlewares ask for it many times.
    var path: String {
        if let known = storage[PathKey.self] { return known }
        let path = url.path
        storage[PathKey.self] = path
        return path
    }
}
