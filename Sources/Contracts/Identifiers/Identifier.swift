/// A string that is its bytes: equal, hashed and ordered by its exact UTF-8 bytes, never normalised.
///
/// Swift's `String` compares by canonical equivalence (`"jos\u{E9}" == "jose\u{301}"`, `"\u{212A}" == "K"`),
/// while the stores, the HMAC of a subject ref and a vendor compare bytes. Everything that keys, caches or
/// deduplicates subject ids, member names, query names, purposes or vendor ids uses this type (DESIGN:
/// "Identifiers are their bytes"), so two byte-different identifiers are two identifiers everywhere.
public struct Identifier: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The identifier as text (its bytes are the identity).
    public let text: String

    public init(_ text: String) {
        self.text = text
    }

    public init(stringLiteral value: String) {
        self.text = value
    }

    public static func == (lhs: Identifier, rhs: Identifier) -> Bool {
        lhs.text.isBytewiseEqual(to: rhs.text)
    }

    public func hash(into hasher: inout Hasher) {
        var copy = text
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Byte order (UTF-8 code units), the order SQLite's BINARY collation and PostgreSQL's `C` use.
    public static func < (lhs: Identifier, rhs: Identifier) -> Bool {
        lhs.text.utf8.lexicographicallyPrecedes(rhs.text.utf8)
    }

    public var description: String { text }
}

extension String {
    /// Whether the two strings have the same UTF-8 bytes (not merely canonically equivalent text).
    public func isBytewiseEqual(to other: String) -> Bool {
        var lhs = self
        var rhs = other
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                left.count == right.count
                    && (left.count == 0 || left.elementsEqual(right))
            }
        }
    }
}

extension Sequence where Element == String {
    /// The strings without byte-identical repeats, in first-seen order (canonically equivalent but
    /// byte-different strings are both kept).
    public func uniquedByBytes() -> [String] {
        var seen: Set<Identifier> = []
        return filter { seen.insert(Identifier($0)).inserted }
    }
}
