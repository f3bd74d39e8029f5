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

extension Application {
    /// Every migration in order. Each has a real `revert`; a new schema change goes in a new numbered folder.
    func registerMigrations() {
        // 001: organisations, staff accounts, sign-in.
        migrations.add(Migrations001.CreateOrganisation())
        migrations.add(Migrations001.CreateStaffAccount())
        migrations.add(Migrations001.CreateOrganisationMembership())
        migrations.add(Migrations001.CreateActivationToken())
        migrations.add(Migrations001.CreateRecoveryCode())
        migrations.add(Migrations001.CreateLoginThrottle())
        migrations.add(SessionRecord.migration)
        // 002: key custody and encrypted case content.
        migrations.add(Migrations002.CreateCounsellorKey())
        migrations.add(Migrations002.CreateCase())
        migrations.add(Migrations002.CreateCaseKeyGrant())
        migrations.add(Migrations002.CreateCaseContent())
        migrations.add(Migrations002.ReplaceSessionStore())
        // 003: an organisation's own knowledge-base articles.
        migrations.add(Migrations003.CreateOrganisationArticle())
        // 004: one case per submitted contact form.
        migrations.add(Migrations004.CreateCaseSubmission())
        // 005: formal reports under the Wbk.
        migrations.add(Migrations005.AddReportDeadlines())
        // 006: the notification outbox.
        migrations.add(Migrations006.CreateOutgoingMail())
        // 007: attachments, counsellor profiles, the person's notification address, unwanted submissions.
        migrations.add(Migrations007.AddAttachmentSettings())
        migrations.add(Migrations007.AddCaseNotifications())
        migrations.add(Migrations007.CreateCounsellorProfile())
        // 008: the counsellor's back office — registration, retention, reminders, audit log.
        migrations.add(Migrations008.AddOrganisationTerms())
        migrations.add(Migrations008.AddCaseLifecycle())
        migrations.add(Migrations008.CreateCaseRegistration())
        migrations.add(Migrations008.CreateAuditEvent())
        // 009: the person's private journal.
        migrations.add(Migrations009.CreateJournal())
        // 010: yearly reports.
        migrations.add(Migrations010.CreateYearlyReport())
        migrations.add(Migrations010.AddOptionalBreakdowns())
    }
}
