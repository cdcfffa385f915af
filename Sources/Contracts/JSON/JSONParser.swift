/// The state of one ``JSONReader/parse(_:limits:)`` call: a non-recursive, single-pass parser over a
/// borrowed UTF-8 buffer. Open containers live on explicit stacks, so nesting costs heap, not call stack,
/// and finished containers are moved (not copied) off those stacks into exact-size arrays.
struct JSONParser: ~Copyable {
    private let base: UnsafePointer<UInt8>
    private let end: Int
    private let limits: JSONReader.Limits
    private var index = 0

    /// Open containers, innermost last.
    private var frames: [Frame] = []
    /// Elements of all open arrays, innermost last.
    private var values = JSONMoveStack<JSONValue>(capacity: 16)
    /// Members of all open objects, innermost last. While a member's value is being parsed, the member
    /// is already on the stack with a `.null` placeholder value.
    private var members = JSONMoveStack<JSONMember>(capacity: 32)
    /// A fingerprint of every key in `members`, for fast duplicate checks.
    private var fingerprints: [UInt64] = []
    /// Reused buffer for strings that contain escapes.
    private var scratch: [UInt8] = []
    /// Whether the last string read was pure ASCII.
    private var lastStringIsASCII = true
    /// Whether the last string read had escapes (then its bytes are in `scratch`, else in the input).
    private var lastStringHadEscapes = false

    /// An open array or object.
    private struct Frame {
        var isObject: Bool
        /// Where this container's entries start in `values` (arrays) or `members` (objects).
        var start: Int
        /// Where this object's key fingerprints start in `fingerprints`.
        var fingerprintStart: Int
        /// Keys seen so far, once the object is big enough that a linear scan would be slow.
        var keySet: Set<Identifier>?
    }

    /// Objects with fewer keys than this check duplicates by a linear scan of fingerprints.
    private static let linearKeyScanLimit = 64
    /// The fingerprint of keys with non-ASCII characters: they are always compared byte for byte (never
    /// with Swift `String` equality, which is canonical equivalence: `"\u{212A}" == "K"`).
    private static let nonASCIIFingerprint = UInt64.max

    init(base: UnsafePointer<UInt8>, count: Int, limits: JSONReader.Limits) {
        self.base = base
        self.end = count
        self.limits = limits
    }

    // MARK: - Document

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        try refuseByteOrderMark()

        var value: JSONValue
        parsing: while true {
            // A value starts here.
            skipWhitespace()
            guard index < end else { throw error(.unexpectedEnd) }
            let byte = base[index]
            switch byte {
            case UInt8(ascii: "\""):
                value = .string(try parseString())
            case UInt8(ascii: "{"):
                try open(isObject: true)
                skipWhitespace()
                if index < end, base[index] == UInt8(ascii: "}") {
                    index += 1
                    frames.removeLast()
                    value = .object([])
                } else {
                    try parseKeyAndColon()
                    continue parsing
                }
            case UInt8(ascii: "["):
                try open(isObject: false)
                skipWhitespace()
                if index < end, base[index] == UInt8(ascii: "]") {
                    index += 1
                    frames.removeLast()
                    value = .array([])
                } else {
                    continue parsing
                }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = .number(try parseNumber())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            case UInt8(ascii: "+"), UInt8(ascii: "."):
                throw error(.invalidNumber)
            default:
                throw error(.unexpectedByte)
            }

            // A value is complete: attach it to its container, closing containers as they end.
            while true {
                guard !frames.isEmpty else { break parsing }
                let top = frames.count - 1
                let isObject = frames[top].isObject
                if isObject {
                    members.setLastValue(value)
                } else {
                    guard values.count - frames[top].start < limits.maxMembers else { throw error(.tooLarge) }
                    values.push(value)
                }
                skipWhitespace()
                guard index < end else { throw error(.unexpectedEnd) }
                let byte = base[index]
                let closing = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if byte == UInt8(ascii: ",") {
                    index += 1
                    skipWhitespace()
                    if index < end, base[index] == closing { throw error(.trailingComma) }
                    if isObject { try parseKeyAndColon() }
                    continue parsing
                }
                guard byte == closing else { throw error(.unexpectedByte) }
                index += 1
                value = close()
            }
        }

