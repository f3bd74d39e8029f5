/// Why a piece of protected data could not be opened. Deliberately coarse: a caller learns that
/// it failed and roughly why, never anything about the plaintext or the key.
public enum CryptoFailure: Error, Equatable, Sendable {
    /// Authentication failed: wrong key, wrong associated data, tampered or moved ciphertext.
    case cannotOpen
    /// The passphrase (password, recovery code, receipt) does not unlock this key.
    case wrongPassphrase
    /// The stored form is not one this version writes.
    case malformed
}
