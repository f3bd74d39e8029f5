import Foundation
import Testing

@testable import VertrouwdCore

/// Builds small files with the structure of the real formats, so every branch of detection and
/// stripping is exercised without binary fixtures in the repository.
enum SampleFiles {
    static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count + 2
        return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    /// A JPEG with JFIF, EXIF carrying a GPS position, XMP, a comment, two scans, and a ZIP glued
    /// after its end.
    static let jpegWithMetadata: [UInt8] = {
        var bytes: [UInt8] = [0xFF, 0xD8]
        bytes += segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
        bytes += segment(0xE1, Array("Exif\0\0GPSLatitude 52.0907 Canon EOS serial 0042".utf8))
        bytes += segment(0xE1, Array("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>Anna</x:xmpmeta>".utf8))
        bytes += segment(0xFE, Array("taken by Anna at home".utf8))
        bytes += segment(0xDB, [0] + [UInt8](repeating: 1, count: 64))
        bytes += segment(0xC2, [8, 0, 16, 0, 16, 1, 1, 0x11, 0])
        bytes += segment(0xDA, [1, 1, 0, 0, 63, 0])
        bytes += [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]
        bytes += segment(0xC4, [0] + [UInt8](repeating: 0, count: 16))
        bytes += segment(0xDA, [1, 1, 0, 0, 63, 0])
        bytes += [0x78, 0x9A]
        bytes += [0xFF, 0xD9]
        bytes += Array("PK\u{3}\u{4}hidden archive".utf8)
        return bytes
    }()

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let length = UInt32(data.count)
        // The CRC is not checked by the stripper, which copies kept chunks verbatim.
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            + Array(type.utf8) + data + [0, 0, 0, 0]
    }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static let pngWithMetadata: [UInt8] =
        pngSignature + chunk("IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0])
        + chunk("tEXt", Array("Author\0Anna de Vries".utf8)) + chunk("eXIf", Array("MM\0*GPS".utf8))
        + chunk("tIME", [7, 234, 11, 29, 6, 0, 0]) + chunk("pHYs", [0, 0, 11, 19, 0, 0, 11, 19, 1])
        + chunk("iTXt", Array("Comment\0\0\0\0\0screenshot of chat with Jan".utf8)) + chunk("IDAT", [1, 2, 3, 4])
        + chunk("IEND", []) + Array("trailing secret".utf8)
}

@Suite("Attachments: formats, metadata, names")
struct AttachmentTests {
    func contains(_ haystack: [UInt8], _ text: String) -> Bool { contains(haystack, Array(text.utf8)) }

    func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    @Test func jpegLosesExifXmpCommentsAndTrailingData() throws {
        let stripped = try MetadataStripper.stripJPEG(SampleFiles.jpegWithMetadata)
        for secret in ["GPSLatitude", "Canon", "xmpmeta", "Anna", "hidden archive"] {
            #expect(contains(SampleFiles.jpegWithMetadata, secret))
            #expect(!contains(stripped, secret), "\(secret) survived")
        }
        // The image itself stays: JFIF header, tables, both scans with their stuffed bytes and restart marker.
        #expect(contains(stripped, "JFIF"))
        #expect(contains(stripped, [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]))
        #expect(Array(stripped.suffix(4)) == [0x78, 0x9A, 0xFF, 0xD9])
        #expect(try MetadataStripper.stripJPEG(stripped) == stripped, "stripping twice changes nothing")
    }

