/// A JSON value as the gateway inspects it.
///
/// Objects keep their members in document order (the reader refuses duplicate keys, so keys are unique);
/// numbers keep the exact literal text they were read from, so re-serialising never changes a number.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])
}

/// One member of a JSON object.
public struct JSONMember: Sendable, Hashable {
    public var key: String
    public var value: JSONValue

    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON number, kept as its RFC 8259 literal text.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The literal, e.g. `-12`, `3.5e10`. Always a valid RFC 8259 number.
    public let literal: String

    /// Wraps a literal the caller has already validated (the reader does).
    public init(uncheckedLiteral literal: String) {
        self.literal = literal
    }

    /// An integer number.
    public init(_ value: Int) {
        self.literal = String(value)
    }

    /// The value as an `Int`, when the literal is a plain integer (no fraction, no exponent) that fits.
    public var intValue: Int? {
        Int(literal)
    }

    public var description: String { literal }
}

extension JSONValue {
    /// The member named `key` (byte for byte), when this is an object that has one.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for member in members where member.key.isBytewiseEqual(to: key) {
            return member.value
        }
        return nil
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }
}
