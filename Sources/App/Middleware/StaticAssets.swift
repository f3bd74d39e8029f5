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
        let root = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        var found: [String: Asset] = [:]
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = files?.nextObject() as? URL {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            let relative = url.standardizedFileURL.path.dropFirst(root.path.count)
            let data = try Data(contentsOf: url)
            let digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
            found["/" + relative.drop(while: { $0 == "/" })] = Asset(
                body: ByteBuffer(bytes: data),
                contentType: HTTPMediaType.fileExtension(url.pathExtension) ?? .binary, etag: "\"\(digest)\"")
        }
        assets = found
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard request.method == .GET || request.method == .HEAD, let asset = assets[request.url.path] else {
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
