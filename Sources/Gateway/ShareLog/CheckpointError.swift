/// Why a signed note, checkpoint or note key was rejected.
///
/// ``code`` is stable and meant for programs (tests, API problem types, exit
/// statuses); ``message`` is for people.
public struct CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public enum Code: String, Sendable {
        /// The note is not a C2SP signed note: not UTF-8, control characters,
        /// no blank line before the signatures, a malformed signature line.
        case malformedNote = "malformed-note"
        /// The signed text is not a C2SP tlog-checkpoint body.
        case malformedCheckpoint = "malformed-checkpoint"
        /// A verifier or signer key string is malformed.
        case malformedKey = "malformed-key"
        /// A key name or origin cannot be used (empty, spaces, `+`, newline).
        case invalidName = "invalid-name"
        /// The note carries no signature by the expected key (name and key ID).
        case unknownKey = "unknown-key"
        /// The note has a signature line for the expected key, but it does not verify.
        case badSignature = "bad-signature"
        /// The checkpoint's origin is not the log the key belongs to.
        case originMismatch = "origin-mismatch"
    }

    /// The reason, stable across releases.
    public var code: Code
    /// A human-readable explanation.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
