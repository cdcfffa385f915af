/// A strict RFC 8259 JSON validator for one export line that extracts the
/// top-level `seq` and `origin` members, for diagnostics.
///
/// It works in place on the line's bytes and allocates only for the `origin`
/// value (and for member names that contain escapes), so a million-line export
/// scans in well under a second. Nesting deeper than ``maximumDepth`` is
/// rejected. The root hash check never depends on it: leaves are the raw line
/// bytes.
struct ExportEntryScanner {
    /// What a line says about itself.
    struct Fields {
        enum Seq: Equatable {
            case missing
            case integer(Int)
            /// An integer outside `Int`'s range; the digits as written.
            case outOfRange(String)
            case notInteger
        }

        enum Origin: Equatable {
            case missing
            case string([UInt8])
            case notString
        }

        var seq: Seq = .missing
        var origin: Origin = .missing
        /// The first of `seq`/`origin` that appears twice at the top level.
        var duplicate: String?
    }

    /// Why a line is not a JSON object.
    enum Failure: Error, Equatable {
        case invalid(String)
        case notAnObject
    }

    /// Deeper nesting is rejected (entries nest three levels at most).
    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Validates `line` (without its newline) and returns its `seq` and `origin`.
    static func scan(_ line: UnsafeRawBufferPointer) throws(Failure) -> Fields {
        var scanner = ExportEntryScanner(line.assumingMemoryBound(to: UInt8.self))
        return try scanner.scanEntry()
    }

    private static let seqKey: StaticString = "seq"
    private static let originKey: StaticString = "origin"

    /// A scanned string: the bytes between the quotes, and whether they hold escapes.
    private struct Token {
        var start: Int
        var end: Int
        var escaped: Bool
    }

    private var atEnd: Bool { position >= bytes.count }
    private var current: UInt8 { bytes[position] }

