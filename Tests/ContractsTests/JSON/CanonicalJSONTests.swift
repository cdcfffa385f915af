import Testing

@testable import Contracts

private func canonical(_ json: String) throws -> String {
    let value = try JSONReader.parse(Array(json.utf8))
    return String(decoding: try CanonicalJSON.bytes(value), as: UTF8.self)
}

private func canonicalError(_ value: JSONValue) -> CanonicalJSONError? {
    do {
        _ = try CanonicalJSON.bytes(value)
        return nil
    } catch {
        return error
    }
}

private func number(_ literal: String) -> JSONValue {
    .number(JSONNumber(uncheckedLiteral: literal))
}

@Suite("CanonicalJSON (RFC 8785)")
struct CanonicalJSONTests {
    /// RFC 8785 §3.2.2 example, without its floating-point `numbers` member (the ledger never holds floats).
    @Test func rfc8785StringsAndLiteralsExample() throws {
        let input = #"""
            {
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        #expect(try canonical(input) == #"{"literals":[null,true,false],"string":"€$\u000f\nA'B\"\\\\\"/"}"#)
    }

    /// The full RFC 8785 §3.2.2 example has non-integer numbers, which are refused.
    @Test func rfc8785FullExampleIsRefusedForItsFloats() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let value = try JSONReader.parse(Array(input.utf8))
        #expect(canonicalError(value)?.code == .nonIntegerNumber)
    }

