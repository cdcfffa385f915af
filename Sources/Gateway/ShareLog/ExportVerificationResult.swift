/// The outcome of verifying a share-log export against a checkpoint.
public struct ExportVerificationResult: Equatable, Sendable, CustomStringConvertible {
    /// What failed, stable across releases.
    public enum Failure: String, Sendable {
        /// The checkpoint note did not verify (see ``checkpointError``).
        case checkpoint
        /// The export could not be read.
        case unreadable
        /// A line is not a JSON object.
        case malformedEntry = "malformed-entry"
        /// A line's `seq` is missing, not an integer, or not its line index.
        case sequence
        /// A line's `origin` is missing or not the checkpoint's origin.
        case origin
        /// The last line has no final newline.
        case unterminatedLine = "unterminated-line"
        /// The export has fewer lines than the checkpoint's tree size.
        case truncated
        /// The first N lines do not hash to the checkpoint's root.
        case rootMismatch = "root-mismatch"
    }

    /// nil when everything holds.
    public var failure: Failure?
    /// One line for people: what holds, or the first thing that does not.
    public var message: String
    /// Entries proven by the checkpoint: its tree size once the root matched, else 0.
    public var verifiedCount: Int
    /// Entries after the checkpoint's tree size (not yet covered by it), as far as read.
    public var uncoveredCount: Int
    /// For a per-line failure, the line's 0-based index (= the `seq` it should carry).
    public var line: Int?
    /// The verified checkpoint, when its signature held.
    public var checkpoint: Checkpoint?
    /// Why the checkpoint failed, for ``Failure/checkpoint``.
    public var checkpointError: CheckpointError?

    /// Whether everything holds.
    public var ok: Bool { failure == nil }

    public init(
        failure: Failure?,
        message: String,
        verifiedCount: Int,
        uncoveredCount: Int,
        line: Int? = nil,
        checkpoint: Checkpoint? = nil,
        checkpointError: CheckpointError? = nil
    ) {
        self.failure = failure
        self.message = message
        self.verifiedCount = verifiedCount
        self.uncoveredCount = uncoveredCount
        self.line = line
        self.checkpoint = checkpoint
        self.checkpointError = checkpointError
    }

    public var description: String { (ok ? "OK: " : "FAILED: ") + message }
}
