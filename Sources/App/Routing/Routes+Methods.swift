import Vapor

extension Routes {
    /// The methods of the registered routes whose path matches `path` (parameters match any segment).
    func methods(matching path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let methods = all.filter { route in
            guard route.path.count == parts.count || route.path.last == .catchall else { return false }
            return zip(route.path, parts).allSatisfy { component, part in
                switch component {
                case .constant(let value): value == part
                case .parameter, .anything, .catchall: true
                }
            }
        }.map(\.method.rawValue)
        return Array(Set(methods)).sorted()
    }
}
