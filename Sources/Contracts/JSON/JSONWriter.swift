/// Compact JSON serialisation of a ``JSONValue``: no whitespace, members in their stored order.
///
/// Strings escape `"`, `\` and the control characters U+0000...U+001F (as `\b \f \n \r \t`, others as
/// `\u00xx` with lowercase hex); every other character is written as literal UTF-8. Numbers are written as
/// their ``JSONNumber/literal`` (the reader only produces valid literals; ``JSONNumber/init(_:)`` too).
/// The output re-parses with ``JSONReader`` to an equal value (for values the reader could have produced).
///
/// The writer fills one growable buffer through a pointer in a single pass, copying runs of string bytes
/// that need no escaping (found eight bytes at a time) in one go.
public enum JSONWriter {
    /// The compact serialisation of `value`.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var sink = JSONByteSink(capacity: 1024)
        emit(value, into: &sink)
        return sink.bytes()
    }

    /// Appends the compact serialisation of `value` to `buffer`.
    public static func write(_ value: JSONValue, into buffer: inout [UInt8]) {
        var sink = JSONByteSink(capacity: 1024)
        emit(value, into: &sink)
        sink.append(to: &buffer)
    }

    /// Appends `string` as a JSON string literal. The escaping is also exactly RFC 8785's (JCS).
    static func writeString(_ string: String, into buffer: inout [UInt8]) {
        var sink = JSONByteSink(capacity: string.utf8.count + 16)
        emitString(string, into: &sink)
        sink.append(to: &buffer)
    }

    /// Calls `body` with the string's UTF-8 bytes, without copying native or small strings.
    @inline(__always)
    private static func withUTF8<R>(_ string: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = string.utf8.withContiguousStorageIfAvailable(body) {
            return result
        }
        var copy = string
        return copy.withUTF8(body)
    }

    /// How many bytes from `start` need no escaping, checked eight at a time.
    @inline(__always)
    private static func cleanPrefixLength(_ utf8: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        let count = utf8.count
        let base = UnsafeRawPointer(utf8.baseAddress!)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= count {
            // Byte k of the string is bits 8k...8k+7 of `word`, whatever the platform's byte order.
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let special =
                ((word &- ones &* 0x20) & ~word & highs)
                | ((quote &- ones) & ~quote & highs)
                | ((backslash &- ones) & ~backslash & highs)
            if special != 0 {
                // The lowest flagged byte is always a real match (borrows only propagate upwards).
                return i + special.trailingZeroBitCount / 8
            }
            i += 8
        }
        while i < count {
            let byte = utf8[i]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
            i += 1
        }
        return i
    }

    // MARK: - Emitting

    private static func emit(_ value: JSONValue, into sink: inout JSONByteSink) {
        switch value {
        case .null:
            sink.append("null")
        case .bool(let flag):
            sink.append(flag ? "true" : "false")
        case .number(let number):
            withUTF8(number.literal) { sink.append($0) }
        case .string(let string):
            emitString(string, into: &sink)
        case .array(let elements):
            sink.append(UInt8(ascii: "["))
            elements.withUnsafeBufferPointer { elements in
                for index in elements.indices {
                    if index > 0 { sink.append(UInt8(ascii: ",")) }
                    emit(elements[index], into: &sink)
                }
            }
            sink.append(UInt8(ascii: "]"))
        case .object(let members):
            sink.append(UInt8(ascii: "{"))
            members.withUnsafeBufferPointer { members in
                for index in members.indices {
                    if index > 0 { sink.append(UInt8(ascii: ",")) }
                    emitString(members[index].key, into: &sink)
                    sink.append(UInt8(ascii: ":"))
                    emit(members[index].value, into: &sink)
                }
            }
            sink.append(UInt8(ascii: "}"))
        }
    }

    private static func emitString(_ string: String, into sink: inout JSONByteSink) {
        withUTF8(string) { utf8 in
            // Room for the worst case (every byte as \u00xx) plus the quotes.
            sink.reserve(utf8.count * 6 + 2)
            sink.appendUnchecked(UInt8(ascii: "\""))
            if let source = utf8.baseAddress {
                var i = 0
                while true {
                    let clean = cleanPrefixLength(utf8, from: i)
                    sink.appendUnchecked(UnsafeBufferPointer(start: source + i, count: clean - i))
                    guard clean < utf8.count else { break }
                    emitEscape(utf8[clean], into: &sink)
                    i = clean + 1
                }
            }
            sink.appendUnchecked(UInt8(ascii: "\""))
        }
    }

    /// Writes the escape for `byte` (a quote, a backslash or a control character); room is reserved.
    private static func emitEscape(_ byte: UInt8, into sink: inout JSONByteSink) {
        sink.appendUnchecked(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): sink.appendUnchecked(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): sink.appendUnchecked(UInt8(ascii: "\\"))
        case 0x08: sink.appendUnchecked(UInt8(ascii: "b"))
        case 0x0C: sink.appendUnchecked(UInt8(ascii: "f"))
        case 0x0A: sink.appendUnchecked(UInt8(ascii: "n"))
        case 0x0D: sink.appendUnchecked(UInt8(ascii: "r"))
        case 0x09: sink.appendUnchecked(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            sink.appendUnchecked(UInt8(ascii: "u"))
            sink.appendUnchecked(UInt8(ascii: "0"))
            sink.appendUnchecked(UInt8(ascii: "0"))
            sink.appendUnchecked(hex.utf8Start[Int(byte >> 4)])
            sink.appendUnchecked(hex.utf8Start[Int(byte & 0x0F)])
        }
    }
}
