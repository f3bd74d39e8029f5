import Fluent
import Vapor

/// Namespaces of the schema versions, one folder each.
enum Migrations001 {}
enum Migrations002 {}
enum Migrations003 {}
enum Migrations004 {}
enum Migrations005 {}
enum Migrations006 {}
enum Migrations007 {}
enum Migrations008 {}
enum Migrations009 {}
enum Migrations010 {}
enum Migrations011 {}
enum Migrations012 {}
enum Migrations013 {}
enum Migrations014 {}
enum Migrations015 {}

extension Application {
    func registerMigrations() {
        migrations.add(Self.allMigrations)
    }

    /// Every migration in order. Each has a real `revert`; a new schema change goes in a new numbered folder.
    static var allMigrations: [any Migration] {
        [
            // 001: organisations, staff accounts, sign-in.
            Migrations001.CreateOrganisation(),
            Migrations001.CreateStaffAccount(),
            Migrations001.CreateOrganisationMembership(),
            Migrations001.CreateActivationToken(),
            Migrations001.CreateRecoveryCode(),
            Migrations001.CreateLoginThrottle(),
            SessionRecord.migration,
            // 002: key custody and encrypted case content.
            Migrations002.CreateCounsellorKey(),
            Migrations002.CreateCase(),
            Migrations002.CreateCaseKeyGrant(),
            Migrations002.CreateCaseContent(),
            Migrations002.ReplaceSessionStore(),
            // 003: an organisation's own knowledge-base articles.
            Migrations003.CreateOrganisationArticle(),
            // 004: one case per submitted contact form.
            Migrations004.CreateCaseSubmission(),
            // 005: formal reports under the Wbk.
            Migrations005.AddReportDeadlines(),
            // 006: the notification outbox.
            Migrations006.CreateOutgoingMail(),
            // 007: attachments, counsellor profiles, the person's notification address, unwanted submissions.
            Migrations007.AddAttachmentSettings(),
            Migrations007.AddCaseNotifications(),
            Migrations007.CreateCounsellorProfile(),
            // 008: the counsellor's back office — registration, retention, reminders, audit log.
            Migrations008.AddOrganisationTerms(),
            Migrations008.AddCaseLifecycle(),
            Migrations008.CreateCaseRegistration(),
            Migrations008.CreateAuditEvent(),
            // 009: the person's private journal.
            Migrations009.CreateJournal(),
            // 010: yearly reports.
            Migrations010.CreateYearlyReport(),
            Migrations010.AddOptionalBreakdowns(),
            // 011: several instances on one database.
            Migrations011.AddInstanceCoordination(),
            // 012: named parties and matches between cases, with consent.
            Migrations012.AddNamedParties(),
            // 013: the counsellors' work queue, and the language a case was written in.
            Migrations013.CreateWorkQueue(),
            // 014: the page cache's version, shared by the instances.
            Migrations014.CreatePageCacheVersion(),
            // 015: indexes for reading one case's rows; when a case ended, in its queue rows.
            Migrations015.AddCaseLookupIndexes(),
            Migrations015.AddQueueEndedAt(),
        ]
    }
}
