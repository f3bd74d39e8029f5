import Fluent
import Vapor
import VertrouwdCore

/// `vertrouwd admin create --email … [--name …]`: the first platform admin, made from the shell.
/// Prints a one-time activation link.
struct AdminCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "create")
        var action: String

        @Option(name: "email", help: "The admin's e-mail address")
        var email: String?

        @Option(name: "name", help: "The admin's display name")
        var name: String?
    }

    var help: String { "Creates a platform admin account and prints its activation link." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "create" else {
            context.console.error("Unknown action '\(signature.action)'. Use: vertrouwd admin create --email ADDRESS")
            throw ExitCode(1)
        }
        guard let email = EmailAddress(signature.email ?? "") else {
            context.console.error("Give a valid address with --email.")
            throw ExitCode(1)
        }
        let app = context.application
        let name = (signature.name ?? "").cleanedInput
        let provisioning = AccountProvisioning(services: app.vertrouwd, db: app.db)
        do {
            let (_, link) = try await provisioning.create(email: email, displayName: name.isEmpty ? "Admin" : name, role: .admin)
            context.console.print("Admin account created. Activation link (valid 7 days, use it once):")
            context.console.print(link)
        } catch AccountProvisioning.Failure.emailTaken {
            context.console.error("An account with that address exists already.")
            throw ExitCode(1)
        }
    }
}

/// A non-zero exit without a stack trace.
struct ExitCode: Error {
    let code: Int32
    init(_ code: Int32) { self.code = code }
}
