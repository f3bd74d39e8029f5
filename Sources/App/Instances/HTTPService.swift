import ServiceLifecycle
import Vapor

/// Vapor's HTTP server as a service: it serves until graceful shutdown, then stops accepting
/// connections and waits for the requests in flight (Vapor's server quiesces its channels).
struct HTTPService: Service {
    let application: Application
    let hostname: String?
    let port: Int?

    func run() async throws {
        try await application.server.start(address: .hostname(hostname, port: port))
        application.logger.notice("serving", metadata: ["action": .string("start")])
        try? await gracefulShutdown()
        application.logger.notice("finishing requests in flight", metadata: ["action": .string("shutdown")])
        await application.server.shutdown()
    }
}

/// `serve [--hostname H] [--port P]`, the options Vapor's own serve command took.
struct ServeOptions: Equatable {
    var hostname: String?
    var port: Int?

    struct Failure: Error, CustomStringConvertible {
        let option: String
        var description: String { "serve: unknown or incomplete option \(option); expected --hostname H and --port P" }
    }

    init(hostname: String? = nil, port: Int? = nil) {
        self.hostname = hostname
        self.port = port
    }

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let option = rest.popFirst() {
            switch option {
            case "--hostname", "-H":
                guard let value = rest.popFirst() else { throw Failure(option: option) }
                hostname = value
            case "--port", "-p":
                guard let value = rest.popFirst(), let number = Int(value), (0...65_535).contains(number) else {
                    throw Failure(option: option)
                }
                port = number
            default:
                throw Failure(option: option)
            }
        }
    }
}
