// libFuzzer harness: Gateway's FormCodec (compiled in with Sources/Gateway/Codecs/Form*.swift).
//
// Properties:
//  - parse -> bytes -> parse is byte-exact (keys and values compared by their UTF-8 bytes), and bytes(_:) is a
//    fixed point on its own output;
//  - what parse accepts has non-empty, bracket-free keys that are unique byte for byte, and only `.string` values;
//  - bytes(_:) only writes unreserved bytes, `+`, `%XX`, `=` and `&`;
//  - maxPairs is exact: parse succeeds with maxPairs = the pair count and refuses one below with too-many-pairs;
//  - a refusal's offset lies within the input;
//  - the input read as NUL-separated key/value strings (any Unicode) survives bytes -> parse unchanged whenever
//    the keys are acceptable (non-empty, no brackets, distinct).
import Contracts

private func parsed(_ bytes: [UInt8], maxPairs: Int = 1000) -> Result<[JSONMember], FormSyntaxError> {
    do { return .success(try FormCodec.parse(bytes, maxPairs: maxPairs)) } catch { return .failure(error) }
}

private func sameMembers(_ a: [JSONMember], _ b: [JSONMember]) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) {
        guard sameBytes(x.key, y.key), case .string(let s) = x.value, case .string(let t) = y.value, sameBytes(s, t)
        else { return false }
    }
    return true
}

private func isEncodedByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "+"),
        UInt8(ascii: "%"), UInt8(ascii: "="), UInt8(ascii: "&"):
        return true
    default:
        return false
    }
}

private func checkRoundTrip(_ members: [JSONMember], input: [UInt8], _ what: String) {
    let written = FormCodec.bytes(members)
    check(written.allSatisfy(isEncodedByte), "\(what): bytes(_:) wrote a reserved byte", input: input, hex(written))
    switch parsed(written, maxPairs: max(members.count, 1)) {
    case .failure(let error):
        violated("\(what): bytes(_:) output does not parse", input: input, "\(error); written: \(hex(written))")
    case .success(let again):
        check(sameMembers(again, members), "\(what): round trip changed the members", input: input, hex(written))
        check(FormCodec.bytes(again) == written, "\(what): bytes(_:) is not a fixed point", input: input, hex(written))
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormCodec(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let input = fuzzInput(start, count)

    switch parsed(input) {
    case .failure(let error):
        check(
            error.offset >= 0 && error.offset <= input.count,
            "error offset outside the input",
            input: input,
            "\(error)"
        )
    case .success(let members):
        var keys = Set<[UInt8]>()
        for member in members {
            let key = Array(member.key.utf8)
            check(!key.isEmpty, "an accepted key is empty", input: input)
            check(
                !key.contains(UInt8(ascii: "[")) && !key.contains(UInt8(ascii: "]")),
                "an accepted key has a bracket",
                input: input
            )
            check(keys.insert(key).inserted, "an accepted key repeats", input: input, member.key)
            guard case .string = member.value else { violated("an accepted value is not a string", input: input) }
        }
        checkRoundTrip(members, input: input, "parsed input")
        if !members.isEmpty {
            switch parsed(input, maxPairs: members.count) {
            case .failure(let error): violated("refused at exactly maxPairs", input: input, "\(error)")
            case .success(let again): check(sameMembers(again, members), "maxPairs changed the result", input: input)
            }
            switch parsed(input, maxPairs: members.count - 1) {
            case .failure(let error):
                check(error == .tooManyPairs, "wrong error one below maxPairs", input: input, "\(error)")
            case .success: violated("accepted one pair over maxPairs", input: input)
            }
        }
    }

    // The input as NUL-separated key, value, key, value... strings (invalid UTF-8 repaired).
    let fields = input.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    var members: [JSONMember] = []
    var keys = Set<[UInt8]>()
    var index = 0
    while index < fields.count {
        let key = fields[index]
        let value = index + 1 < fields.count ? fields[index + 1] : ""
        index += 2
        let keyBytes = Array(key.utf8)
        guard !keyBytes.isEmpty, !keyBytes.contains(UInt8(ascii: "[")), !keyBytes.contains(UInt8(ascii: "]")),
            keys.insert(keyBytes).inserted
        else { continue }
        members.append(JSONMember(key, .string(value)))
    }
    checkRoundTrip(members, input: input, "members from input")
    return 0
}
