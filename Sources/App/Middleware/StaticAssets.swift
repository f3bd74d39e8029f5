import Crypto
import Vapor

/// The files under `Public/` (a stylesheet, a script, an icon), read once at start and answered from
/// memory with an ETag, so that no page request waits for a look at the disk. Only GET and HEAD of
/// an exact file path are answered here; everything else goes on to the routes.
struct StaticAssets: Middleware {
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: HTTPMediaType
        let etag: String
    }

    let assets: [String: Asset]

    /// Every regular file under `directory`, by its path from the site's root ("/css/app.css").
    init(directory: String) throws {
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        var found: [String: Asset] = [:]
        // Paths relative to the root, as the enumerator gives them; links are followed.
        let files = FileManager.default.enumerator(atPath: root.path)
        while let relative = files?.nextObject() as? String {
            let url = root.appendingPathComponent(relative).resolvingSymlinksInPath()
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let data = try Data(contentsOf: url)
            let digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
            found["/" + relative] = Asset(
                body: ByteBuffer(bytes: data),
                contentType: HTTPMediaType.fileExtension(url.pathExtension) ?? .binary, etag: "\"\(digest)\"")
        }
        assets = found
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard request.method == .GET || request.method == .HEAD, let asset = assets[request.path] else {
            return next.respond(to: request)
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .eTag, value: asset.etag)
        if request.headers.first(name: .ifNoneMatch) == asset.etag {
            return request.eventLoop.makeSucceededFuture(Response(status: .notModified, headers: headers))
        }
        headers.contentType = asset.contentType
        return request.eventLoop.makeSucceededFuture(Response(status: .ok, headers: headers, body: .init(buffer: asset.body)))
    }
}
