/// Why ``FormCodec`` refused an `application/x-www-form-urlencoded` body, and where.
///
/// Like ``Contracts/JSONSyntaxError`` it carries no byte of the input (form bodies are personal data):
/// only a stable ``kind`` slug and the byte ``offset`` of the offending pair or escape.
public struct FormSyntaxError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of problem was found. New codes may be added; switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case invalidPercentEscape = "invalid-percent-escape"
            case invalidUTF8 = "invalid-utf8"
            case duplicateKey = "duplicate-key"
            case bracketedKey = "bracketed-key"
            case emptyKey = "empty-key"
            case emptyPair = "empty-pair"
            case tooManyPairs = "too-many-pairs"
        }

        private let value: Kind

        private init(_ value: Kind) {
            self.value = value
        }

        /// A `%` not followed by two hex digits (`%zz`, `%4`).
        public static let invalidPercentEscape = Code(.invalidPercentEscape)
        /// A key or value that is not valid UTF-8 once percent-decoded.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// The same key twice (compared after decoding, with Swift `String` equality).
        public static let duplicateKey = Code(.duplicateKey)
        /// A key with `[` or `]` (raw or percent-encoded): nested/array keys (`a[b]`, `a[]`) are not supported.
        public static let bracketedKey = Code(.bracketedKey)
        /// A pair with an empty key (`=v`, `=`).
        public static let emptyKey = Code(.emptyKey)
        /// An empty pair: `&&`, or a leading or trailing `&`.
        public static let emptyPair = Code(.emptyPair)
        /// More pairs than the caller allows.
        public static let tooManyPairs = Code(.tooManyPairs)

        /// A stable slug, e.g. `duplicate-key`.
        public var kind: String { value.rawValue }

        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The byte offset in the input of the offending pair or escape.
    public let offset: Int

    /// Creates an error; used by the codec.
    public init(_ code: Code, offset: Int) {
        self.code = code
        self.offset = offset
    }

    /// A stable slug for the problem, e.g. `duplicate-key`.
    public var kind: String { code.kind }

    /// `invalid form body: <kind> at byte <offset>` — never any input text.
    public var description: String { "invalid form body: \(code.kind) at byte \(offset)" }

    /// Whether the error has the given code, whatever its offset.
    public static func == (error: FormSyntaxError, code: Code) -> Bool {
        error.code == code
    }

    /// Whether the error has the given code, whatever its offset.
    public static func != (error: FormSyntaxError, code: Code) -> Bool {
        error.code != code
    }

    /// Lets `case .duplicateKey:` match an error in a `switch`.
    public static func ~= (code: Code, error: FormSyntaxError) -> Bool {
        error.code == code
    }
}
