/// RFC 8785 JSON Canonicalization Scheme (JCS) for the values the gateway signs and hashes.
///
/// - Object members are sorted by their keys' UTF-16 code units (RFC 8785 §3.2.3), recursively;
///   array order is kept.
/// - No whitespace.
/// - Strings are escaped as ECMAScript `JSON.stringify` does: `\"`, `\\`, `\b \f \n \r \t`, other
///   characters below U+0020 as `\u00xx` (lowercase hex), everything else (including U+2028, U+2029
///   and non-characters) as literal UTF-8.
/// - Numbers: only integers within ±(2^53 − 1) are supported, written in plain decimal (no leading zeros,
///   no exponent, `-0` as `0`). A literal with a fraction or an exponent is accepted when its value is
///   such an integer (`1.0`, `1e2` are written `1`, `100`, as ES6 would). Any other number throws
///   (``CanonicalJSONError/Code/nonIntegerNumber`` or ``CanonicalJSONError/Code/numberOutOfRange``):
///   the ledger never holds floats.
public enum CanonicalJSON {
    /// The RFC 8785 canonical UTF-8 bytes of `value`.
    public static func bytes(_ value: JSONValue) throws(CanonicalJSONError) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        try write(value, into: &buffer)
        return buffer
    }

    private static func write(_ value: JSONValue, into buffer: inout [UInt8]) throws(CanonicalJSONError) {
        switch value {
        case .null, .bool, .string:
            JSONWriter.write(value, into: &buffer)
        case .number(let number):
            let integer = try CanonicalInteger.parse(number.literal)
            buffer.append(contentsOf: String(integer).utf8)
        case .array(let elements):
            buffer.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                try write(element, into: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let members):
            let sorted = members.sorted { keyPrecedes($0.key, $1.key) }
            buffer.append(UInt8(ascii: "{"))
            var previous: String?
            for member in sorted {
                if let previous {
                    if previous.isBytewiseEqual(to: member.key) {
                        throw CanonicalJSONError(.duplicateKey)
                    }
                    buffer.append(UInt8(ascii: ","))
                }
                previous = member.key
                JSONWriter.writeString(member.key, into: &buffer)
                buffer.append(UInt8(ascii: ":"))
                try write(member.value, into: &buffer)
            }
            buffer.append(UInt8(ascii: "}"))
        }
    }

    /// RFC 8785 member order: by UTF-16 code units. UTF-8 byte order is code-point order, which is the same
    /// as UTF-16 order except between U+E000...U+FFFF and supplementary characters; so the bytes decide
    /// unless one key holds a lead byte 0xEE or above, where the UTF-16 code units are compared instead.
    /// (Swift's native strings are UTF-8: walking their UTF-16 view transcodes, and showed in profiles.)
    public static func keyPrecedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        let fast = a.withUTF8 { x in
            b.withUTF8 { y -> Bool? in
                let count = min(x.count, y.count)
                var index = 0
                while index < count {
                    let p = x[index]
                    let q = y[index]
                    if p != q {
                        if p >= 0xEE || q >= 0xEE { return nil }
                        return p < q
                    }
                    index += 1
                }
                return x.count < y.count
            }
        }
        return fast ?? a.utf16.lexicographicallyPrecedes(b.utf16)
    }
}
