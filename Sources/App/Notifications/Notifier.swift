import Fluent
import SQLKit
import ServiceLifecycle
import Vapor
import VertrouwdCore

/// Tells counsellors that something new arrived, by e-mail through the outbox. Queuing is part of the
/// request; sending is not: a mail that cannot go out never blocks or loses the case.
struct Notifier {
    let services: VertrouwdServices
    let db: any Database

    /// Queues a "log in to see it" mail to every counsellor who holds the case's key.
    func caseChanged(_ caseID: UUID, template: String) async throws {
        guard services.settings.smtp != nil else { return }
        let counsellorIDs = Set(
            try await CaseKeyGrant.query(on: db).filter(\.$caseRecord.$id == caseID).filter(\.$recipientKind == "counsellor").all()
                .compactMap { $0.$counsellor.id })
        guard !counsellorIDs.isEmpty else { return }
        let accounts = try await StaffAccount.query(on: db).filter(\.$id ~~ counsellorIDs).filter(\.$isDisabled == false).all()
        for account in accounts {
            try await OutgoingMail(recipient: account.email, template: template, now: services.clock.now).create(on: db)
        }
    }
}

extension Notifier {
    /// Queues "there is news in your inbox" for the person, when they left an address. One waiting
    /// mail per case is enough: three replies in a row make one nudge.
    func personNotified(_ record: CaseRecord) async throws {
        guard services.settings.smtp != nil, record.notifyAddress != nil, let caseID = record.id else { return }
        let waiting = try await OutgoingMail.query(on: db).filter(\.$caseID == caseID).filter(\.$sentAt == nil)
            .filter(\.$failedAt == nil).count()
        guard waiting == 0 else { return }
        try await OutgoingMail(recipient: "", template: "inbox-news", now: services.clock.now, caseID: caseID).create(on: db)
    }
}

/// Sends what the outbox holds: due mails, oldest first; a failure waits 1, 2, 4 … minutes (at most an
/// hour) and is given up after `maximumAttempts`.
///
/// Several instances may send at once. Each mail is first claimed with one UPDATE (on PostgreSQL
/// its candidate row is picked `FOR UPDATE SKIP LOCKED`, so two instances never wait for or take the
/// same one; SQLite has one writer at a time), for `claimTime`: longer than a send can take. A mail
/// whose instance died while holding it is claimed again when that time has passed. Only the
/// holder of the claim may mark a mail sent.
struct OutboxSender {
    static let maximumAttempts = 10
    static let batch = 20

    let services: VertrouwdServices
    let db: any Database
    let logger: Logger

    /// A send gives up after the relay's timeout; the claim lasts that long plus a margin.
    var claimTime: TimeInterval { (services.settings.smtp?.timeout ?? 30) + 30 }

    /// Sends the mails that are due now, up to `batch`; returns how many went out.
    @discardableResult
    func sendDue() async throws -> Int {
        guard let smtp = services.settings.smtp else { return 0 }
        var sent = 0
        // At shutdown, the mail being sent is finished and the rest are left for another instance.
        for _ in 0..<Self.batch where !Task.isShuttingDownGracefully {
            guard let (mail, claim) = try await claimNext() else { break }
            if try await send(mail, claim: claim, smtp: smtp) { sent += 1 }
        }
        return sent
    }

    /// Claims the oldest due mail nobody holds, for this instance.
    func claimNext() async throws -> (OutgoingMail, String)? {
        guard let sql = db as? any SQLDatabase else { return nil }
        let now = services.clock.now
        let claim = "\(services.instanceID)/\(Token.generate(using: services.random).prefix(12))"
        let lock: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        let rows = try await sql.raw(
            """
            UPDATE outgoing_mail SET claim = \(bind: claim), claimed_until = \(bind: now.addingTimeInterval(claimTime)) \
            WHERE id = (SELECT id FROM outgoing_mail WHERE sent_at IS NULL AND failed_at IS NULL \
            AND next_attempt_at <= \(bind: now) AND (claimed_until IS NULL OR claimed_until < \(bind: now)) \
            ORDER BY next_attempt_at LIMIT 1\(lock)) \
            AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < \(bind: now)) RETURNING id
            """
        ).all()
        guard let row = rows.first, let id = try? row.decode(column: "id", as: UUID.self),
            let mail = try await OutgoingMail.find(id, on: db)
        else { return nil }
        return (mail, claim)
    }

