import Foundation
import VertrouwdCore

/// A reason the process cannot start that the operator can fix: a setting, a file, a directory.
/// `vertrouwd` prints its description on one line of standard error and exits with code 1, with no
/// backtrace and no log noise around it. The description names what to change, never a secret.
public protocol StartupProblem: Error, CustomStringConvertible, Sendable {}

extension AppSettings.Failure: StartupProblem {}
extension InstanceSecret.Failure: StartupProblem {}
extension Synonyms.Failure: StartupProblem {}
