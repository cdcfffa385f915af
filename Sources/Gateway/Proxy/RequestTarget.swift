import Contracts

/// A data-plane request target, `/vendors/{vendorId}/{path}?{query}`, read strictly.
///
/// Anything a parser could read two ways is refused: absolute-form targets, percent-encoded or dot segments
/// (`%2e`, `%2f`, `%5c`, `.`, `..`), empty segments (`//`), backslashes, control or non-ASCII bytes. The
/// vendor-relative path is then matched exactly against the agreement's declared operations; the query is
/// decoded like a form body (repeated or bracketed names refused).
public struct RequestTarget: Sendable, Hashable {
    public var vendorID: String
    /// The vendor-relative path, starting with `/`.
    public var path: String
    public var query: [JSONMember]

    /// Why a target was refused.
    public enum Refusal: Error, Sendable, Equatable {
        case notAProxyPath
        case invalidPath(String)
        case invalidQuery(String)
    }

    public static let prefix = "/vendors/"

    public init(parsing target: String, maxQueryPairs: Int = 100) throws(Refusal) {
        let bytes = Array(target.utf8)
        guard bytes.first == UInt8(ascii: "/") else {
            throw .invalidPath("the request target must be origin-form (start with /), not absolute-form")
        }
        let queryStart = bytes.firstIndex(of: UInt8(ascii: "?"))
        let pathBytes = bytes[..<(queryStart ?? bytes.endIndex)]
        for byte in pathBytes {
            switch byte {
            case UInt8(ascii: "%"):
                throw .invalidPath("percent-encoded bytes are not allowed in the path")
            case UInt8(ascii: "\\"):
                throw .invalidPath("backslashes are not allowed in the path")
            case UInt8(ascii: "#"):
                throw .invalidPath("fragments are not allowed")
            case 0..<0x21, 0x7F...:
                throw .invalidPath("control, space or non-ASCII bytes are not allowed in the path")
            default:
                continue
            }
        }
        let path = String(decoding: pathBytes, as: UTF8.self)
        guard path.hasPrefix(Self.prefix) else { throw .notAProxyPath }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments where segment.isEmpty || segment == "." || segment == ".." {
            throw .invalidPath("empty, `.` or `..` path segments are not allowed")
        }
        guard segments.count >= 3 else {
            throw .invalidPath("the path must be /vendors/{vendorId}/{operation path}")
        }
        let vendorID = String(segments[1])
        guard Self.isIdentifier(vendorID) else { throw .invalidPath("the vendor id is not a valid id") }
        self.vendorID = vendorID
        self.path = "/" + segments.dropFirst(2).joined(separator: "/")
        if let queryStart {
            let queryBytes = Array(bytes[(queryStart + 1)...])
            if queryBytes.contains(UInt8(ascii: "#")) { throw .invalidQuery("fragments are not allowed") }
            do {
                self.query = try FormCodec.parse(queryBytes, maxPairs: maxQueryPairs)
            } catch {
                throw .invalidQuery("the query string is malformed (\(error))")
            }
        } else {
            self.query = []
        }
    }

    /// Agreement and vendor ids: `[a-z0-9][a-z0-9._-]{0,63}`.
    public static func isIdentifier(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard let first = utf8.first, utf8.count <= 64,
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return false }
        return utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}
