import Foundation

/// What an organisation accepts as attachments, and the check every uploaded file goes through
/// before it is encrypted: size, a recognised format that matches its name, a name that is safe to
/// show, and metadata stripped from photos.
public struct AttachmentPolicy: Sendable, Equatable {
    public static let defaultMaximumMebibytes = 10
    /// The most an organisation may allow per file, bounded by the request limit.
    public static let largestMaximumMebibytes = 25
    /// Files per submission (a form or a message).
    public static let filesPerSubmission = 3

    public var maximumBytes: Int
    public var families: Set<FileFormat.Family>

    public init(maximumMebibytes: Int = defaultMaximumMebibytes, families: Set<FileFormat.Family> = Set(FileFormat.Family.allCases)) {
        self.maximumBytes = maximumMebibytes << 20
        self.families = families
    }

    public enum Rejection: String, Error, Sendable, CaseIterable {
        case empty
        case tooLarge = "too_large"
        /// Not a format Vertrouwd knows (executables, archives, …).
        case unknownFormat = "unknown_format"
        /// A known format the organisation does not accept.
        case notAccepted = "not_accepted"
        /// The name says one format and the content is another.
        case mislabelled
        /// The image's structure could not be followed, so its metadata could not be removed.
        case unreadable
    }

    public struct Accepted: Sendable, Equatable {
        public let name: String
        public let format: FileFormat
        public let bytes: [UInt8]
        /// False when the format keeps its hidden data (everything but JPEG and PNG).
        public let metadataRemoved: Bool
    }

    public func check(name: String, bytes: [UInt8]) -> Result<Accepted, Rejection> {
        guard !bytes.isEmpty else { return .failure(.empty) }
        guard bytes.count <= maximumBytes else { return .failure(.tooLarge) }
        let safeName = Self.safeName(name)
        let nameParts = safeName.split(separator: ".")
        let ext = nameParts.count > 1 ? (nameParts.last.map { String($0).lowercased() } ?? "") : ""
        guard let format = FileFormat.detect(bytes, fileExtension: ext) else { return .failure(.unknownFormat) }
        guard format.extensions.contains(ext) else { return .failure(.mislabelled) }
        guard families.contains(format.family) else { return .failure(.notAccepted) }
        guard let (cleaned, stripped) = try? MetadataStripper.strip(bytes, format: format) else { return .failure(.unreadable) }
        return .success(Accepted(name: safeName, format: format, bytes: cleaned, metadataRemoved: stripped))
    }

    /// The last path component, without control or bidirectional-override characters, at most 120
    /// characters: what a browser sent may be a full path, or built to look like another file type.
    static let directionMarks: Set<UInt32> = [
        0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
    ]

    public static func safeName(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(
            String.UnicodeScalarView(
                last.unicodeScalars.filter { scalar in
                    scalar.properties.generalCategory != .control && !Self.directionMarks.contains(scalar.value)
                })
        ).trimmingCharacters(in: .whitespaces)
        let trimmed = cleaned.drop(while: { $0 == "." })
        guard !trimmed.isEmpty else { return "bestand" }
        if trimmed.count <= 120 { return String(trimmed) }
        // Keep the extension when shortening, if it is a short one.
        let parts = trimmed.split(separator: ".")
        let ext = parts.count > 1 ? parts.last.map { $0.count <= 16 ? "." + $0 : "" } ?? "" : ""
        return String(trimmed.prefix(120 - ext.count)) + ext
    }
}

/// One attachment as it is encrypted: a small JSON header (name, format, whether metadata was
/// removed), then the file, so name and content share one ciphertext and one key.
public struct AttachmentEnvelope: Sendable, Equatable {
    public struct Header: Codable, Sendable, Equatable {
        public let name: String
        public let format: FileFormat
        public let size: Int
        public let metadataRemoved: Bool
    }

    public let header: Header
    public let bytes: [UInt8]

    public init(_ accepted: AttachmentPolicy.Accepted) {
        self.header = Header(
            name: accepted.name, format: accepted.format, size: accepted.bytes.count, metadataRemoved: accepted.metadataRemoved)
        self.bytes = accepted.bytes
    }

    init(header: Header, bytes: [UInt8]) {
        self.header = header
        self.bytes = bytes
    }

    /// Four bytes of header length (big-endian), the header, the file.
    public func encoded() throws -> [UInt8] {
        let json = Array(try JSONEncoder().encode(header))
        let count = UInt32(json.count)
        return [UInt8(count >> 24 & 0xFF), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)] + json + bytes
    }

    public static func decode(_ data: [UInt8]) -> AttachmentEnvelope? {
        guard data.count >= 4 else { return nil }
        let count = data[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard count <= data.count - 4,
            let header = try? JSONDecoder().decode(Header.self, from: Data(data[4..<4 + count]))
        else { return nil }
        return AttachmentEnvelope(header: header, bytes: Array(data[(4 + count)...]))
    }

    /// Only the header, for listing attachments without handing their bytes around.
    public static func header(of data: [UInt8]) -> Header? {
        guard data.count >= 4 else { return nil }
        let count = data[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard count <= data.count - 4 else { return nil }
        return try? JSONDecoder().decode(Header.self, from: Data(data[4..<4 + count]))
    }
}
