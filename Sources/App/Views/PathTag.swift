import Leaf
import LeafKit

/// `#path("inbox", portal.slug)`: an `Endpoint`'s path with its parameters, so templates name a
/// page instead of spelling its address. An unknown name or the wrong number of values stops the
/// render with an error (and `EndpointTests` finds every such use in the templates).
struct PathTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let name = ctx.parameters.first?.string, let endpoint = Endpoint(rawValue: name) else {
            throw LeafError(.unknownError("#path needs the name of an endpoint"))
        }
        let values = ctx.parameters.dropFirst().map { $0.string ?? "" }
        guard values.count == endpoint.parameterCount else {
            throw LeafError(.unknownError("#path(\"\(name)\") takes \(endpoint.parameterCount) values"))
        }
        return .string(endpoint.path(filling: values))
    }
}