    @inline(__always)
    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0a, 0x0d: position += 1
            default: return
            }
        }
    }

    private func invalid(_ what: String) -> Failure { .invalid("\(what) at byte \(position)") }

    @inline(__always)
    private mutating func expect(_ byte: UInt8, _ what: StaticString) throws(Failure) {
        guard !atEnd, current == byte else { throw invalid("expected \(what.description)") }
        position += 1
    }

    @inline(__always)
    private func matches(_ token: Token, _ expected: StaticString) -> Bool {
        let count = expected.utf8CodeUnitCount
        if token.escaped {
            return decode(token).elementsEqual(UnsafeBufferPointer(start: expected.utf8Start, count: count))
        }
        guard token.end - token.start == count else { return false }
        for k in 0..<count where bytes[token.start + k] != expected.utf8Start[k] { return false }
        return true
    }

    private mutating func scanEntry() throws(Failure) -> Fields {
        var fields = Fields()
        skipWhitespace()
        guard !atEnd, current == UInt8(ascii: "{") else {
            // Valid JSON that is not an object, or not JSON at all.
            try skipValue(depth: 0)
            skipWhitespace()
            guard atEnd else { throw invalid("unexpected data after the value") }
            throw .notAnObject
        }
        position += 1
        skipWhitespace()
        if !atEnd, current == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                let key = try scanString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':'")
                skipWhitespace()
                if matches(key, Self.seqKey) {
                    if fields.seq != .missing, fields.duplicate == nil { fields.duplicate = "seq" }
                    fields.seq = try scanSeq()
                } else if matches(key, Self.originKey) {
                    if fields.origin != .missing, fields.duplicate == nil { fields.duplicate = "origin" }
                    if !atEnd, current == UInt8(ascii: "\"") {
                        fields.origin = .string(decode(try scanString()))
                    } else {
                        try skipValue(depth: 1)
                        fields.origin = .notString
                    }
                } else {
                    try skipValue(depth: 1)
                }
                skipWhitespace()
                guard !atEnd else { throw invalid("unterminated object") }
                if current == UInt8(ascii: ",") {
                    position += 1
                    skipWhitespace()
                    continue
                }
                try expect(UInt8(ascii: "}"), "',' or '}'")
                break
            }
        }
        skipWhitespace()
        guard atEnd else { throw invalid("unexpected data after the object") }
        return fields
    }

    private mutating func skipValue(depth: Int) throws(Failure) {
        guard depth < Self.maximumDepth else { throw invalid("nesting too deep") }
        guard !atEnd else { throw invalid("expected a value") }
        switch current {
        case UInt8(ascii: "{"):
            position += 1
            skipWhitespace()
            if !atEnd, current == UInt8(ascii: "}") {
                position += 1
                return
            }
            while true {
                _ = try scanString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':'")
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard !atEnd else { throw invalid("unterminated object") }
                if current == UInt8(ascii: ",") {
                    position += 1
                    skipWhitespace()
                    continue
                }
                try expect(UInt8(ascii: "}"), "',' or '}'")
                return
            }
        case UInt8(ascii: "["):
            position += 1
            skipWhitespace()
            if !atEnd, current == UInt8(ascii: "]") {
                position += 1
                return
            }
            while true {
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard !atEnd else { throw invalid("unterminated array") }
                if current == UInt8(ascii: ",") {
                    position += 1
                    skipWhitespace()
                    continue
                }
                try expect(UInt8(ascii: "]"), "',' or ']'")
                return
            }
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "t"): try scanLiteral("true")
        case UInt8(ascii: "f"): try scanLiteral("false")
        case UInt8(ascii: "n"): try scanLiteral("null")
        default:
            _ = try scanNumber()
        }
    }

    private mutating func scanLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - position >= count else { throw invalid("invalid literal") }
        for k in 0..<count where bytes[position + k] != literal.utf8Start[k] {
            throw invalid("invalid literal")
        }
        position += count
    }

    /// Scans a number; returns where it starts and whether it is an integer
    /// (no fraction or exponent).
    private mutating func scanNumber() throws(Failure) -> (start: Int, isInteger: Bool) {
        let start = position
        if !atEnd, current == UInt8(ascii: "-") { position += 1 }
        guard !atEnd, isDigit(current) else { throw invalid("invalid value") }
        if current == UInt8(ascii: "0") {
            position += 1
        } else {
            while !atEnd, isDigit(current) { position += 1 }
        }
        var isInteger = true
        if !atEnd, current == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard !atEnd, isDigit(current) else { throw invalid("invalid number") }
            while !atEnd, isDigit(current) { position += 1 }
        }
        if !atEnd, current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if !atEnd, current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard !atEnd, isDigit(current) else { throw invalid("invalid number") }
            while !atEnd, isDigit(current) { position += 1 }
        }
        return (start, isInteger)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private mutating func scanSeq() throws(Failure) -> Fields.Seq {
        guard !atEnd, current == UInt8(ascii: "-") || isDigit(current) else {
            try skipValue(depth: 1)
            return .notInteger
        }
        let (start, isInteger) = try scanNumber()
        guard isInteger else { return .notInteger }
        let negative = bytes[start] == UInt8(ascii: "-")
        var value = 0
        for k in (negative ? start + 1 : start)..<position {
            let digit = Int(bytes[k] - 0x30)
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) =
                negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            if overflow1 || overflow2 {
                return .outOfRange(
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                )
            }
            value = next
        }
        return .integer(value)
    }

    /// Scans and validates a string (escapes, no control characters, UTF-8).
    private mutating func scanString() throws(Failure) -> Token {
        try expect(UInt8(ascii: "\""), "'\"'")
        let start = position
        var escaped = false
        while position < bytes.count {
            // Fast path: plain ASCII up to the next quote, backslash, control or non-ASCII byte.
            var i = position
            let count = bytes.count
            while i < count {
                let byte = bytes[i]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
                i += 1
            }
            position = i
            guard i < count else { break }
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return Token(start: start, end: position - 1, escaped: escaped)
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
                position += 1
                guard !atEnd else { break }
                switch current {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    position += 1
                    try scanHex4()
                default:
                    throw invalid("invalid escape")
                }
            } else if byte < 0x20 {
                throw invalid("control character in a string")
            } else {
                try validateUTF8Sequence()
            }
        }
        throw invalid("unterminated string")
    }

    /// The UTF-8 contents of a scanned string, escapes resolved (lone
    /// surrogates become U+FFFD).
    private func decode(_ token: Token) -> [UInt8] {
        let raw = UnsafeBufferPointer(rebasing: bytes[token.start..<token.end])
        guard token.escaped else { return Array(raw) }
        var result: [UInt8] = []
        var i = 0
        func hex4(_ at: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { value, k in
                let c = raw[at + k]
                let digit: UInt8 = c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10
                return value << 4 | UInt32(digit)
            }
        }
        while i < raw.count {
            let byte = raw[i]
            guard byte == UInt8(ascii: "\\") else {
                result.append(byte)
                i += 1
                continue
            }
            let escape = raw[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "f"): result.append(0x0c)
            case UInt8(ascii: "n"): result.append(0x0a)
            case UInt8(ascii: "r"): result.append(0x0d)
            case UInt8(ascii: "t"): result.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(i)
                i += 4
                if scalar >= 0xd800, scalar < 0xdc00, raw.count - i >= 6,
                    raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(i + 2)
                    if low >= 0xdc00, low < 0xe000 {
                        scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                        i += 6
                    }
                }
                result.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
            default: result.append(escape)  // " \\ /
            }
        }
        return result
    }

    private mutating func scanHex4() throws(Failure) {
        guard bytes.count - position >= 4 else { throw invalid("invalid \\u escape") }
        for _ in 0..<4 {
            switch current {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                UInt8(ascii: "A")...UInt8(ascii: "F"):
                position += 1
            default:
                throw invalid("invalid \\u escape")
            }
        }
    }

    /// Validates one multi-byte UTF-8 sequence at `position` (RFC 3629: no
    /// overlong forms, no surrogates, at most U+10FFFF) and moves past it.
    private mutating func validateUTF8Sequence() throws(Failure) {
        let lead = current
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xbf
        switch lead {
        case 0xc2...0xdf: length = 2
        case 0xe0:
            length = 3
            low = 0xa0
        case 0xe1...0xec, 0xee...0xef: length = 3
        case 0xed:
            length = 3
            high = 0x9f
        case 0xf0:
            length = 4
            low = 0x90
        case 0xf1...0xf3: length = 4
        case 0xf4:
            length = 4
            high = 0x8f
        default: throw invalid("invalid UTF-8")
        }
        guard bytes.count - position >= length else { throw invalid("invalid UTF-8") }
        let second = bytes[position + 1]
        guard second >= low, second <= high else { throw invalid("invalid UTF-8") }
        for k in 2..<max(2, length) where bytes[position + k] & 0xc0 != 0x80 {
            throw invalid("invalid UTF-8")
        }
        position += length
    }
}
