/// The file formats a person may attach, recognised by their first bytes — never by the name or the
/// type the browser claims, which anyone can set.
public enum FileFormat: String, CaseIterable, Sendable, Codable {
    case jpeg, png, gif, webp
    case pdf
    /// Office Open XML and OpenDocument are ZIP files; which one is told by the name's extension.
    case docx, xlsx, pptx, odt, ods, odp
    /// The older Office formats (Word, Excel, PowerPoint 97–2003) share one container.
    case legacyOffice
    case rtf, text
    case mp3, m4a, wav, ogg, amr

    /// The families an organisation switches on or off.
    public enum Family: String, CaseIterable, Sendable, Codable {
        case image, pdf, document, audio
    }

    public var family: Family {
        switch self {
        case .jpeg, .png, .gif, .webp: .image
        case .pdf: .pdf
        case .docx, .xlsx, .pptx, .odt, .ods, .odp, .legacyOffice, .rtf, .text: .document
        case .mp3, .m4a, .wav, .ogg, .amr: .audio
        }
    }

    /// The extensions a file of this format may carry.
    public var extensions: [String] {
        switch self {
        case .jpeg: ["jpg", "jpeg"]
        case .png: ["png"]
        case .gif: ["gif"]
        case .webp: ["webp"]
        case .pdf: ["pdf"]
        case .docx: ["docx"]
        case .xlsx: ["xlsx"]
        case .pptx: ["pptx"]
        case .odt: ["odt"]
        case .ods: ["ods"]
        case .odp: ["odp"]
        case .legacyOffice: ["doc", "xls", "ppt"]
        case .rtf: ["rtf"]
        case .text: ["txt"]
        case .mp3: ["mp3"]
        case .m4a: ["m4a", "mp4", "aac"]
        case .wav: ["wav"]
        case .ogg: ["ogg", "oga", "opus"]
        case .amr: ["amr"]
        }
    }

    /// The media type sent when the file is downloaded again.
    public var mediaType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .pdf: "application/pdf"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        case .odt: "application/vnd.oasis.opendocument.text"
        case .ods: "application/vnd.oasis.opendocument.spreadsheet"
        case .odp: "application/vnd.oasis.opendocument.presentation"
        case .legacyOffice: "application/octet-stream"
        case .rtf: "application/rtf"
        case .text: "text/plain; charset=utf-8"
        case .mp3: "audio/mpeg"
        case .m4a: "audio/mp4"
        case .wav: "audio/wav"
        case .ogg: "audio/ogg"
        case .amr: "audio/amr"
        }
    }

    /// Recognises a file by its content; the extension only chooses between formats that share a
    /// container (ZIP for the office formats). Nil for anything else, including executables and
    /// archives.
    public static func detect(_ bytes: [UInt8], fileExtension: String) -> FileFormat? {
        let ext = fileExtension.lowercased()
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<offset + prefix.count]) == prefix
        }
        func ascii(_ text: String, at offset: Int = 0) -> Bool { starts(Array(text.utf8), at: offset) }

        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if ascii("GIF87a") || ascii("GIF89a") { return .gif }
        if ascii("RIFF"), ascii("WEBP", at: 8) { return .webp }
        if ascii("RIFF"), ascii("WAVE", at: 8) { return .wav }
        if ascii("%PDF-") { return .pdf }
        if ascii("{\\rtf") { return .rtf }
        if ascii("OggS") { return .ogg }
        if ascii("#!AMR") { return .amr }
        if ascii("ID3") || (bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0) { return .mp3 }
        if ascii("ftyp", at: 4) {
            let brand = bytes.count >= 12 ? String(decoding: bytes[8..<12], as: UTF8.self) : ""
            return ["M4A ", "M4B ", "mp42", "isom", "mp41", "3gp4", "3gp5"].contains(brand) ? .m4a : nil
        }
        if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return .legacyOffice }
        if starts([0x50, 0x4B, 0x03, 0x04]) {
            // A ZIP is only accepted as the office document its name says it is, and only when it
            // carries that format's marker, so an archive of other files is refused.
            let zipped: [FileFormat] = [.docx, .xlsx, .pptx, .odt, .ods, .odp]
            guard let format = zipped.first(where: { $0.extensions.contains(ext) }) else { return nil }
            let marker = format.rawValue.hasPrefix("od") ? "mimetype" : "[Content_Types].xml"
            return contains(Array(marker.utf8), in: bytes.prefix(64 * 1024)) ? format : nil
        }
        if ext == "txt", isPlainText(bytes) { return .text }
        return nil
    }

    /// Valid UTF-8 without control characters other than tab and line breaks.
    static func isPlainText(_ bytes: [UInt8]) -> Bool {
        guard String(validating: bytes, as: UTF8.self) != nil else { return false }
        return !bytes.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
    }

    private static func contains(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        var index = haystack.startIndex
        while index <= haystack.endIndex - needle.count {
            if haystack[index] == needle[0], haystack[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
