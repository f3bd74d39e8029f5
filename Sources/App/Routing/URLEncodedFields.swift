import Vapor

/// The fields of an `application/x-www-form-urlencoded` body, read in one pass over its bytes.
/// For the guide, whose steps are the busiest form a visitor sends: Vapor's form decoder goes
/// through `Codable` and Foundation and cost a tenth of a cached step (BENCHMARKS.md). Field names
/// are kept as sent (`a[]` stays `a[]`); a body that is not well formed gives nil, as it gives the
/// decoder an error.
struct URLEncodedFields: Sendable {
    private(set) var fields: [(name: String, value: String)] = []

    /// The value sent for `name`; the last one when it was sent more than once, as Vapor's decoder reads it.
    func value(_ name: String) -> String? { fields.last { $0.name == name }?.value }

    /// Every value sent for `name`, in order.
    func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    init?(_ bytes: some Collection<UInt8>) {
        var name: [UInt8] = []
        var value: [UInt8] = []
        var inValue = false
        func finish() -> Bool {
            defer {
                name.removeAll(keepingCapacity: true)
                value.removeAll(keepingCapacity: true)
                inValue = false
            }
            if name.isEmpty && value.isEmpty && !inValue { return true }
            guard let name = Self.decoded(name), let value = Self.decoded(value) else { return false }
            fields.append((name, value))
            return true
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "&"): guard finish() else { return nil }
            case UInt8(ascii: "=") where !inValue: inValue = true
            default:
                if inValue { value.append(byte) } else { name.append(byte) }
            }
        }
        guard finish() else { return nil }
    }

    /// Percent-decoded, `+` as a space; nil for a broken escape or bytes that are not UTF-8.
    static func decoded(_ bytes: [UInt8]) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else {
                    return nil
                }
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(validating: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Request {
    /// The body's fields when it is a URL-encoded form that arrived whole (the CSRF middleware
    /// collects every form's body first); nil otherwise, and the caller decodes the usual way.
    var urlEncodedFields: URLEncodedFields? {
        guard let type = headers.first(name: .contentType),
            type.lowercased().hasPrefix("application/x-www-form-urlencoded"), let body = body.data
        else { return nil }
        return URLEncodedFields(body.readableBytesView)
    }
}
