import Contracts
import Testing

@testable import Gateway

private func formError(_ text: String, maxPairs: Int = 1000) -> FormSyntaxError? {
    formError(Array(text.utf8), maxPairs: maxPairs)
}

private func formError(_ bytes: [UInt8], maxPairs: Int = 1000) -> FormSyntaxError? {
    do {
        _ = try FormCodec.parse(bytes, maxPairs: maxPairs)
        return nil
    } catch {
        return error
    }
}

private func form(_ text: String) throws -> [JSONMember] {
    try FormCodec.parse(Array(text.utf8))
}

private func encoded(_ members: [JSONMember]) -> String {
    String(decoding: FormCodec.bytes(members), as: UTF8.self)
}

@Suite("FormCodec")
struct FormCodecTests {
    // MARK: Parsing

    @Test func parsesPairsInOrder() throws {
        #expect(
            try form("b=2&a=hello+world&c=%E2%82%AC%2b1&d=&e") == [
                JSONMember("b", .string("2")),
                JSONMember("a", .string("hello world")),
                JSONMember("c", .string("€+1")),
                JSONMember("d", .string("")),
                JSONMember("e", .string("")),
            ]
        )
    }

    @Test func splitsAtTheFirstEquals() throws {
        #expect(try form("a=b=c&x==") == [JSONMember("a", .string("b=c")), JSONMember("x", .string("="))])
    }

    @Test func decodesKeysToo() throws {
        #expect(
            try form("first+name=Ada&e%2Dmail=a%40b.c") == [
                JSONMember("first name", .string("Ada")), JSONMember("e-mail", .string("a@b.c")),
            ]
        )
    }

    @Test func emptyInputHasNoMembers() throws {
        #expect(try FormCodec.parse([]) == [])
    }

    @Test func aPairWithoutEqualsIsAnEmptyValue() throws {
        #expect(try form("flag") == [JSONMember("flag", .string(""))])
        #expect(try form("a&b=1") == [JSONMember("a", .string("")), JSONMember("b", .string("1"))])
    }

    // MARK: Refusals

    @Test(arguments: ["a=%zz", "a=%4", "a=%", "a=1%", "%4=1", "a=%G1", "a=%1G", "a=%%41", "%=1", "a=%-1"])
    func refusesInvalidPercentEscapes(_ text: String) {
        #expect(formError(text)?.code == .invalidPercentEscape, "\(text)")
    }

    @Test(arguments: ["a=%FF", "a=%C0%AF", "a=%ED%A0%80", "a=%F4%90%80%80", "a=%E2%82", "%80=1", "a=%C3"])
    func refusesInvalidUTF8AfterDecoding(_ text: String) {
        #expect(formError(text)?.code == .invalidUTF8, "\(text)")
    }

    @Test func refusesRawInvalidUTF8() {
        #expect(formError(Array("a=".utf8) + [0xFF])?.code == .invalidUTF8)
        #expect(formError([0xC3] + Array("=1".utf8))?.code == .invalidUTF8)
    }

    @Test(arguments: ["a=1&a=2", "a=1&a", "a=1&%61=2", "a+b=1&a%20b=2", "a=1&b=2&a=1", "%C3%A9=1&%c3%a9=2"])
    func refusesRepeatedKeys(_ text: String) {
        #expect(formError(text)?.code == .duplicateKey, "\(text)")
    }

    @Test func canonicallyEquivalentKeysAreTwoKeys() throws {
        // Identifiers are their bytes: NFC and NFD spellings of a name are two names.
        let members = try FormCodec.parse(Array("%C3%A9=1&e%CC%81=2".utf8))
        #expect(members.map { Array($0.key.utf8) } == [[0xC3, 0xA9], [0x65, 0xCC, 0x81]])
    }

    @Test(arguments: ["a[b]=1", "a[]=1", "a[=1", "a]=1", "[=1", "a%5Bb%5D=1", "a%5b%5d=1", "a%5B%5D=1", "x=1&y[0]=2"])
    func refusesBracketedKeys(_ text: String) {
        #expect(formError(text)?.code == .bracketedKey, "\(text)")
    }

    @Test func bracketsInValuesAreFine() throws {
        #expect(try form("a=%5B1%5D&b=[x]") == [JSONMember("a", .string("[1]")), JSONMember("b", .string("[x]"))])
    }

    @Test(arguments: ["=1", "=", "a=1&=2", "a=1&="])
    func refusesEmptyKeys(_ text: String) {
        #expect(formError(text)?.code == .emptyKey, "\(text)")
    }

    @Test(arguments: ["a=1&&b=2", "&a=1", "a=1&", "&", "&&", "a&&"])
    func refusesEmptyPairs(_ text: String) {
        #expect(formError(text)?.code == .emptyPair, "\(text)")
    }

    @Test func refusesTooManyPairs() throws {
        #expect(try FormCodec.parse(Array("a=1&b=2&c=3".utf8), maxPairs: 3).count == 3)
        #expect(formError("a=1&b=2&c=3&d=4", maxPairs: 3)?.code == .tooManyPairs)
        #expect(formError("a=1&b=2&c=3&d=4", maxPairs: 3)?.offset == 12)
        let many = (0...1000).map { "k\($0)=\($0)" }.joined(separator: "&")
        #expect(formError(many)?.code == .tooManyPairs)
        #expect(try form((0..<1000).map { "k\($0)" }.joined(separator: "&")).count == 1000)
        #expect(formError("a", maxPairs: 0)?.code == .tooManyPairs)
    }

    @Test func offsetsPointAtTheProblem() {
        #expect(formError("a=1&&b=2") == FormSyntaxError(.emptyPair, offset: 4))
        #expect(formError("a=1&b=%zz") == FormSyntaxError(.invalidPercentEscape, offset: 6))
        #expect(formError("a=1&a=2") == FormSyntaxError(.duplicateKey, offset: 4))
    }

    @Test func errorDescriptionsNeverContainInput() {
        let secret = "ada.lovelace%40example.org"
        for text in [
            "email=\(secret)&email=\(secret)", "email=\(secret)%zz", "email[\(secret)]=1",
            "email=\(secret)%FF", "email=\(secret)&&x", "=\(secret)",
        ] {
            guard let error = formError(text) else {
                Issue.record("accepted")
                continue
            }
            let description = String(describing: error)
            #expect(!description.contains("ada"))
            #expect(!description.contains("lovelace"))
            #expect(description == "invalid form body: \(error.kind) at byte \(error.offset)")
        }
    }

    // MARK: Writing

    @Test func percentEncodesAllButUnreservedAndSpaceAsPlus() {
        #expect(
            encoded([JSONMember("a b", .string("x*-._~!'()+&=%/?#[]"))])
                == "a+b=x*-._%7E%21%27%28%29%2B%26%3D%25%2F%3F%23%5B%5D"
        )
        #expect(encoded([JSONMember("k", .string("€ é\n"))]) == "k=%E2%82%AC+%C3%A9%0A")
        #expect(encoded([JSONMember("AZaz09", .string(""))]) == "AZaz09=")
        #expect(encoded([]) == "")
    }

    @Test func writesNonStringValuesAsJSONText() {
        let members: [JSONMember] = [
            JSONMember("n", .number(JSONNumber(-12))),
            JSONMember("f", .number(JSONNumber(uncheckedLiteral: "1.5e3"))),
            JSONMember("t", .bool(true)),
            JSONMember("z", .null),
            JSONMember("l", .array([.number(JSONNumber(1)), .string("a b")])),
            JSONMember("o", .object([JSONMember("k", .bool(false))])),
        ]
        #expect(encoded(members) == "n=-12&f=1.5e3&t=true&z=null&l=%5B1%2C%22a+b%22%5D&o=%7B%22k%22%3Afalse%7D")
    }

    @Test func stringMembersRoundTrip() throws {
        let samples: [[JSONMember]] = [
            [JSONMember("a", .string("1"))],
            [JSONMember("first name", .string("Ada Lovelace")), JSONMember("e-mail", .string("ada@example.org"))],
            [
                JSONMember("q", .string("a+b=c&d%e")), JSONMember("emoji", .string("😀\u{2028}\u{0}")),
                JSONMember("empty", .string("")),
            ],
            [JSONMember("é", .string("[x]")), JSONMember("*-._", .string("~"))],
        ]
        for members in samples {
            #expect(try FormCodec.parse(FormCodec.bytes(members)) == members)
        }
    }

    @Test func randomMembersRoundTrip() throws {
        var rng = SystemRandomNumberGenerator()
        let pool = Array("aZ09 +&=%*-._~\"'[]/?#€é😀\n\t\u{0}".unicodeScalars)
        for _ in 0..<500 {
            var members: [JSONMember] = []
            for index in 0..<Int.random(in: 0...6, using: &rng) {
                var value = String.UnicodeScalarView()
                for _ in 0..<Int.random(in: 0...10, using: &rng) { value.append(pool.randomElement(using: &rng)!) }
                members.append(JSONMember("k\(index)", .string(String(value))))
            }
            #expect(try FormCodec.parse(FormCodec.bytes(members)) == members)
        }
    }
}
