import Fluent
import Vapor

/// Namespace of the first schema version.
enum Migrations001 {}

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
    }
}
