/// A storage failure, with a stable code and a message that holds no personal value.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case notFound = "not-found"
            case conflict
            case unavailable
            case invalid
            case corrupt
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The thing asked for does not exist.
        public static let notFound = Code(.notFound)
        /// The change conflicts with the current state (e.g. an older version, the same approver).
        public static let conflict = Code(.conflict)
        /// The database cannot be reached or written (down, read-only, full, locked too long).
        public static let unavailable = Code(.unavailable)
        /// The input breaks a rule of the store.
        public static let invalid = Code(.invalid)
        /// What is stored does not hold together (e.g. the ledger's tree and checkpoints disagree).
        public static let corrupt = Code(.corrupt)

        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    /// The underlying error, kept for logs (its description is not shown to clients).
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { "\(code): \(message)" }
}
