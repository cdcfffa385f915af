import Contracts

/// `application/x-www-form-urlencoded` bodies and query strings, strictly.
///
/// Parsing splits on `&`, then each pair at its first `=`; `+` means a space and `%XX` a byte.
/// Refused: invalid percent escapes (`%zz`, `%4`), keys or values that are not UTF-8 once decoded,
/// repeated keys (after decoding), bracketed keys (`a[b]`, `a[]`, also `a%5Bb%5D`), empty keys (`=v`),
/// empty pairs (`a=1&&b=2`, a leading or trailing `&`), more pairs than allowed.
/// A pair without `=` is a key with an empty value; an empty body has no members.
public enum FormCodec {
    /// Parses a form body into members with `.string` values, in body order.
    ///
    /// - Parameters:
    ///   - bytes: the body (or a query string without its `?`).
    ///   - maxPairs: the most pairs accepted.
    /// - Throws: ``FormSyntaxError`` naming the problem and its byte offset (never the input itself).
    public static func parse(_ bytes: [UInt8], maxPairs: Int = 1000) throws(FormSyntaxError) -> [JSONMember] {
        guard !bytes.isEmpty else { return [] }
        var members: [JSONMember] = []
        var keys: Set<Identifier> = []
        var scratch: [UInt8] = []
        var pairStart = 0
        while true {
            var pairEnd = pairStart
            var equals: Int?
            while pairEnd < bytes.count, bytes[pairEnd] != UInt8(ascii: "&") {
                if equals == nil, bytes[pairEnd] == UInt8(ascii: "=") { equals = pairEnd }
                pairEnd += 1
            }
            guard pairEnd > pairStart else { throw FormSyntaxError(.emptyPair, offset: pairStart) }
            guard members.count < maxPairs else { throw FormSyntaxError(.tooManyPairs, offset: pairStart) }
            let keyEnd = equals ?? pairEnd
            guard keyEnd > pairStart else { throw FormSyntaxError(.emptyKey, offset: pairStart) }
            let key = try decode(bytes, pairStart..<keyEnd, scratch: &scratch)
            if key.utf8.contains(where: { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]") }) {
                throw FormSyntaxError(.bracketedKey, offset: pairStart)
            }
            guard keys.insert(Identifier(key)).inserted else { throw FormSyntaxError(.duplicateKey, offset: pairStart) }
            var value = ""
            if let equals {
                value = try decode(bytes, (equals + 1)..<pairEnd, scratch: &scratch)
            }
            members.append(JSONMember(key, .string(value)))
            if pairEnd == bytes.count { return members }
            pairStart = pairEnd + 1
        }
    }

    /// Writes members as a form body: `key=value` pairs joined by `&`, percent-encoding every byte but
    /// ALPHA, DIGIT and `*-._`, with space as `+`. String values are written as they are; other values
    /// as their compact JSON text (``Contracts/JSONWriter``), e.g. `n=12`, `ok=true`, `list=%5B1%2C2%5D`.
    public static func bytes(_ members: [JSONMember]) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(members.count * 24)
        for (index, member) in members.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "&")) }
            encode(member.key.utf8, into: &buffer)
            buffer.append(UInt8(ascii: "="))
            switch member.value {
            case .string(let string):
                encode(string.utf8, into: &buffer)
            case .number(let number):
                encode(number.literal.utf8, into: &buffer)
            default:
                encode(JSONWriter.bytes(member.value), into: &buffer)
            }
        }
        return buffer
    }

    // MARK: - Decoding

    /// Percent- and plus-decodes `bytes[range]` and validates the result as UTF-8.
    private static func decode(
        _ bytes: [UInt8],
        _ range: Range<Int>,
        scratch: inout [UInt8]
    ) throws(FormSyntaxError) -> String {
        let slice = bytes[range]
        if !slice.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            guard let string = String(validating: slice, as: UTF8.self) else {
                throw FormSyntaxError(.invalidUTF8, offset: range.lowerBound)
            }
            return string
        }
        scratch.removeAll(keepingCapacity: true)
        var i = range.lowerBound
        while i < range.upperBound {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "+"):
                scratch.append(UInt8(ascii: " "))
                i += 1
            case UInt8(ascii: "%"):
                guard i + 3 <= range.upperBound,
                    let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2])
                else { throw FormSyntaxError(.invalidPercentEscape, offset: i) }
                scratch.append(high << 4 | low)
                i += 3
            default:
                scratch.append(byte)
                i += 1
            }
        }
        guard let string = String(validating: scratch, as: UTF8.self) else {
            throw FormSyntaxError(.invalidUTF8, offset: range.lowerBound)
        }
        return string
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: - Encoding

    private static func encode(_ bytes: some Sequence<UInt8>, into buffer: inout [UInt8]) {
        let hex: StaticString = "0123456789ABCDEF"
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                buffer.append(byte)
            case UInt8(ascii: " "):
                buffer.append(UInt8(ascii: "+"))
            default:
                buffer.append(UInt8(ascii: "%"))
                buffer.append(hex.utf8Start[Int(byte >> 4)])
                buffer.append(hex.utf8Start[Int(byte & 0x0F)])
            }
        }
    }
}
