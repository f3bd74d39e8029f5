/// What an audit entry records. The raw value is what the log stores and what its hash covers, so
/// none may be renamed; each has a translation (`audit.action.<raw>`) for the case's history.
public enum AuditAction: String, Sendable, Codable, CaseIterable {
    case login
    case loginFailed = "login-failed"
    case keyUnlock = "key-unlock"
    case keyReplace = "key-replace"
    case keyRecover = "key-recover"
    case keyGrant = "key-grant"
    case keyRevoke = "key-revoke"
    case caseRead = "case-read"
    case caseExport = "case-export"
    case caseReply = "case-reply"
    case caseAcknowledge = "case-acknowledge"
    case caseFeedback = "case-feedback"
    case caseNote = "case-note"
    case caseConsent = "case-consent"
    case caseReferral = "case-referral"
    case caseSignal = "case-signal"
    case caseRegister = "case-register"
    case caseStatus = "case-status"
    case caseClose = "case-close"
    case caseReopen = "case-reopen"
    case caseWithdraw = "case-withdraw"
    case caseTransfer = "case-transfer"
    case caseRemove = "case-remove"
    case casePurge = "case-purge"
    case journalShare = "journal-share"
    case matchConfirm = "match-confirm"
    case reportRelease = "report-release"
    case reportCorrect = "report-correct"
}

extension AuditAction {
    public var translationKey: String { "audit.action.\(rawValue)" }
}