    /// Sends one claimed mail and records the outcome, if the claim still holds.
    func send(_ mail: OutgoingMail, claim: String, smtp: SMTPClient.Settings) async throws -> Bool {
        var sent = false
        if let (recipient, link) = try await address(of: mail) {
            let (subject, body) = text(for: mail, link: link)
            do {
                try await SMTPClient(settings: smtp).send(to: recipient, subject: subject, body: body)
                mail.sentAt = services.clock.now
                sent = true
            } catch {
                mail.attempts += 1
                let wait = min(3600, 60 * pow(2, Double(mail.attempts - 1)))
                mail.nextAttemptAt = services.clock.now.addingTimeInterval(wait)
                if mail.attempts >= Self.maximumAttempts { mail.failedAt = services.clock.now }
                logger.warning(
                    "notification not sent",
                    metadata: ["error": .string(String(describing: type(of: error))), "status": .stringConvertible(mail.attempts)])
            }
        } else {
            // The person removed their address, or the case is gone: nothing to send, nothing kept.
            mail.failedAt = services.clock.now
        }
        guard try await record(mail, claim: claim) else {
            // The claim ran out and another instance took the mail over: its outcome counts, not this one's.
            logger.warning("notification claim lost", metadata: ["action": .string(mail.template)])
            return false
        }
        return sent
    }

    /// Stores a send's outcome and lets go of the mail, only while `claim` still holds it; false when
    /// the claim ran out and another instance took the mail over.
    func record(_ mail: OutgoingMail, claim: String) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let rows = try await sql.raw(
            """
            UPDATE outgoing_mail SET sent_at = \(bind: mail.sentAt), failed_at = \(bind: mail.failedAt), \
            attempts = \(bind: mail.attempts), next_attempt_at = \(bind: mail.nextAttemptAt), claim = NULL, claimed_until = NULL \
            WHERE id = \(bind: try mail.requireID()) AND claim = \(bind: claim) RETURNING id
            """
        ).all()
        return rows.count == 1
    }

    /// Where a mail goes and the link it carries: a counsellor logs in; a person goes to their
    /// organisation's inbox, and their address is opened from its seal only now.
    func address(of mail: OutgoingMail) async throws -> (String, String)? {
        guard let caseID = mail.caseID else { return (mail.recipient, services.settings.publicURL + Endpoint.login.path()) }
        guard let record = try await CaseRecord.find(caseID, on: db), let sealed = record.notifyAddress,
            let address = NotifyAddress.open(sealed, caseID: caseID, services: services),
            let organisation = try await Organisation.find(record.$organisation.id, on: db)
        else { return nil }
        return (address, services.settings.publicURL + Endpoint.inbox.path(organisation.slug))
    }

    /// Both languages in one short mail: the recipient's preference is not stored, and the text is tiny.
    func text(for mail: OutgoingMail, link: String) -> (String, String) {
        let catalog = services.catalog
        let subject = "\(catalog.text("mail.subject", in: .dutch)) / \(catalog.text("mail.subject", in: .english))"
        let body = [Language.dutch, .english].map { catalog.text("mail.\(mail.template)", in: $0, [link]) }.joined(separator: "\n\n")
        return (subject, body)
    }
}

extension Request {
    /// Queues the counsellors' notification; a failure is logged and never undoes or blocks the case.
    func notifyCounsellors(of caseID: UUID, template: String) async {
        await queueNotification { try await $0.caseChanged(caseID, template: template) }
    }

    /// Queues the person's nudge, if they asked for one; a failure never undoes the reply.
    func notifyPerson(of record: CaseRecord) async {
        await queueNotification { try await $0.personNotified(record) }
    }

    private func queueNotification(_ work: (Notifier) async throws -> Void) async {
        do {
            try await work(Notifier(services: vertrouwd, db: db))
        } catch {
            logger.warning("notification not queued", metadata: ["error": .string(String(describing: type(of: error)))])
        }
    }
}
