import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small SMTP client (RFC 5321) for notifications: plain TCP to a relay the operator runs or trusts
/// (a local Postfix, the organisation's mail gateway). Blocking socket I/O, so it is always called off
/// the event loop, from the outbox worker.
struct SMTPClient: Sendable {
    struct Settings: Sendable, Equatable {
        var host: String
        var port: Int
        var from: String
        var heloName: String = "vertrouwd.local"
        var timeout: TimeInterval = 10
    }

    enum Failure: Error, Equatable {
        case cannotConnect
        case unexpectedReply(expected: Int, got: Int)
        case connectionClosed
    }

    let settings: Settings

    func send(to recipient: String, subject: String, body: String) throws {
        let socket = try connect()
        defer { close(socket) }
        var reader = LineReader(socket: socket)
        try expect(220, &reader)
        try command("EHLO \(settings.heloName)", expect: 250, socket, &reader)
        try command("MAIL FROM:<\(settings.from)>", expect: 250, socket, &reader)
        try command("RCPT TO:<\(recipient)>", expect: 250, socket, &reader)
        try command("DATA", expect: 354, socket, &reader)
        let date = Self.rfc5322Date.string(from: Date())
        var message = "From: Vertrouwd <\(settings.from)>\r\nTo: <\(recipient)>\r\nSubject: \(Self.encodeHeader(subject))\r\n"
        message +=
            "Date: \(date)\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        // Dot-stuffing: a line that starts with "." gets another one (RFC 5321 §4.5.2).
        message += body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
        try command(message + "\r\n.", expect: 250, socket, &reader)
        try? command("QUIT", expect: 221, socket, &reader)
    }

    private func connect() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(settings.host, String(settings.port), &hints, &result) == 0, let first = result else {
            throw Failure.cannotConnect
        }
        defer { freeaddrinfo(result) }
        var pointer: UnsafeMutablePointer<addrinfo>? = first
        while let info = pointer {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                var timeout = timeval(tv_sec: Int(settings.timeout), tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                close(fd)
            }
            pointer = info.pointee.ai_next
        }
        throw Failure.cannotConnect
    }

    private func command(_ line: String, expect code: Int, _ socket: Int32, _ reader: inout LineReader) throws {
        let bytes = Array((line + "\r\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { write(socket, $0.baseAddress, $0.count) }
            guard written > 0 else { throw Failure.connectionClosed }
            sent += written
        }
        try expect(code, &reader)
    }

    /// Reads a (possibly multi-line) reply and checks its code.
    private func expect(_ code: Int, _ reader: inout LineReader) throws {
        while true {
            guard let line = try reader.next(), line.count >= 3, let got = Int(line.prefix(3)) else { throw Failure.connectionClosed }
            if line.count > 3, line[line.index(line.startIndex, offsetBy: 3)] == "-" { continue }
            guard got == code else { throw Failure.unexpectedReply(expected: code, got: got) }
            return
        }
    }

    struct LineReader {
        let socket: Int32
        var buffer: [UInt8] = []

        mutating func next() throws -> String? {
            while true {
                if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = buffer[..<newline].filter { $0 != UInt8(ascii: "\r") }
                    buffer.removeSubrange(...newline)
                    return String(decoding: line, as: UTF8.self)
                }
                var chunk = [UInt8](repeating: 0, count: 1024)
                let count = chunk.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
                guard count > 0 else { return nil }
                buffer += chunk[..<count]
            }
        }
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
}
