import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A small SMTP client (RFC 5321) for notifications, on SwiftNIO: plain to a relay on the same
/// machine or network, STARTTLS (RFC 3207, port 587) or implicit TLS (RFC 8314, port 465) to a remote
/// one, with AUTH PLAIN (RFC 4616) only over TLS. Certificates are verified against the system's
/// roots, or a CA file the operator names.
struct SMTPClient: Sendable {
    typealias Security = SMTPSettings.Security
    typealias Settings = SMTPSettings

    enum Failure: Error, Equatable {
        case cannotConnect
        case unexpectedReply(expected: Int, got: Int)
        case connectionClosed
        case timedOut
        /// STARTTLS was required but the relay does not offer it: nothing is sent in clear.
        case startTLSUnavailable
        /// Plain text arrived after the relay agreed to STARTTLS: someone on the way injected it.
        case injectedBeforeTLS
    }

    let settings: Settings

    func send(to recipient: String, subject: String, body: String) async throws {
        let timeout = settings.timeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await self.converse(
                    to: recipient, message: Self.message(from: settings.from, to: recipient, subject: subject, body: body))
            }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                throw Failure.timedOut
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func converse(to recipient: String, message: String) async throws {
        let tls = settings.security == .none ? nil : try NIOSSLContext(configuration: tlsConfiguration())
        let implicitTLS = settings.security == .tls ? tls : nil
        let host = settings.host
        let channel: NIOAsyncChannel<String, ByteBuffer>
        let decoded = NIOLockedValueBox(LineDecoder.Progress())
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(Int64(settings.timeout)))
                .connect(host: host, port: settings.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: implicitTLS, serverHostname: Self.serverName(host)))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder(progress: decoded)))
                        return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw Failure.cannotConnect
        }
        try await channel.executeThenClose { inbound, outbound in
            var lines = inbound.makeAsyncIterator()
            var consumed = 0
            func reply(_ expected: Int) async throws -> [String] {
                var collected: [String] = []
                while let line = try await lines.next() {
                    consumed += 1
                    guard line.count >= 3, let code = Int(line.prefix(3)) else { throw Failure.connectionClosed }
                    collected.append(String(line.dropFirst(4)))
                    if line.count > 3, line[line.index(line.startIndex, offsetBy: 3)] == "-" { continue }
                    guard code == expected else { throw Failure.unexpectedReply(expected: expected, got: code) }
                    return collected
                }
                throw Failure.connectionClosed
            }
            func command(_ line: String, _ expected: Int) async throws -> [String] {
                try await outbound.write(ByteBuffer(string: line + "\r\n"))
                return try await reply(expected)
            }

            _ = try await reply(220)
            var extensions = try await command("EHLO \(settings.heloName)", 250)
            if settings.security == .startTLS, let tls {
                guard extensions.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else { throw Failure.startTLSUnavailable }
                _ = try await command("STARTTLS", 220)
                // On the event loop, so no read can come between the check and the TLS handler: the
                // relay must have sent nothing after its "220" (RFC 3207 §5, reply injection).
                let read = consumed
                let name = Self.serverName(host)
                let pipeline = channel.channel.pipeline
                try await channel.channel.eventLoop.submit {
                    let progress = decoded.withLockedValue { $0 }
                    guard progress.lines == read, progress.pendingBytes == 0 else { throw Failure.injectedBeforeTLS }
                    try pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: name), position: .first)
                }.get()
                // The session starts again over TLS (RFC 3207 §4.2).
                extensions = try await command("EHLO \(settings.heloName)", 250)
            }
            if let username = settings.username, let password = settings.password, settings.security != .none {
                let token = Data("\0\(username)\0\(password)".utf8).base64EncodedString()
                _ = try await command("AUTH PLAIN \(token)", 235)
            }
            _ = try await command("MAIL FROM:<\(settings.from)>", 250)
            _ = try await command("RCPT TO:<\(recipient)>", 250)
            _ = try await command("DATA", 354)
            _ = try await command(message + "\r\n.", 250)
            _ = try? await command("QUIT", 221)
        }
    }

    private func tlsConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let file = settings.trustRootsFile {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
        }
        return configuration
    }

    /// SNI takes a name, not an address: an IP literal (v4 or v6) is verified without it.
    static func serverName(_ host: String) -> String? {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return (try? SocketAddress(ipAddress: bare, port: 0)) == nil ? host : nil
    }

    /// The whole message: headers, a blank line, the dot-stuffed body (RFC 5321 §4.5.2).
    static func message(from sender: String, to recipient: String, subject: String, body: String) -> String {
        var message = "From: Vertrouwd <\(sender)>\r\nTo: <\(recipient)>\r\nSubject: \(encodeHeader(subject))\r\n"
        message +=
            "Date: \(rfc5322Date.string(from: Date()))\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        message += body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
        return message
    }

    /// RFC 2047 encoded-word for a subject with non-ASCII characters.
    static func encodeHeader(_ text: String) -> String {
        text.allSatisfy(\.isASCII) ? text : "=?utf-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    static let rfc5322Date: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter
    }()

    /// Splits the relay's replies into lines (CRLF or LF), at most 4 KiB each, and counts what it
    /// has seen so the client can tell whether anything followed a reply.
    struct LineDecoder: ByteToMessageDecoder {
        typealias InboundOut = String

        struct Progress: Sendable {
            var lines = 0
            var pendingBytes = 0
        }

        let progress: NIOLockedValueBox<Progress>

        mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
            guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
                if buffer.readableBytes > 4096 { throw Failure.connectionClosed }
                let pending = buffer.readableBytes
                progress.withLockedValue { $0.pendingBytes = pending }
                return .needMoreData
            }
            let length = newline - buffer.readerIndex
            var line = buffer.readString(length: length) ?? ""
            buffer.moveReaderIndex(forwardBy: 1)
            if line.hasSuffix("\r") { line.removeLast() }
            let pending = buffer.readableBytes
            progress.withLockedValue {
                $0.lines += 1
                $0.pendingBytes = pending
            }
            context.fireChannelRead(wrapInboundOut(line))
            return .continue
        }
    }
}