    @Test func pngLosesTextExifTimeAndTrailingData() throws {
        let stripped = try MetadataStripper.stripPNG(SampleFiles.pngWithMetadata)
        for secret in ["Author", "GPS", "tIME", "screenshot of chat", "trailing secret"] {
            #expect(contains(SampleFiles.pngWithMetadata, secret))
            #expect(!contains(stripped, secret), "\(secret) survived")
        }
        for kept in ["IHDR", "pHYs", "IDAT", "IEND"] { #expect(contains(stripped, kept)) }
        #expect(try MetadataStripper.stripPNG(stripped) == stripped)
    }

    @Test func brokenImagesAreRefusedNotPassedThrough() {
        var truncated = SampleFiles.jpegWithMetadata
        truncated.removeLast(40)
        #expect(throws: MetadataStripper.Failure.malformed) { try MetadataStripper.stripJPEG(truncated) }
        #expect(throws: MetadataStripper.Failure.malformed) { try MetadataStripper.stripJPEG([0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF]) }
        #expect(throws: MetadataStripper.Failure.malformed) {
            try MetadataStripper.stripPNG(SampleFiles.pngSignature + [0xFF, 0xFF, 0xFF, 0xFF] + Array("IDAT".utf8))
        }
        // Random bytes after a valid signature never crash the parser.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let tail = (0..<Int.random(in: 0..<200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? MetadataStripper.stripJPEG([0xFF, 0xD8] + tail)
            _ = try? MetadataStripper.stripPNG(SampleFiles.pngSignature + tail)
        }
    }

    @Test func formatsAreRecognisedByContent() {
        let zipHeader: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
        let cases: [([UInt8], String, FileFormat?)] = [
            (SampleFiles.jpegWithMetadata, "jpg", .jpeg),
            (SampleFiles.pngWithMetadata, "png", .png),
            (Array("%PDF-1.7\n".utf8), "pdf", .pdf),
            (Array("GIF89a..".utf8), "gif", .gif),
            (Array("RIFF\0\0\0\0WAVEfmt ".utf8), "wav", .wav),
            (Array("RIFF\0\0\0\0WEBPVP8 ".utf8), "webp", .webp),
            (Array("OggS\0\u{2}".utf8), "ogg", .ogg),
            (Array("ID3\u{4}\0".utf8), "mp3", .mp3),
            ([0, 0, 0, 0x20] + Array("ftypM4A ".utf8), "m4a", .m4a),
            (Array("#!AMR\n".utf8), "amr", .amr),
            (Array("{\\rtf1\\ansi".utf8), "rtf", .rtf),
            ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "doc", .legacyOffice),
            (zipHeader + Array("....[Content_Types].xml".utf8), "docx", .docx),
            (zipHeader + Array("....mimetypeapplication/vnd.oasis".utf8), "odt", .odt),
            // A ZIP is an office file only under that name and with that marker.
            (zipHeader + Array("....[Content_Types].xml".utf8), "zip", nil),
            (zipHeader + Array("....virus.exe".utf8), "docx", nil),
            (Array("Dinsdag 3 maart: Jan schreeuwde. 😡 مرحبا\n".utf8), "txt", .text),
            (Array("text\0with a zero byte".utf8), "txt", nil),
            ([0xC3, 0x28], "txt", nil),
            (Array("MZ\u{90}\0 this program".utf8), "exe", nil),
            (Array("#!/bin/sh\nrm -rf /".utf8), "sh", nil),
            (Array("<html><script>".utf8), "html", nil),
        ]
        for (bytes, ext, expected) in cases {
            #expect(FileFormat.detect(bytes, fileExtension: ext) == expected, "\(ext)")
        }
        #expect(Set(FileFormat.allCases.map(\.family)) == Set(FileFormat.Family.allCases))
    }

    @Test func thePolicyChecksSizeFormatNameAndFamily() throws {
        let policy = AttachmentPolicy(maximumMebibytes: 1, families: [.image, .pdf])
        #expect(policy.check(name: "leeg.pdf", bytes: []) == .failure(.empty))
        #expect(policy.check(name: "groot.pdf", bytes: Array("%PDF-".utf8) + [UInt8](repeating: 0, count: 1 << 20)) == .failure(.tooLarge))
        #expect(policy.check(name: "program.exe", bytes: Array("MZ\u{90}\0".utf8)) == .failure(.unknownFormat))
        #expect(policy.check(name: "foto.pdf", bytes: SampleFiles.pngWithMetadata) == .failure(.mislabelled))
        #expect(policy.check(name: "notitie.txt", bytes: Array("hallo".utf8)) == .failure(.notAccepted))
        var broken = SampleFiles.pngWithMetadata
        broken.removeLast(60)
        #expect(policy.check(name: "kapot.png", bytes: broken) == .failure(.unreadable))

        let accepted = try policy.check(name: "C:\\Users\\anna\\Foto's\\IMG_0042.JPG", bytes: SampleFiles.jpegWithMetadata).get()
        #expect(accepted.name == "IMG_0042.JPG")
        #expect(accepted.format == .jpeg)
        #expect(accepted.metadataRemoved)
        #expect(!contains(accepted.bytes, "GPSLatitude"))
        let pdf = try policy.check(name: "brief.pdf", bytes: Array("%PDF-1.4 /Author (Anna)".utf8)).get()
        #expect(!pdf.metadataRemoved, "a PDF keeps its metadata, so the page warns about it")
    }

    @Test func namesAreMadeSafeToShow() {
        // Found by the form fuzzer: a long "extension" made the shortened name's length negative.
        let longExtension = AttachmentPolicy.safeName("verslag." + String(repeating: "x", count: 200))
        #expect(longExtension.count == 120)
        #expect(AttachmentPolicy.safeName(String(repeating: "a", count: 300) + ".pdf").hasSuffix(".pdf"))
        #expect(AttachmentPolicy.safeName("../../etc/passwd") == "passwd")
        #expect(AttachmentPolicy.safeName("verslag\u{202E}fdp.exe") == "verslagfdp.exe")
        #expect(AttachmentPolicy.safeName("a\u{0}b\u{7}.txt") == "ab.txt")
        #expect(AttachmentPolicy.safeName("   ") == "bestand")
        #expect(AttachmentPolicy.safeName(".bashrc") == "bashrc")
        let long = AttachmentPolicy.safeName(String(repeating: "é", count: 300) + ".pdf")
        #expect(long.count == 120)
        #expect(long.hasSuffix(".pdf"))
        #expect(AttachmentPolicy.safeName("Gesprek met 👩‍💼 — مرحبا.m4a") == "Gesprek met 👩‍💼 — مرحبا.m4a")
    }

    @Test func theEnvelopeKeepsNameAndBytesTogether() throws {
        let accepted = try AttachmentPolicy().check(name: "schermafdruk.png", bytes: SampleFiles.pngWithMetadata).get()
        let encoded = try AttachmentEnvelope(accepted).encoded()
        let decoded = try #require(AttachmentEnvelope.decode(encoded))
        #expect(decoded.header.name == "schermafdruk.png")
        #expect(decoded.header.size == accepted.bytes.count)
        #expect(decoded.bytes == accepted.bytes)
        #expect(AttachmentEnvelope.header(of: encoded) == decoded.header)
        #expect(AttachmentEnvelope.decode([0, 0, 0, 9, 1]) == nil)
        #expect(AttachmentEnvelope.decode([0xFF, 0xFF, 0xFF, 0xFF]) == nil)
    }
}
