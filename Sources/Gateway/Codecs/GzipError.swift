/// Why ``GzipDecoder`` refused a `Content-Encoding: gzip` body.
///
/// Carries no byte of the input or output: only a stable ``kind`` slug.
public struct GzipError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of problem was found. New codes may be added; switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case notGzip = "not-gzip"
            case corrupt = "corrupt"
            case truncated = "truncated"
            case tooLarge = "too-large"
            case ratioExceeded = "ratio-exceeded"
            case trailingData = "trailing-data"
            case zlibFailure = "zlib-failure"
        }

        private let value: Kind

        private init(_ value: Kind) {
            self.value = value
        }

        /// The input does not start with the gzip magic bytes (1F 8B).
        public static let notGzip = Code(.notGzip)
        /// zlib found invalid deflate data, an unsupported header, or a CRC or length mismatch.
        public static let corrupt = Code(.corrupt)
        /// The input ends before the end of the gzip member.
        public static let truncated = Code(.truncated)
        /// The decompressed output would exceed `maxOutputBytes`.
        public static let tooLarge = Code(.tooLarge)
        /// The decompressed output would exceed `maxRatio` times the input size.
        public static let ratioExceeded = Code(.ratioExceeded)
        /// Bytes (such as a second gzip member) follow the end of the first member.
        public static let trailingData = Code(.trailingData)
        /// zlib could not be initialised (out of memory, version mismatch).
        public static let zlibFailure = Code(.zlibFailure)

        /// A stable slug, e.g. `too-large`.
        public var kind: String { value.rawValue }

        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code

    /// Creates an error; used by the decoder.
    public init(_ code: Code) {
        self.code = code
    }

    /// A stable slug for the problem, e.g. `too-large`.
    public var kind: String { code.kind }

    /// `invalid gzip body: <kind>` — never any data.
    public var description: String { "invalid gzip body: \(code.kind)" }

    /// Whether the error has the given code.
    public static func == (error: GzipError, code: Code) -> Bool {
        error.code == code
    }

    /// Lets `case .tooLarge:` match an error in a `switch`.
    public static func ~= (code: Code, error: GzipError) -> Bool {
        error.code == code
    }
}
