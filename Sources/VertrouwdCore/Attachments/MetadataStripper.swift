/// Removes what a photo or screenshot says about where, when and with what it was made — EXIF (with
/// GPS position and camera serial), XMP, IPTC, comments, text chunks — and anything appended after
/// the image's end, without re-encoding the picture itself.
public enum MetadataStripper {
    public enum Failure: Error, Equatable {
        /// The file claims to be an image but its structure cannot be followed.
        case malformed
    }

    /// The stripped image for JPEG and PNG; other formats are returned unchanged (`changed == false`
    /// tells the caller to warn that the file may carry hidden data).
    public static func strip(_ bytes: [UInt8], format: FileFormat) throws -> (bytes: [UInt8], stripped: Bool) {
        switch format {
        case .jpeg: (try stripJPEG(bytes), true)
        case .png: (try stripPNG(bytes), true)
        default: (bytes, false)
        }
    }

    // MARK: - JPEG

    /// Keeps APP0 (JFIF) and APP14 (Adobe colour transform) and every segment the decoder needs;
    /// drops APP1–APP13, APP15 and comments; stops at the end-of-image marker.
    static func stripJPEG(_ bytes: [UInt8]) throws -> [UInt8] {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { throw Failure.malformed }
        var output: [UInt8] = [0xFF, 0xD8]
        output.reserveCapacity(bytes.count)
        var index = 2
        while index < bytes.count {
            guard bytes[index] == 0xFF else { throw Failure.malformed }
            // Fill bytes: any number of 0xFF before a marker.
            while index < bytes.count, bytes[index] == 0xFF { index += 1 }
            guard index < bytes.count else { throw Failure.malformed }
            let marker = bytes[index]
            index += 1
            if marker == 0xD9 {
                output += [0xFF, 0xD9]
                return output
            }
            if (0xD0...0xD7).contains(marker) || marker == 0x01 {
                output += [0xFF, marker]
                continue
            }
            guard index + 2 <= bytes.count else { throw Failure.malformed }
            let length = Int(bytes[index]) << 8 | Int(bytes[index + 1])
            guard length >= 2, index + length <= bytes.count else { throw Failure.malformed }
            let segment = bytes[index..<index + length]
            index += length
            let isMetadata = (0xE1...0xED).contains(marker) || marker == 0xEF || marker == 0xFE
            if !isMetadata {
                output += [0xFF, marker]
                output += segment
            }
            if marker == 0xDA {
                // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart.
                let start = index
                while index + 1 < bytes.count {
                    if bytes[index] == 0xFF, bytes[index + 1] != 0x00, !(0xD0...0xD7).contains(bytes[index + 1]) { break }
                    index += 1
                }
                guard index + 1 < bytes.count else { throw Failure.malformed }
                output += bytes[start..<index]
            }
        }
        throw Failure.malformed
    }

    // MARK: - PNG

    /// Ancillary chunks that describe how to show the image, nothing about its maker.
    static let keptAncillaryChunks: Set<String> = [
        "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "bKGD", "pHYs", "hIST", "acTL", "fcTL", "fdAT",
    ]

    /// Keeps the critical chunks and the display chunks above; drops text, EXIF, time and every other
    /// ancillary chunk; stops at IEND.
    static func stripPNG(_ bytes: [UInt8]) throws -> [UInt8] {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw Failure.malformed }
        var output = signature
        output.reserveCapacity(bytes.count)
        var index = 8
        while index + 12 <= bytes.count {
            let length = bytes[index..<index + 4].reduce(0) { $0 << 8 | Int($1) }
            guard length <= bytes.count - index - 12 else { throw Failure.malformed }
            let type = String(decoding: bytes[index + 4..<index + 8], as: UTF8.self)
            let end = index + 12 + length
            let isCritical = bytes[index + 4] & 0x20 == 0
            if isCritical || keptAncillaryChunks.contains(type) { output += bytes[index..<end] }
            index = end
            if type == "IEND" { return output }
        }
        throw Failure.malformed
    }
}
