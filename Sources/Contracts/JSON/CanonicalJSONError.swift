/// Why ``CanonicalJSON`` could not canonicalise a value.
///
/// Like ``JSONSyntaxError`` it carries no data from the value: only a stable ``kind`` slug.
public struct CanonicalJSONError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of problem was found. New codes may be added; switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case nonIntegerNumber = "non-integer-number"
            case numberOutOfRange = "number-out-of-range"
            case invalidNumber = "invalid-number"
            case duplicateKey = "duplicate-key"
        }

        private let value: Kind

        private init(_ value: Kind) {
            self.value = value
        }

        /// A number with a fractional part (the ledger never holds floats).
        public static let nonIntegerNumber = Code(.nonIntegerNumber)
        /// An integer beyond ±(2^53 − 1), which RFC 8785 cannot represent exactly.
        public static let numberOutOfRange = Code(.numberOutOfRange)
        /// A ``JSONNumber`` whose literal is not an RFC 8259 number.
        public static let invalidNumber = Code(.invalidNumber)
        /// An object with two members whose keys have the same UTF-16 code units.
        public static let duplicateKey = Code(.duplicateKey)

        /// A stable slug, e.g. `non-integer-number`.
        public var kind: String { value.rawValue }

        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code

    /// Creates an error.
    public init(_ code: Code) {
        self.code = code
    }

    /// A stable slug for the problem, e.g. `non-integer-number`.
    public var kind: String { code.kind }

    /// `cannot canonicalise JSON: <kind>` — never any data from the value.
    public var description: String { "cannot canonicalise JSON: \(code.kind)" }

    /// Whether the error has the given code.
    public static func == (error: CanonicalJSONError, code: Code) -> Bool {
        error.code == code
    }

    /// Lets `case .nonIntegerNumber:` match an error in a `switch`.
    public static func ~= (code: Code, error: CanonicalJSONError) -> Bool {
        error.code == code
    }
}
