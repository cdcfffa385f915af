/// Why ``JSONReader`` refused a document, and where.
///
/// The error deliberately carries no byte of the input (request bodies are personal data):
/// only a stable ``kind`` slug and the byte ``offset`` at which the problem was found.
/// Its ``description`` is safe to log.
///
/// Compare with a code: `error.code == .duplicateKey`, `error == .duplicateKey`,
/// or `catch let error where error == .depthLimit`.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of problem was found. New codes may be added; switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case invalidUTF8 = "invalid-utf8"
            case loneSurrogate = "lone-surrogate"
            case duplicateKey = "duplicate-key"
            case trailingComma = "trailing-comma"
            case depthLimit = "depth-limit"
            case numberOutOfRange = "number-out-of-range"
            case invalidNumber = "invalid-number"
            case trailingGarbage = "trailing-garbage"
            case unexpectedEnd = "unexpected-end"
            case unexpectedByte = "unexpected-byte"
            case invalidEscape = "invalid-escape"
            case controlCharacter = "control-character"
            case byteOrderMark = "byte-order-mark"
            case tooLarge = "too-large"
        }

        private let value: Kind

        private init(_ value: Kind) {
            self.value = value
        }

        /// The input is not well-formed UTF-8 (overlong, encoded surrogate, above U+10FFFF, truncated, stray byte).
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A `\u` escape names a surrogate that is not part of a high-then-low pair.
        public static let loneSurrogate = Code(.loneSurrogate)
        /// An object names the same key twice (compared after unescaping, with Swift `String` equality).
        public static let duplicateKey = Code(.duplicateKey)
        /// A `,` directly before `]` or `}`.
        public static let trailingComma = Code(.trailingComma)
        /// Containers nested deeper than ``JSONReader/Limits/maxDepth``.
        public static let depthLimit = Code(.depthLimit)
        /// A number whose magnitude rounds to infinity as a `Double` (e.g. `1e400`).
        public static let numberOutOfRange = Code(.numberOutOfRange)
        /// A number that does not follow the RFC 8259 grammar (`01`, `1.`, `.5`, `+1`, `1e`, `-`).
        public static let invalidNumber = Code(.invalidNumber)
        /// Something other than whitespace after the top-level value.
        public static let trailingGarbage = Code(.trailingGarbage)
        /// The input ends inside a value (or is empty).
        public static let unexpectedEnd = Code(.unexpectedEnd)
        /// A byte that cannot start or continue the value at this point (comments, single quotes, bare words...).
        public static let unexpectedByte = Code(.unexpectedByte)
        /// A backslash escape that RFC 8259 does not define, or a malformed `\u` escape.
        public static let invalidEscape = Code(.invalidEscape)
        /// An unescaped control character (U+0000...U+001F) inside a string.
        public static let controlCharacter = Code(.controlCharacter)
        /// The input starts with a byte order mark (UTF-8, UTF-16 or UTF-32).
        public static let byteOrderMark = Code(.byteOrderMark)
        /// A string, number literal or container beyond ``JSONReader/Limits``.
        public static let tooLarge = Code(.tooLarge)

        /// A stable slug, e.g. `duplicate-key`.
        public var kind: String { value.rawValue }

        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The byte offset in the input at which the problem was detected.
    public let offset: Int

    /// Creates an error; used by the reader.
    public init(_ code: Code, offset: Int) {
        self.code = code
        self.offset = offset
    }

    /// A stable slug for the problem, e.g. `duplicate-key`.
    public var kind: String { code.kind }

    /// `invalid JSON: <kind> at byte <offset>` — never any input text.
    public var description: String { "invalid JSON: \(code.kind) at byte \(offset)" }

    /// Whether the error has the given code, whatever its offset.
    public static func == (error: JSONSyntaxError, code: Code) -> Bool {
        error.code == code
    }

    /// Whether the error has the given code, whatever its offset.
    public static func != (error: JSONSyntaxError, code: Code) -> Bool {
        error.code != code
    }

    /// Lets `case .duplicateKey:` match an error in a `switch`.
    public static func ~= (code: Code, error: JSONSyntaxError) -> Bool {
        error.code == code
    }
}