        skipWhitespace()
        guard index == end else { throw error(.trailingGarbage) }
        return value
    }

    // MARK: - Containers

    private mutating func open(isObject: Bool) throws(JSONSyntaxError) {
        guard frames.count < limits.maxDepth else { throw error(.depthLimit) }
        index += 1
        if frames.capacity == 0 {
            frames.reserveCapacity(8)
            fingerprints.reserveCapacity(32)
        }
        frames.append(
            Frame(
                isObject: isObject,
                start: isObject ? members.count : values.count,
                fingerprintStart: fingerprints.count,
                keySet: nil
            )
        )
    }

    /// Pops the innermost container and builds its value from the stacks.
    private mutating func close() -> JSONValue {
        let frame = frames.removeLast()
        if frame.isObject {
            fingerprints.removeLast(fingerprints.count - frame.fingerprintStart)
            return .object(members.popArray(from: frame.start))
        } else {
            return .array(values.popArray(from: frame.start))
        }
    }

    /// Reads `"key"` `:` inside the innermost (object) frame, refusing duplicates and oversized objects.
    private mutating func parseKeyAndColon() throws(JSONSyntaxError) {
        guard index < end else { throw error(.unexpectedEnd) }
        guard base[index] == UInt8(ascii: "\"") else { throw error(.unexpectedByte) }
        let keyOffset = index
        let key = try parseString()
        let top = frames.count - 1
        let start = frames[top].start
        let count = members.count - start
        guard count < limits.maxMembers else { throw JSONSyntaxError(.tooLarge, offset: keyOffset) }
        let fingerprint = lastStringIsASCII ? lastStringFingerprint(from: keyOffset + 1) : Self.nonASCIIFingerprint
        if frames[top].keySet != nil {
            guard frames[top].keySet!.insert(Identifier(key)).inserted else {
                throw JSONSyntaxError(.duplicateKey, offset: keyOffset)
            }
        } else {
            // Only keys whose fingerprints may match are compared as strings.
            let fingerprintStart = frames[top].fingerprintStart
            var candidate = fingerprintStart
            let last = fingerprints.count
            while candidate < last {
                let existing = fingerprints[candidate]
                if existing == fingerprint || (existing | fingerprint) >> 63 != 0,
                    members.key(at: start + candidate - fingerprintStart).isBytewiseEqual(to: key)
                {
                    throw JSONSyntaxError(.duplicateKey, offset: keyOffset)
                }
                candidate += 1
            }
            if count + 1 >= Self.linearKeyScanLimit {
                var set = Set<Identifier>(minimumCapacity: count * 2)
                members.forEach(from: start) { member in set.insert(Identifier(member.key)) }
                set.insert(Identifier(key))
                frames[top].keySet = set
            }
        }
        fingerprints.append(fingerprint)
        members.push(JSONMember(key, .null))
        skipWhitespace()
        guard index < end else { throw error(.unexpectedEnd) }
        guard base[index] == UInt8(ascii: ":") else { throw error(.unexpectedByte) }
        index += 1
    }

    /// FNV-1a of the last string's (ASCII) bytes, with the top bit clear; `start` is where it began.
    private func lastStringFingerprint(from start: Int) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        if lastStringHadEscapes {
            for byte in scratch {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
        } else {
            for offset in start..<(index - 1) {
                hash = (hash ^ UInt64(base[offset])) &* 0x0000_0100_0000_01B3
            }
        }
        return hash & ~(1 << 63)
    }

    // MARK: - Scalars

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let bytes = literal.utf8Start
        for offset in 0..<count {
            guard index + offset < end else { throw JSONSyntaxError(.unexpectedEnd, offset: end) }
            guard base[index + offset] == bytes[offset] else {
                throw JSONSyntaxError(.unexpectedByte, offset: index + offset)
            }
        }
        index += count
    }

    /// Reads a number at `index` (a `-` or a digit), validating the RFC 8259 grammar.
    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONNumber {
        let start = index
        var i = index
        if base[i] == UInt8(ascii: "-") {
            i += 1
        }
        guard i < end else { throw JSONSyntaxError(.unexpectedEnd, offset: i) }
        let integerStart = i
        if base[i] == UInt8(ascii: "0") {
            i += 1
            if i < end, isDigit(base[i]) { throw JSONSyntaxError(.invalidNumber, offset: i) }
        } else if isDigit(base[i]) {
            i += 1
            while i < end, isDigit(base[i]) { i += 1 }
        } else {
            throw JSONSyntaxError(.invalidNumber, offset: i)
        }
        let integerDigits = i - integerStart
        var isPlainInteger = true
        if i < end, base[i] == UInt8(ascii: ".") {
            isPlainInteger = false
            i += 1
            guard i < end else { throw JSONSyntaxError(.unexpectedEnd, offset: i) }
            guard isDigit(base[i]) else { throw JSONSyntaxError(.invalidNumber, offset: i) }
            while i < end, isDigit(base[i]) { i += 1 }
        }
        if i < end, base[i] | 0x20 == UInt8(ascii: "e") {
            isPlainInteger = false
            i += 1
            if i < end, base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-") { i += 1 }
            guard i < end else { throw JSONSyntaxError(.unexpectedEnd, offset: i) }
            guard isDigit(base[i]) else { throw JSONSyntaxError(.invalidNumber, offset: i) }
            while i < end, isDigit(base[i]) { i += 1 }
        }
        guard i - start <= limits.maxStringBytes else { throw JSONSyntaxError(.tooLarge, offset: start) }
        index = i
        let literal = String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
        // Up to 15 digits always fit a Double exactly; anything else is checked for overflow.
        if !isPlainInteger || integerDigits > 15 {
            guard let double = Double(literal), double.isFinite else {
                throw JSONSyntaxError(.numberOutOfRange, offset: start)
            }
        }
        return JSONNumber(uncheckedLiteral: literal)
    }

    /// Reads a string at `index` (the opening quote), validating UTF-8 and escapes as it goes.
    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = index + 1
        var i = start
        lastStringIsASCII = true
        lastStringHadEscapes = false
        // Fast path: no escapes, the string is a span of the input.
        while true {
            i = skipPlainASCII(from: i)
            guard i < end else { throw JSONSyntaxError(.unexpectedEnd, offset: i) }
            let byte = base[i]
            if byte == UInt8(ascii: "\"") {
                let count = i - start
                guard count <= limits.maxStringBytes else { throw JSONSyntaxError(.tooLarge, offset: index) }
                index = i + 1
                return String(decoding: UnsafeBufferPointer(start: base + start, count: count), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw JSONSyntaxError(.controlCharacter, offset: i) }
            if byte < 0x80 {
                i += 1
            } else {
                lastStringIsASCII = false
                i = try skipUTF8Sequence(at: i)
            }
        }
        // Slow path: copy runs and decoded escapes into the scratch buffer.
        lastStringHadEscapes = true
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: i - start))
        while true {
            guard i < end else { throw JSONSyntaxError(.unexpectedEnd, offset: i) }
            let byte = base[i]
            if byte == UInt8(ascii: "\"") {
                guard scratch.count <= limits.maxStringBytes else { throw JSONSyntaxError(.tooLarge, offset: index) }
                index = i + 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                i = try decodeEscape(at: i)
                if scratch.count > limits.maxStringBytes { throw JSONSyntaxError(.tooLarge, offset: index) }
                continue
            }
            if byte < 0x20 { throw JSONSyntaxError(.controlCharacter, offset: i) }
            let runStart = i
            // Extend the run to the next special byte.
            while i < end {
                i = skipPlainASCII(from: i)
                guard i < end else { break }
                let next = base[i]
                if next == UInt8(ascii: "\"") || next == UInt8(ascii: "\\") || next < 0x20 { break }
                if next < 0x80 {
                    i += 1
                } else {
                    lastStringIsASCII = false
                    i = try skipUTF8Sequence(at: i)
                }
            }
            scratch.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart))
        }
    }

    /// Decodes the escape at `i` (a backslash) into `scratch`; returns the index after it.
    private mutating func decodeEscape(at i: Int) throws(JSONSyntaxError) -> Int {
        guard i + 1 < end else { throw JSONSyntaxError(.unexpectedEnd, offset: end) }
        switch base[i + 1] {
        case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try hex4(at: i + 2)
            var next = i + 6
            var scalar = UInt32(unit)
            if unit >= 0xDC00 && unit <= 0xDFFF {
                throw JSONSyntaxError(.loneSurrogate, offset: i)
            }
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard next + 1 < end, base[next] == UInt8(ascii: "\\"), base[next + 1] == UInt8(ascii: "u") else {
                    throw JSONSyntaxError(.loneSurrogate, offset: i)
                }
                let low = try hex4(at: next + 2)
                guard low >= 0xDC00 && low <= 0xDFFF else { throw JSONSyntaxError(.loneSurrogate, offset: i) }
                scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                next += 6
            }
            if scalar >= 0x80 { lastStringIsASCII = false }
            appendUTF8(scalar)
            return next
        default:
            throw JSONSyntaxError(.invalidEscape, offset: i)
        }
        return i + 2
    }

    /// The index of the first byte from `i` that is not plain ASCII string content (a quote, a backslash,
    /// a control character or a non-ASCII byte), checking eight bytes at a time; stops short of the end.
    @inline(__always)
    private func skipPlainASCII(from start: Int) -> Int {
        var i = start
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= end {
            // Byte k of the input is bits 8k...8k+7 of `word`, whatever the platform's byte order.
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let special =
                (word & highs)
                | ((word &- ones &* 0x20) & ~word & highs)
                | ((quote &- ones) & ~quote & highs)
                | ((backslash &- ones) & ~backslash & highs)
            if special != 0 {
                // The lowest flagged byte is always a real match (borrows only propagate upwards).
                return i + special.trailingZeroBitCount / 8
            }
            i += 8
        }
        return i
    }

    /// The four hex digits at `i` as a UTF-16 code unit.
    private func hex4(at i: Int) throws(JSONSyntaxError) -> UInt16 {
        var result: UInt16 = 0
        for offset in 0..<4 {
            guard i + offset < end else { throw JSONSyntaxError(.unexpectedEnd, offset: end) }
            let byte = base[i + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default: throw JSONSyntaxError(.invalidEscape, offset: i - 2)
            }
            result = result << 4 | UInt16(digit)
        }
        return result
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (scalar >> 6)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (scalar >> 12)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (scalar >> 18)))
            scratch.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// Validates the multi-byte UTF-8 sequence starting at `i` (a byte >= 0x80), per Unicode Table 3-7;
    /// returns the index after it.
    private func skipUTF8Sequence(at i: Int) throws(JSONSyntaxError) -> Int {
        let lead = base[i]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: throw JSONSyntaxError(.invalidUTF8, offset: i)
        }
        guard i + length <= end else { throw JSONSyntaxError(.invalidUTF8, offset: i) }
        let second = base[i + 1]
        guard second >= low && second <= high else { throw JSONSyntaxError(.invalidUTF8, offset: i) }
        var k = 2
        while k < length {
            guard base[i + k] & 0xC0 == 0x80 else { throw JSONSyntaxError(.invalidUTF8, offset: i) }
            k += 1
        }
        return i + length
    }

    // MARK: - Helpers

    private mutating func refuseByteOrderMark() throws(JSONSyntaxError) {
        // UTF-8 EF BB BF, UTF-16 FE FF / FF FE (UTF-32 LE starts with FF FE too).
        let first = base[0]
        if end >= 3, first == 0xEF, base[1] == 0xBB, base[2] == 0xBF {
            throw JSONSyntaxError(.byteOrderMark, offset: 0)
        }
        if end >= 2, (first == 0xFE && base[1] == 0xFF) || (first == 0xFF && base[1] == 0xFE) {
            throw JSONSyntaxError(.byteOrderMark, offset: 0)
        }
        if end >= 4, first == 0, base[1] == 0, base[2] == 0xFE, base[3] == 0xFF {
            throw JSONSyntaxError(.byteOrderMark, offset: 0)
        }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < end {
            switch base[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                index += 1
            default:
                return
            }
        }
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    private func error(_ code: JSONSyntaxError.Code) -> JSONSyntaxError {
        JSONSyntaxError(code, offset: index)
    }
}
