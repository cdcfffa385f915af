/// A strict RFC 8259 JSON parser working directly on UTF-8 bytes, in a single pass.
///
/// What it refuses, beyond the grammar:
/// - invalid UTF-8 anywhere (overlong forms, UTF-8-encoded surrogates, code points above U+10FFFF,
///   truncated sequences, stray continuation bytes), and any byte order mark;
/// - `\u` escapes that name a lone or inverted surrogate (`\ud800`, `\udc00\ud800`);
/// - duplicate object keys, compared byte for byte after unescaping (identifiers are their bytes:
///   canonically equivalent keys such as `"\u00e9"` and `"e\u0301"` are two keys, `"\u0065"` and `"e"` one);
/// - unescaped control characters in strings, unknown escapes, comments, single quotes, trailing commas,
///   leading zeros, `+1`, `.5`, `1.`, `NaN`, `Infinity`, and anything but whitespace after the value;
/// - containers nested deeper than ``Limits/maxDepth``, strings (and number literals) longer than
///   ``Limits/maxStringBytes`` UTF-8 bytes, containers with more than ``Limits/maxMembers`` entries.
///
/// Numbers: the literal is kept exactly (``JSONNumber/literal``). A number is refused
/// (``JSONSyntaxError/Code/numberOutOfRange``) only when its magnitude rounds to infinity as a `Double`
/// (`1e400`, `-1e400`, an integer of more than 309 digits). Underflow is accepted: `1e-400` is kept as
/// written (it would read as `0` if converted). Integers beyond `Int`/2^53 but within `Double` range
/// are accepted and kept exactly (``JSONNumber/intValue`` is then `nil`).
///
/// The parser never recurses: nesting is tracked on an explicit stack bounded by ``Limits/maxDepth``,
/// so hostile nesting (100,000 `[`) is refused at the first level beyond the limit.
/// A top-level scalar (`"a"`, `1`, `null`) is a valid document.
public enum JSONReader {
    /// Resource bounds applied while parsing.
    public struct Limits: Sendable, Hashable {
        /// The deepest allowed nesting of arrays and objects (a top-level container is depth 1).
        public var maxDepth: Int
        /// The longest allowed string (key or value) in UTF-8 bytes after unescaping; also bounds number literals.
        public var maxStringBytes: Int
        /// The most elements an array, or members an object, may have.
        public var maxMembers: Int

        /// Creates limits; the defaults are 64 levels, 1 MiB strings and 100,000 members per container.
        public init(maxDepth: Int = 64, maxStringBytes: Int = 1 << 20, maxMembers: Int = 100_000) {
            self.maxDepth = maxDepth
            self.maxStringBytes = maxStringBytes
            self.maxMembers = maxMembers
        }
    }

    /// Parses one JSON document (RFC 8259) from UTF-8 bytes.
    ///
    /// - Parameters:
    ///   - bytes: the whole document; whitespace is allowed around the value, nothing else.
    ///   - limits: resource bounds.
    /// - Returns: the value, with object members in document order and number literals kept exactly.
    /// - Throws: ``JSONSyntaxError`` naming the problem and its byte offset (never the input itself).
    public static func parse(_ bytes: [UInt8], limits: Limits = .init()) throws(JSONSyntaxError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) -> JSONValue in
            guard let base = buffer.baseAddress, !buffer.isEmpty else {
                throw JSONSyntaxError(.unexpectedEnd, offset: 0)
            }
            var parser = JSONParser(base: base, count: buffer.count, limits: limits)
            return try parser.parseDocument()
        }
    }
}
