import Foundation
import Glibc
import NIOConcurrencyHelpers

/// A minimal SMTP server on 127.0.0.1 for the notification tests: speaks enough RFC 5321 to accept
/// mail over a real TCP connection, and keeps each message (envelope recipient and data).
final class TestSMTPServer: @unchecked Sendable {
    struct Message: Sendable {
        let recipient: String
        let data: String
    }

    let port: Int
    private let listener: Int32
    private let received = NIOLockedValueBox<[Message]>([])
    private let stopped = NIOLockedValueBox(false)
    private let lines = NIOLockedValueBox<[String]>([])
    /// False: accepts connections but never says a word (for timeouts).
    private let greeting: Bool
    /// Offers STARTTLS and, when asked, answers "220" followed at once by a forged plain-text reply
    /// (what an attacker on the path would inject).
    private let injectsAfterStartTLS: Bool

    var messages: [Message] { received.withLockedValue { $0 } }

    /// A client timeout for tests: the whole suite runs in parallel with scrypt at full cost on two
    /// cores, so a conversation of ten round trips can take seconds; only the timeout test is short.
    static let patientTimeout: TimeInterval = 120
    /// Every command line the server received, in order.
    var transcript: [String] { lines.withLockedValue { $0 } }

    /// Listens on `port` (0: any free port).
    init(port: Int = 0, greeting: Bool = true, injectsAfterStartTLS: Bool = false) throws {
        self.greeting = greeting
        self.injectsAfterStartTLS = injectsAfterStartTLS
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    /// A port that nothing listens on (taken and released at once).
    static func freePort() throws -> Int {
        let server = try TestSMTPServer()
        let port = server.port
        server.stop()
        return port
    }

    func stop() {
        stopped.withLockedValue { $0 = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while !stopped.withLockedValue({ $0 }) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        func send(_ line: String) { _ = Array((line + "\r\n").utf8).withUnsafeBytes { write(client, $0.baseAddress, $0.count) } }
        var buffer: [UInt8] = []
        func readLine() -> String? {
            while true {
                if let newline = buffer.firstIndex(of: 10) {
                    let line = String(decoding: buffer[..<newline].filter { $0 != 13 }, as: UTF8.self)
                    buffer.removeSubrange(...newline)
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
                guard count > 0 else { return nil }
                buffer += chunk[..<count]
            }
        }
        guard greeting else {
            while readLine() != nil {}
            return
        }
        send("220 test ESMTP")
        var recipient = ""
        while let line = readLine() {
            lines.withLockedValue { $0.append(line) }
            let upper = line.uppercased()
            if upper.hasPrefix("EHLO") || upper.hasPrefix("HELO") {
                send("250-test")
                if injectsAfterStartTLS { send("250-STARTTLS") }
                send("250 8BITMIME")
            } else if upper == "STARTTLS" && injectsAfterStartTLS {
                send("220 ready to start TLS\r\n250-forged\r\n250 8BITMIME")
            } else if upper.hasPrefix("MAIL FROM") {
                send("250 OK")
            } else if upper.hasPrefix("RCPT TO") {
                recipient = String(line.drop { $0 != "<" }.dropFirst().prefix { $0 != ">" })
                send("250 OK")
            } else if upper == "DATA" {
                send("354 go ahead")
                var data: [String] = []
                while let body = readLine(), body != "." { data.append(body) }
                let message = Message(recipient: recipient, data: data.joined(separator: "\n"))
                received.withLockedValue { $0.append(message) }
                send("250 queued")
            } else if upper == "QUIT" {
                send("221 bye")
                return
            } else {
                send("502 not implemented")
            }
        }
    }
}