    /// RFC 8785 §3.2.3 sorting example.
    @Test func rfc8785SortingExample() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let expected =
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\","
            + "\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\","
            + "\"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        #expect(try canonical(input) == expected)
    }

    /// UTF-16 order puts U+1F600 (D83D DE00) before U+FFFF, unlike code point or UTF-8 order.
    @Test func sortsByUTF16CodeUnitsNotCodePoints() throws {
        let value: JSONValue = .object([
            JSONMember("\u{ffff}", .number(JSONNumber(1))),
            JSONMember("😀", .number(JSONNumber(2))),
            JSONMember("\u{e000}", .number(JSONNumber(3))),
            JSONMember("a", .number(JSONNumber(4))),
        ])
        let text = String(decoding: try CanonicalJSON.bytes(value), as: UTF8.self)
        #expect(text == "{\"a\":4,\"😀\":2,\"\u{e000}\":3,\"\u{ffff}\":1}")
    }

    @Test func sortsNestedObjectsAndKeepsArrayOrder() throws {
        #expect(
            try canonical(#"{"b":[{"z":1,"y":2},3,{"b":{"d":0,"c":0}}],"a":{}, "aa":[], "A":null}"#)
                == #"{"A":null,"a":{},"aa":[],"b":[{"y":2,"z":1},3,{"b":{"c":0,"d":0}}]}"#
        )
        #expect(try canonical(#"{"ab":1,"a":2,"b":3,"":4}"#) == #"{"":4,"a":2,"ab":1,"b":3}"#)
    }

    @Test func escapesExactlyAsES6() throws {
        var expected = "\""
        for byte in UInt8(0)..<0x20 {
            switch byte {
            case 0x08: expected += "\\b"
            case 0x09: expected += "\\t"
            case 0x0A: expected += "\\n"
            case 0x0C: expected += "\\f"
            case 0x0D: expected += "\\r"
            default: expected += "\\u00" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
            }
        }
        expected += "\\\"\\\\/\u{7f}\u{2028}\u{2029}\u{fffe}😀\""
        var input = String(decoding: Array(0..<0x20), as: UTF8.self)
        input += "\"\\/\u{7f}\u{2028}\u{2029}\u{fffe}😀"
        let bytes = try CanonicalJSON.bytes(.string(input))
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
        #expect(expected.contains("\\u001f") && expected.contains("\\u000b"))
    }

    @Test(arguments: [
        ("0", "0"), ("-0", "0"), ("1", "1"), ("-1", "-1"), ("42", "42"),
        ("9007199254740991", "9007199254740991"), ("-9007199254740991", "-9007199254740991"),
        ("1.0", "1"), ("1e2", "100"), ("1E+2", "100"), ("1500e-1", "150"), ("0.0", "0"), ("-0.0e5", "0"),
        ("90071992547409910e-1", "9007199254740991"), ("1e15", "1000000000000000"), ("12.3400e2", "1234"),
        ("0e99999999999999999999", "0"),
    ])
    func writesIntegersInPlainDecimal(_ literal: String, _ expected: String) throws {
        #expect(String(decoding: try CanonicalJSON.bytes(number(literal)), as: UTF8.self) == expected)
    }

    @Test(arguments: ["0.5", "-1.5", "1e-1", "333333333.33333329", "2e-3", "4.50e-1", "1e-400", "1.0000000000000001"])
    func refusesNonIntegers(_ literal: String) {
        #expect(canonicalError(number(literal))?.code == .nonIntegerNumber, "\(literal)")
    }

    @Test(arguments: [
        "9007199254740992", "-9007199254740992", "1e16", "1E30", "1e400", "100000000000000000000",
        "18446744073709551616", "9007199254740991e1",
    ])
    func refusesIntegersBeyond2To53(_ literal: String) {
        #expect(canonicalError(number(literal))?.code == .numberOutOfRange, "\(literal)")
    }

    @Test(arguments: ["", "-", "01", "1.", ".5", "+1", "1e", "0x10", "NaN", "1 ", "--1"])
    func refusesInvalidLiterals(_ literal: String) {
        #expect(canonicalError(number(literal))?.code == .invalidNumber, "\(literal)")
    }

    @Test func refusesDuplicateKeysInConstructedValues() {
        let value: JSONValue = .object([JSONMember("a", .null), JSONMember("b", .null), JSONMember("a", .null)])
        #expect(canonicalError(value)?.code == .duplicateKey)
        #expect(canonicalError(.array([value]))?.kind == "duplicate-key")
    }

    @Test func canonicallyEquivalentKeysAreTwoKeysWhateverSortsBetweenThem() throws {
        // Identifiers are their bytes: NFC and NFD spellings are two keys, with or without a key between them
        // in the sort (the duplicate check once used String equality and so depended on the neighbours).
        let nfc = "\u{E9}"
        let nfd = "e\u{301}"
        for middle in [[], [JSONMember("f", .null)], [JSONMember("e\u{300}", .null)]] {
            let value: JSONValue = .object(
                [JSONMember(nfc, .number(JSONNumber(1)))] + middle + [JSONMember(nfd, .null)]
            )
            #expect(canonicalError(value) == nil, "\(middle)")
        }
        let twice: JSONValue = .object([JSONMember(nfd, .null), JSONMember("f", .null), JSONMember(nfd, .null)])
        #expect(canonicalError(twice)?.code == .duplicateKey)
    }

    @Test func isIndependentOfMemberOrderAndWhitespace() throws {
        let a = try canonical(#"{"id":7,"tags":["x","y"],"who":{"n":"A","e":null}}"#)
        let b = try canonical(
            " { \"who\" : { \"e\" : null , \"n\" : \"A\" } , \"tags\" : [ \"x\" , \"y\" ] , \"id\" : 7 } "
        )
        #expect(a == b)
        #expect(a == #"{"id":7,"tags":["x","y"],"who":{"e":null,"n":"A"}}"#)
    }

    @Test func errorDescriptionsCarryNoData() {
        let error = canonicalError(.object([JSONMember("secret-key", number("0.123456"))]))
        #expect(error?.description == "cannot canonicalise JSON: non-integer-number")
    }

    /// The byte-order fast path of the member sort agrees with UTF-16 order on every pair drawn from keys
    /// that mix ASCII, Latin, U+E000...U+FFFF and supplementary characters (where code-point and UTF-16
    /// order differ: U+FF61 sorts after U+1F600 by code point, before it by UTF-16).
    @Test func memberOrderIsUTF16OrderForEveryKind() {
        let pieces = [
            "", "a", "b", "Z", "é", "ö", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{FF61}", "\u{FFFF}",
            "\u{10000}", "\u{1F600}", "\u{10FFFF}",
        ]
        var keys: [String] = []
        for first in pieces { for second in pieces { keys.append(first + second) } }
        for a in keys {
            for b in keys {
                #expect(
                    CanonicalJSON.keyPrecedes(a, b) == a.utf16.lexicographicallyPrecedes(b.utf16),
                    "\(Array(a.unicodeScalars)) vs \(Array(b.unicodeScalars))"
                )
            }
        }
        let value: JSONValue = .object([JSONMember("\u{FF61}", .null), JSONMember("\u{1F600}", .null)])
        #expect((try? CanonicalJSON.bytes(value)) == Array("{\"\u{1F600}\":null,\"\u{FF61}\":null}".utf8))
    }
}
