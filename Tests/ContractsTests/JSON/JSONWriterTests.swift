import Contracts
import Testing

private func text(_ value: JSONValue) -> String {
    String(decoding: JSONWriter.bytes(value), as: UTF8.self)
}

/// A small deterministic generator (SplitMix64), so the property tests are reproducible.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func randomString(_ rng: inout SeededGenerator) -> String {
    let pool: [Unicode.Scalar] = [
        "a", "Z", "0", " ", "\"", "\\", "/", "\u{0}", "\u{1}", "\u{8}", "\u{9}", "\u{a}",
        "\u{c}", "\u{d}", "\u{1f}", "\u{7f}", "\u{80}", "é", "\u{2028}", "\u{2029}", "€",
        "\u{feff}", "\u{ffff}", "😀", "\u{10ffff}", "\u{301}",
    ]
    var scalars = String.UnicodeScalarView()
    for _ in 0..<Int.random(in: 0...12, using: &rng) {
        scalars.append(pool.randomElement(using: &rng)!)
    }
    return String(scalars)
}

private func randomValue(_ rng: inout SeededGenerator, depth: Int) -> JSONValue {
    switch Int.random(in: 0..<(depth > 4 ? 4 : 6), using: &rng) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2:
        let literals = ["0", "-0", "12", "-3.25", "1e10", "6.02E-23", "123456789012345678901234567890"]
        return Bool.random(using: &rng)
            ? .number(JSONNumber(Int.random(in: -1_000_000...1_000_000, using: &rng)))
            : .number(JSONNumber(uncheckedLiteral: literals.randomElement(using: &rng)!))
    case 3: return .string(randomString(&rng))
    case 4: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
    default:
        var members: [JSONMember] = []
        for index in 0..<Int.random(in: 0...4, using: &rng) {
            members.append(JSONMember(randomString(&rng) + "#\(index)", randomValue(&rng, depth: depth + 1)))
        }
        return .object(members)
    }
}

@Suite("JSONWriter")
struct JSONWriterTests {
    @Test func writesScalarsCompactly() {
        #expect(text(.null) == "null")
        #expect(text(.bool(true)) == "true")
        #expect(text(.bool(false)) == "false")
        #expect(text(.number(JSONNumber(-42))) == "-42")
        #expect(text(.number(JSONNumber(uncheckedLiteral: "1.50e+3"))) == "1.50e+3")
        #expect(text(.string("")) == #""""#)
        #expect(text(.array([])) == "[]")
        #expect(text(.object([])) == "{}")
    }

    @Test func writesContainersInOrderWithoutWhitespace() {
        let value: JSONValue = .object([
            JSONMember(
                "z",
                .array([
                    .number(JSONNumber(1)), .null,
                    .object([JSONMember("b", .bool(true)), JSONMember("a", .string("x"))]),
                ])
            ),
            JSONMember("a", .string("y")),
        ])
        #expect(text(value) == #"{"z":[1,null,{"b":true,"a":"x"}],"a":"y"}"#)
    }

    @Test func escapesQuotesBackslashesAndControlCharacters() {
        #expect(text(.string("a\"b\\c/d")) == #""a\"b\\c/d""#)
        #expect(text(.string("\u{8}\u{c}\n\r\t")) == #""\b\f\n\r\t""#)
        #expect(text(.string("\u{0}\u{1}\u{b}\u{e}\u{1a}\u{1f}")) == #""\u0000\u0001\u000b\u000e\u001a\u001f""#)
        #expect(text(.string("\u{7f}é€😀\u{2028}\u{2029}\u{feff}")) == "\"\u{7f}é€😀\u{2028}\u{2029}\u{feff}\"")
        #expect(text(.object([JSONMember("k\"\n", .null)])) == #"{"k\"\n":null}"#)
    }

    @Test func escapesEveryControlCharacterAndNothingElseBelow128() throws {
        for byte in UInt8(0)..<0x80 {
            let string = String(decoding: [byte], as: UTF8.self)
            let written = JSONWriter.bytes(.string(string))
            let short: Set<UInt8> = [0x08, 0x09, 0x0A, 0x0C, 0x0D, UInt8(ascii: "\""), UInt8(ascii: "\\")]
            let escaped = byte < 0x20 || short.contains(byte)
            #expect(written.count == (short.contains(byte) ? 4 : escaped ? 8 : 3), "\(byte)")
            #expect(escaped == (written[1] == UInt8(ascii: "\\")), "\(byte)")
            #expect(try JSONReader.parse(written) == .string(string))
        }
    }

    @Test func escapesSpecialBytesAtEveryPosition() throws {
        // The writer checks eight bytes at a time; every special byte must be escaped wherever it is.
        for length in [1, 7, 8, 9, 16, 23] {
            for position in 0..<length {
                for special in ["\u{1}", "\"", "\\", "\n", "é"] {
                    var scalars = Array(repeating: "y", count: length)
                    scalars[position] = special
                    let string = scalars.joined()
                    let written = JSONWriter.bytes(.string(string))
                    #expect(try JSONReader.parse(written) == .string(string))
                    #expect(!written.dropFirst().dropLast().contains { $0 < 0x20 })
                }
            }
        }
    }

    @Test func appendsToAnExistingBuffer() {
        var buffer = Array("prefix:".utf8)
        JSONWriter.write(.array([.number(JSONNumber(1))]), into: &buffer)
        #expect(buffer == Array("prefix:[1]".utf8))
    }

    @Test func randomValuesRoundTrip() throws {
        var rng = SeededGenerator(state: 0x5EED)
        for _ in 0..<2_000 {
            let value = randomValue(&rng, depth: 0)
            let written = JSONWriter.bytes(value)
            let reparsed = try JSONReader.parse(written, limits: .init())
            #expect(reparsed == value)
            #expect(JSONWriter.bytes(reparsed) == written)
        }
    }

    @Test func longStringsWithScatteredEscapesRoundTrip() throws {
        var string = ""
        for index in 0..<10_000 {
            string += index % 97 == 0 ? "\n\"\\" : "abcé"
        }
        let value = JSONValue.array([.string(string), .string(string + "\u{1}")])
        #expect(try JSONReader.parse(JSONWriter.bytes(value)) == value)
    }
}
