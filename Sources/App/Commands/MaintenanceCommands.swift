import Fluent
import Vapor
import VertrouwdCore

/// `vertrouwd purge [--dry-run]`: destroys the content of cases past their retention term now (the
/// server also does this once a day). `--dry-run` lists what would go, without case ids' content.
struct PurgeCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "dry-run", help: "Only list what is due")
        var dryRun: Bool
    }

    var help: String { "Destroys the content of cases whose retention term has passed; keeps their registration." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let purger = CasePurger(services: app.vertrouwd, db: app.db, logger: app.logger)
        if signature.dryRun {
            let due = try await purger.due(before: app.vertrouwd.clock.now)
            context.console.print("\(due.count) case(s) due for purging.")
            for item in due { context.console.print("  \(item.record.id?.uuidString ?? "?")  \(item.organisationName)") }
            return
        }
        let count = try await purger.purge()
        context.console.print("\(count) case(s) purged.")
    }
}

/// `vertrouwd audit verify`: checks the audit log's hash chain from the first entry to the last.
struct AuditCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "verify")
        var action: String
    }

    var help: String { "Verifies the audit log's hash chain (exit code 1 when it was tampered with)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "verify" else {
            context.console.error("Unknown action '\(signature.action)'. Use: vertrouwd audit verify")
            throw ExitCode(1)
        }
        let app = context.application
        let count = try await AuditEvent.query(on: app.db).count()
        if let problem = try await AuditLog(db: app.db, clock: app.vertrouwd.clock).verify() {
            context.console.error("The audit log is NOT intact: \(Self.describe(problem))")
            throw ExitCode(1)
        }
        // Each released yearly report carries the log's head at its release: the entry must still be there, unchanged.
        for report in try await YearlyReport.query(on: app.db).filter(\.$auditDigest != nil).all() {
            guard let sequence = report.auditSequence, let digest = report.auditDigest else { continue }
            let entry = try await AuditEvent.query(on: app.db).filter(\.$sequence == sequence).first()
            guard entry?.digest == digest else {
                context.console.error(
                    "The audit log does NOT match the yearly report of \(report.year) (version \(report.version)): entry \(sequence) differs from the one printed on it."
                )
                throw ExitCode(1)
            }
        }
        context.console.print("The audit log is intact: \(count) entries, chain verified.")
    }

    static func describe(_ problem: AuditChain.Problem) -> String {
        switch problem {
        case .gap(let expected, let found): "entry \(expected) is missing (found \(found) in its place)"
        case .brokenLink(let sequence): "entry \(sequence) does not follow from the one before"
        case .altered(let sequence): "entry \(sequence) was changed after it was written"
        }
    }
}
