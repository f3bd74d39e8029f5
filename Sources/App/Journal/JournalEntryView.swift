import Foundation
import Vapor
import VertrouwdCore

/// A journal entry as people read it: the person's timeline and printout, and the counsellor's case
/// page once the person shared it.
struct JournalEntryView: Encodable {
    let id: String
    let date: String
    let time: String
    let place: String
    let people: String
    let witnesses: String
    let what: String
    let effect: String
    let evidence: String
    let kinds: [String]
    let versions: Int
    let isEdited: Bool
    let writtenAt: String
    /// Leaf treats an empty string as true, so the template asks these.
    let hasTime: Bool
    let hasPlace: Bool
    let hasPeople: Bool
    let hasWitnesses: Bool
    let hasEffect: Bool
    let hasEvidence: Bool
    let files: [JournalFileView]
    let hasFiles: Bool
    /// Its time of writing cannot be vouched for by this server (restored from a backup).
    let unconfirmed: Bool

    /// One entry as the timeline, the export and the counsellor's case page show it.
    static func make(
        _ id: UUID, _ entry: JournalEntry, versions: Int, writtenAt: String, files: [JournalVault.FileMeta] = [], confirmed: Bool = true,
        req: Request
    ) -> JournalEntryView {
        let fileViews = JournalFileView.list(files, req: req)
        let time =
            switch entry.timePrecision {
            case .exact: entry.time
            case .approximate: req.t("journal.time.about", entry.time)
            case .unknown: ""
            }
        return JournalEntryView(
            id: id.uuidString, date: entry.day.map(req.formattedDay) ?? entry.date, time: time, place: entry.place,
            people: entry.people.joined(separator: ", "), witnesses: entry.witnesses.joined(separator: ", "), what: entry.what,
            effect: entry.effect, evidence: entry.evidence, kinds: entry.kinds.map { req.t("kind.\($0.rawValue)") }, versions: versions,
            isEdited: versions > 1, writtenAt: writtenAt, hasTime: !time.isEmpty, hasPlace: !entry.place.isEmpty,
            hasPeople: !entry.people.isEmpty, hasWitnesses: !entry.witnesses.isEmpty, hasEffect: !entry.effect.isEmpty,
            hasEvidence: !entry.evidence.isEmpty, files: fileViews, hasFiles: !fileViews.isEmpty, unconfirmed: !confirmed)
    }
}

struct JournalFileView: Encodable {
    let href: String
    let name: String
    let size: String
    let metadataRemoved: Bool

    /// The files of an entry as links to download them from the open journal.
    static func list(_ files: [JournalVault.FileMeta], req: Request) -> [JournalFileView] {
        let slug = req.parameters.get("slug") ?? ""
        return files.map {
            JournalFileView(
                href: Endpoint.journalFile.path(slug, $0.sequence), name: $0.name, size: AttachmentView.size($0.size),
                metadataRemoved: $0.metadataRemoved)
        }
    }
}
