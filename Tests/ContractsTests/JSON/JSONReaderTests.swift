import Contracts
import Foundation
import Testing

/// The refusal `JSONReader` gives for `bytes`, or `nil` when it accepts them.
private func refusal(_ bytes: [UInt8], limits: JSONReader.Limits = .init()) -> JSONSyntaxError? {
    do {
        _ = try JSONReader.parse(bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

private func refusal(_ text: String, limits: JSONReader.Limits = .init()) -> JSONSyntaxError? {
    refusal(Array(text.utf8), limits: limits)
}

private func parse(_ text: String) throws -> JSONValue {
    try JSONReader.parse(Array(text.utf8))
}

@Suite("JSONReader: adversarial input")
struct JSONReaderAdversarialTests {
    // MARK: Duplicate keys

    @Test(arguments: [
        #"{"a":1,"a":2}"#,
        #"{"a":1,"\u0061":2}"#,
        #"{"\u0061":1,"a":2}"#,
        #"{"a\/b":1,"a/b":2}"#,
        #"{"\u00e9":1,"é":2}"#,
        #"{"😀":1,"\ud83d\ude00":2}"#,
        #"{"a":{"b":1,"b":2}}"#,
        #"[{"x":[{"k":null,"k":null}]}]"#,
        #"{"a":1,"b":2,"a":3}"#,
        #"{"":1,"":2}"#,
    ])
    func refusesDuplicateKeys(_ text: String) {
        #expect(refusal(text)?.code == .duplicateKey, "\(text)")
    }

    @Test func canonicallyEquivalentKeysAreTwoKeys() throws {
        // DESIGN: identifiers are their bytes. NFC and NFD spellings are two member names, not a duplicate
        // (Swift's `String ==` would call them equal), and each keeps its own bytes.
        let value = try JSONReader.parse(Array(#"{"\u00e9":1,"e\u0301":2}"#.utf8))
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map { Array($0.key.utf8) } == [[0xC3, 0xA9], [0x65, 0xCC, 0x81]])
        #expect(value["\u{E9}"] == .number(JSONNumber(1)))
        #expect(value["e\u{301}"] == .number(JSONNumber(2)))
    }

    @Test func keysEqualOnlyUnderSwiftStringEqualityAreTwoKeys() {
        // KELVIN SIGN is canonically equivalent to "K", ANGSTROM SIGN to "Å": different bytes, different keys.
        #expect(refusal(#"{"K":1,"\u212a":2}"#) == nil)
        #expect(refusal(#"{"\u212A":1,"K":2}"#) == nil)
        #expect(refusal(#"{"Å":1,"\u212b":2}"#) == nil)
        #expect(refusal(#"{"K":1,"k":2,"\u212a\u0301":3}"#) == nil)
        // The same bytes after unescaping are a duplicate, however they were written.
        #expect(refusal(#"{"a\n":1,"a\u000a":2}"#)?.code == .duplicateKey)
        #expect(refusal(#"{"\u212a":1,"\u212A":2}"#)?.code == .duplicateKey)
        #expect(refusal(#"{"\u00e9":1,"é":2}"#)?.code == .duplicateKey)
    }

    @Test func refusesDuplicatesInLargeObjects() {
        // Past the linear-scan threshold the reader switches to a set; both paths must see duplicates.
        for count in [5, 11, 12, 13, 50, 62, 63, 64, 65, 100, 1000] {
            var members = (0..<count).map { #""k\#($0)":\#($0)"# }
            members.append(#""k\u0033":0"#)  // "k3"
            let text = "{" + members.joined(separator: ",") + "}"
            #expect(refusal(text)?.code == .duplicateKey, "\(count) members")
            let unique = "{" + members.dropLast().joined(separator: ",") + "}"
            #expect(refusal(unique) == nil, "\(count) members")
        }
    }

    @Test func acceptsTheSameKeyInDifferentObjects() throws {
        let value = try parse(#"{"a":{"a":1},"b":[{"a":1},{"a":2}]}"#)
        #expect(value["a"]?["a"] == .number(JSONNumber(1)))
    }

    @Test func duplicateKeyErrorPointsAtTheSecondKey() {
        #expect(refusal(#"{"a":1, "a":2}"#) == JSONSyntaxError(.duplicateKey, offset: 8))
    }

    // MARK: Depth

    @Test func refuses100000OpeningBracketsQuickly() {
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        let clock = ContinuousClock()
        var error: JSONSyntaxError?
        let elapsed = clock.measure { error = refusal(bytes) }
        #expect(error == JSONSyntaxError(.depthLimit, offset: 64))
        #expect(elapsed < .seconds(1))
    }

    @Test func refuses100000NestedObjectsAndBalancedArrays() {
        let objects = Array(String(repeating: #"{"a":"#, count: 100_000).utf8)
        #expect(refusal(objects)?.code == .depthLimit)
        let balanced = Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        #expect(refusal(balanced)?.code == .depthLimit)
    }

    @Test func depthLimitIsExact() {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(refusal(ok) == nil)
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(refusal(tooDeep)?.code == .depthLimit)
        #expect(refusal(#"{"a":{"b":[1]}}"#, limits: .init(maxDepth: 3)) == nil)
        #expect(refusal(#"{"a":{"b":[1]}}"#, limits: .init(maxDepth: 2))?.code == .depthLimit)
        #expect(refusal("1", limits: .init(maxDepth: 0)) == nil)
        #expect(refusal("[]", limits: .init(maxDepth: 0))?.code == .depthLimit)
    }

    @Test func deepNestingWithinAGenerousLimitDoesNotRecurse() throws {
        let depth = 10_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var value = try JSONReader.parse(Array(text.utf8), limits: .init(maxDepth: depth))
        var levels = 0
        while case .array(let elements) = value, let first = elements.first {
            value = first
            levels += 1
        }
        #expect(levels == depth - 1)
    }

    // MARK: Numbers

    @Test(arguments: [
        "1e400", "-1e400", "1E+400", "[1.5e308, 1.8e308]", "123123e100000",
        String(repeating: "9", count: 400), "-" + String(repeating: "9", count: 400),
    ])
    func refusesNumbersThatOverflowADouble(_ text: String) {
        #expect(refusal(text)?.code == .numberOutOfRange, "\(text.prefix(20))")
    }

    @Test func acceptsUnderflowAndHugeIntegersKeepingTheLiteral() throws {
        for literal in [
            "1e-400", "-1e-400", "123e-10000000", "100000000000000000000",
            "-237462374673276894279832749832423479823246327846", "1.7976931348623157e308",
            "9007199254740993", "0.1", "1.50", "-0", "0e0", "1E-2", "2e+3",
        ] {
            let value = try parse(literal)
            #expect(value == .number(JSONNumber(uncheckedLiteral: literal)), "\(literal)")
            #expect(JSONWriter.bytes(value) == Array(literal.utf8))
        }
        #expect(try parse("100000000000000000000") == .number(JSONNumber(uncheckedLiteral: "100000000000000000000")))
        if case .number(let n) = try parse("100000000000000000000") { #expect(n.intValue == nil) }
    }

    @Test(arguments: [
        "01", "-01", "00", "+1", ".5", "1.", "1.e3", "-", "1e", "1e+", "-.1", "0x10",
        "NaN", "Infinity", "-Infinity", "[01]", "[1.]", "[-]", "1_000", "١",
    ])
    func refusesMalformedNumbers(_ text: String) {
        #expect(refusal(text) != nil, "\(text)")
    }

    @Test func malformedNumberCodes() {
        #expect(refusal("01")?.code == .invalidNumber)
        #expect(refusal("+1")?.code == .invalidNumber)
        #expect(refusal(".5")?.code == .invalidNumber)
        #expect(refusal("[1.]")?.code == .invalidNumber)
        #expect(refusal("[1.e3]")?.code == .invalidNumber)
        #expect(refusal("-x")?.code == .invalidNumber)
        #expect(refusal("NaN")?.code == .unexpectedByte)
    }

    // MARK: Encoding

    @Test func refusesByteOrderMarks() {
        #expect(refusal([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == JSONSyntaxError(.byteOrderMark, offset: 0))
        #expect(refusal([0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00])?.code == .byteOrderMark)
        #expect(refusal([0xFE, 0xFF, 0x00, 0x7B, 0x00, 0x7D])?.code == .byteOrderMark)
        #expect(refusal([0x00, 0x00, 0xFE, 0xFF])?.code == .byteOrderMark)
        // A BOM later on, inside a string, is just U+FEFF; outside one it is garbage.
        #expect(refusal([0x22, 0xEF, 0xBB, 0xBF, 0x22]) == nil)
        #expect(refusal(Array("{}".utf8) + [0xEF, 0xBB, 0xBF])?.code == .trailingGarbage)
    }

    @Test func refusesUTF16AndUTF32Input() {
        for encoding in [String.Encoding.utf16LittleEndian, .utf16BigEndian, .utf32LittleEndian, .utf16, .utf32] {
            let bytes = Array(#"{"a":"é"}"#.data(using: encoding)!)
            #expect(refusal(bytes) != nil, "\(encoding)")
        }
    }

    @Test(
        arguments: [
            [0xC0, 0xAF],  // overlong '/'
            [0xC1, 0xBF],  // overlong
            [0xE0, 0x80, 0xAF],  // overlong 3-byte
            [0xF0, 0x80, 0x80, 0xAF],  // overlong 4-byte
            [0xED, 0xA0, 0x80],  // UTF-8-encoded high surrogate U+D800
            [0xED, 0xBF, 0xBF],  // UTF-8-encoded low surrogate U+DFFF
            [0xF4, 0x90, 0x80, 0x80],  // U+110000
            [0xF5, 0x80, 0x80, 0x80],  // lead byte beyond Unicode
            [0xFF],
            [0xFE],
            [0x80],  // stray continuation
            [0xBF, 0x80],
            [0xE2, 0x82],  // truncated euro sign
            [0xF0, 0x9F, 0x98],  // truncated emoji
            [0xC3],  // truncated é
            [0xE2, 0x28, 0xA1],  // bad continuation
            [0xFC, 0x83, 0xBF, 0xBF, 0xBF, 0xBF],  // 6-byte form
        ] as [[UInt8]]
    )
    func refusesInvalidUTF8InStrings(_ sequence: [UInt8]) {
        let inValue = Array(#"{"k":"ab"#.utf8) + sequence + Array(#"cd"}"#.utf8)
        #expect(refusal(inValue)?.code == .invalidUTF8, "\(sequence)")
        let inKey = Array(#"{"ab"#.utf8) + sequence + Array(#"":1}"#.utf8)
        #expect(refusal(inKey)?.code == .invalidUTF8, "\(sequence)")
        let afterEscape = Array(#"["\n"#.utf8) + sequence + Array(#""]"#.utf8)
        #expect(refusal(afterEscape)?.code == .invalidUTF8, "\(sequence)")
    }

    @Test func refusesInvalidUTF8OutsideStrings() {
        #expect(refusal([0x5B, 0xFF, 0x5D]) != nil)
        #expect(refusal([0x5B, 0x31, 0x5D, 0xC3])?.code == .trailingGarbage)
        #expect(refusal([0x5B, 0xC2, 0xA0, 0x31, 0x5D])?.code == .unexpectedByte)  // NBSP is not whitespace
    }

    @Test func acceptsValidUTF8AtTheBoundaries() throws {
        let samples: [[UInt8]] = [
            [0x7F], [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],
            [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
        ]
        for sample in samples {
            let value = try JSONReader.parse([0x22] + sample + [0x22])
            #expect(value == .string(String(decoding: sample, as: UTF8.self)))
        }
    }

    @Test(arguments: [
        #"["\ud800"]"#, #"["\uDBFF"]"#, #"["\udc00"]"#, #"["\uDFFF"]"#, #"["\udc00\ud800"]"#,
        #"["\ud800\u0041"]"#, #"["\ud800x"]"#, #"["\ud800\n"]"#, #"["\ud800\ud800"]"#, #"{"\ud800":1}"#,
        #"["a\ude00b"]"#,
    ])
    func refusesLoneSurrogates(_ text: String) {
        #expect(refusal(text)?.code == .loneSurrogate, "\(text)")
    }

    @Test func decodesSurrogatePairsAndEscapes() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""\uD834\uDD1E""#) == .string("𝄞"))
        #expect(
            try parse(#""\"\\\/\b\f\n\r\t\u0000\u001f\u00e9\u20AC""#)
                == .string("\"\\/\u{8}\u{c}\n\r\t\u{0}\u{1f}é€")
        )
        #expect(try parse(#""a\u0000b""#) == .string("a\u{0}b"))
    }

    // MARK: Strings

    @Test func findsSpecialBytesAtEveryPosition() throws {
        // The string scanner checks eight bytes at a time; a special byte must be found wherever it is.
        for length in [1, 7, 8, 9, 16, 23] {
            for position in 0..<length {
                var plain = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                plain[position] = 0x01
                #expect(refusal([0x22] + plain + [0x22]) == JSONSyntaxError(.controlCharacter, offset: 1 + position))
                plain[position] = 0xFF
                #expect(refusal([0x22] + plain + [0x22]) == JSONSyntaxError(.invalidUTF8, offset: 1 + position))
                plain[position] = 0x22
                #expect(refusal([0x22] + plain + [0x22])?.code == .trailingGarbage)
                plain[position] = 0x7F
                #expect(
                    try JSONReader.parse([0x22] + plain + [0x22]) == .string(String(decoding: plain, as: UTF8.self))
                )
                var escaped = Array(plain[..<position]) + Array(#"\"é\u00e9"#.utf8) + Array(plain[position...])
                let expected =
                    String(decoding: plain[..<position], as: UTF8.self) + "\"éé"
                    + String(decoding: plain[position...], as: UTF8.self)
                #expect(try JSONReader.parse([0x22] + escaped + [0x22]) == .string(expected))
                escaped.append(0x0A)
                #expect(refusal([0x22] + escaped + [0x22])?.code == .controlCharacter)
            }
        }
    }

    @Test func refusesUnescapedControlCharacters() {
        for byte in UInt8(0)..<0x20 {
            #expect(refusal([0x22, 0x61, byte, 0x22])?.code == .controlCharacter, "\(byte)")
            #expect(refusal(Array(#""\n"#.utf8) + [byte, 0x22])?.code == .controlCharacter, "\(byte)")
        }
        // DEL is not a JSON control character.
        #expect(refusal([0x22, 0x7F, 0x22]) == nil)
    }

    @Test(arguments: [
        #""\x41""#, #""\a""#, #""\'""#, #""\U0041""#, #""\u12""#, #""\u12G4""#, #""\0""#,
        #""\ ""#, "\"\\\u{e9}\"",
    ])
    func refusesInvalidEscapes(_ text: String) {
        #expect(refusal(text)?.code == .invalidEscape, "\(text)")
    }

    @Test(arguments: [#"['a']"#, #"{'a':1}"#, #"["a]"#, #""abc"#, #"""#, #"["\"]"#])
    func refusesBadQuoting(_ text: String) {
        #expect(refusal(text) != nil, "\(text)")
    }

    // MARK: Structure

    @Test(arguments: ["[1,]", "[1,2,]", #"{"a":1,}"#, "[1, ]", "{\"a\":1,\n}", "[[],]"])
    func refusesTrailingCommas(_ text: String) {
        #expect(refusal(text)?.code == .trailingComma, "\(text)")
    }

    @Test(arguments: [
        "[,1]", "[1,,2]", "{,}", #"{"a":1,,"b":2}"#, "[1 2]", #"{"a" 1}"#, #"{"a":}"#, #"{a:1}"#,
        #"{"a":1 "b":2}"#, "[", "{", #"{"a""#, #"{"a":"#, "[1", "]", "}", ":", ",",
    ])
    func refusesMalformedStructure(_ text: String) {
        #expect(refusal(text) != nil, "\(text)")
    }

    @Test(arguments: ["[1]/*c*/", "/*c*/[1]", "[1//c\n]", "// c\n1", "#c\n1", "[1,/*c*/2]"])
    func refusesComments(_ text: String) {
        #expect(refusal(text) != nil, "\(text)")
    }

    @Test(arguments: ["{} x", "1 2", #""a"b"#, "[]]", "{}}", "null null", "truex", "[1]\u{0}", "0 0", "{}\u{c}"])
    func refusesTrailingGarbage(_ text: String) {
        #expect(refusal(text)?.code == .trailingGarbage, "\(text)")
    }

    @Test(arguments: ["x{}", "\u{c}{}", "\u{0}[]", "\u{a0}1", "tru", "nul", "True", "NULL", "undefined"])
    func refusesLeadingGarbageAndBareWords(_ text: String) {
        #expect(refusal(text) != nil, "\(text)")
    }

    @Test func acceptsWhitespaceAroundTheValue() throws {
        #expect(
            try parse(" \t\n\r{ \"a\" :\t[ 1 , 2 ]\r\n}\n ")
                == .object([JSONMember("a", .array([.number(JSONNumber(1)), .number(JSONNumber(2))]))])
        )
    }

    @Test func emptyOrBlankInputIsUnexpectedEnd() {
        #expect(refusal([UInt8]()) == JSONSyntaxError(.unexpectedEnd, offset: 0))
        #expect(refusal("  \n") == JSONSyntaxError(.unexpectedEnd, offset: 3))
    }

    @Test func acceptsTopLevelScalars() throws {
        #expect(try parse("null") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse(" false ") == .bool(false))
        #expect(try parse("-12.5e3") == .number(JSONNumber(uncheckedLiteral: "-12.5e3")))
        #expect(try parse(#""hi""#) == .string("hi"))
    }

    @Test func keepsMemberOrder() throws {
        let value = try parse(#"{"z":1,"a":2,"m":{"y":true,"b":null}}"#)
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["z", "a", "m"])
        #expect(JSONWriter.bytes(value) == Array(#"{"z":1,"a":2,"m":{"y":true,"b":null}}"#.utf8))
    }

    // MARK: Limits

    @Test func stringLimitCountsUnescapedBytes() {
        let limits = JSONReader.Limits(maxStringBytes: 8)
        #expect(refusal(#""12345678""#, limits: limits) == nil)
        #expect(refusal(#""123456789""#, limits: limits)?.code == .tooLarge)
        #expect(refusal(#""\u0031\u0032\u0033\u0034\u0035\u0036\u0037\u0038""#, limits: limits) == nil)
        #expect(refusal(#""\u0031\u0032\u0033\u0034\u0035\u0036\u0037\u0038\n""#, limits: limits)?.code == .tooLarge)
        #expect(refusal(#"{"123456789":1}"#, limits: limits)?.code == .tooLarge)
        #expect(refusal("123456789", limits: limits)?.code == .tooLarge)
        #expect(refusal(#""ééé""#, limits: .init(maxStringBytes: 5))?.code == .tooLarge)
    }

    @Test func defaultStringLimitIsOneMebibyte() {
        let ok = "\"" + String(repeating: "a", count: 1 << 20) + "\""
        #expect(refusal(ok) == nil)
        let big = "\"" + String(repeating: "a", count: (1 << 20) + 1) + "\""
        #expect(refusal(big)?.code == .tooLarge)
    }

    @Test func memberLimitAppliesToArraysAndObjects() {
        let limits = JSONReader.Limits(maxMembers: 3)
        #expect(refusal("[1,2,3]", limits: limits) == nil)
        #expect(refusal("[1,2,3,4]", limits: limits)?.code == .tooLarge)
        #expect(refusal(#"{"a":1,"b":2,"c":3}"#, limits: limits) == nil)
        #expect(refusal(#"{"a":1,"b":2,"c":3,"d":4}"#, limits: limits)?.code == .tooLarge)
        #expect(refusal("[[1,2,3],[1,2,3],[1,2,3]]", limits: limits) == nil)
    }

    @Test func defaultMemberLimitIs100000() {
        let ok = "[" + Array(repeating: "0", count: 100_000).joined(separator: ",") + "]"
        #expect(refusal(ok) == nil)
        let big = "[" + Array(repeating: "0", count: 100_001).joined(separator: ",") + "]"
        #expect(refusal(big)?.code == .tooLarge)
    }

    // MARK: Errors carry no input

    @Test func errorDescriptionsNeverContainInput() {
        let secret = "SSN-078-05-1120"
        let documents: [[UInt8]] = [
            Array(#"{"\#(secret)":1,"\#(secret)":2}"#.utf8),
            Array(#"{"a":"\#(secret)"#.utf8) + [0xFF] + Array(#""}"#.utf8),
            Array(#"["\#(secret)\ud800"]"#.utf8),
            Array(#"["\#(secret)\q"]"#.utf8),
            Array(#"["\#(secret)"#.utf8) + [0x0A] + Array(#""]"#.utf8),
            Array(#"["\#(secret)"] \#(secret)"#.utf8),
            Array(#"{"\#(secret)":\#(secret)}"#.utf8),
            Array("[1e999999\(secret)]".utf8),
            Array(#"["\#(secret)""#.utf8),
            Array(#"{"\#(secret)":1,}"#.utf8),
        ]
        for document in documents {
            guard let error = refusal(document) else {
                Issue.record("document was accepted")
                continue
            }
            let description = String(describing: error)
            #expect(!description.contains(secret))
            #expect(!description.contains("SSN"))
            #expect(description == "invalid JSON: \(error.kind) at byte \(error.offset)")
            #expect(!"\(error)".contains(secret))
            #expect(!String(reflecting: error).contains(secret))
        }
    }

    @Test func errorKindsAreStableSlugs() {
        let codes: [(JSONSyntaxError.Code, String)] = [
            (.invalidUTF8, "invalid-utf8"), (.loneSurrogate, "lone-surrogate"), (.duplicateKey, "duplicate-key"),
            (.trailingComma, "trailing-comma"), (.depthLimit, "depth-limit"),
            (.numberOutOfRange, "number-out-of-range"),
            (.invalidNumber, "invalid-number"), (.trailingGarbage, "trailing-garbage"),
            (.unexpectedEnd, "unexpected-end"),
            (.unexpectedByte, "unexpected-byte"), (.invalidEscape, "invalid-escape"),
            (.controlCharacter, "control-character"), (.byteOrderMark, "byte-order-mark"), (.tooLarge, "too-large"),
        ]
        for (code, slug) in codes {
            #expect(JSONSyntaxError(code, offset: 3).kind == slug)
            #expect(code.kind == slug)
        }
        #expect(Set(codes.map(\.0)).count == codes.count)
    }

    @Test func errorsCompareWithCodes() {
        let error = JSONSyntaxError(.duplicateKey, offset: 9)
        #expect(error == .duplicateKey)
        #expect(error != .depthLimit)
        #expect(error.code == .duplicateKey)
        #expect(error == JSONSyntaxError(.duplicateKey, offset: 9))
        #expect(error != JSONSyntaxError(.duplicateKey, offset: 10))
        switch error {
        case .depthLimit: Issue.record("wrong code")
        case .duplicateKey: break
        default: Issue.record("wrong code")
        }
    }
}
