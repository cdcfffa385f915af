// libFuzzer harness: Gateway's RequestTarget(parsing:) (compiled in with RequestTarget.swift and the form codec).
//
// The input is the request target, read as UTF-8 (invalid sequences become U+FFFD, which the parser must refuse
// in a path anyway). Properties, for every target it accepts:
//  - the vendor-relative path starts with `/` and contains no `//`, `%`, `\`, `?`, `#`, no byte outside
//    0x21...0x7E, and no `.` or `..` segment (segments such as `a..b` or `...` are not dot segments: RFC 3986
//    section 3.3, and the parser's documentation, only name `.` and `..`);
//  - the vendor id is a valid id and the target is exactly `/vendors/` + id + path [+ `?` + query];
//  - the query members have non-empty, bracket-free keys, unique byte for byte, and survive FormCodec's
//    bytes -> parse unchanged;
//  - parsing is deterministic.
import Contracts

private func outcome(_ target: String) -> Result<RequestTarget, RequestTarget.Refusal> {
    do { return .success(try RequestTarget(parsing: target)) } catch { return .failure(error) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestTarget(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let input = fuzzInput(start, count)
    let target = String(decoding: input, as: UTF8.self)
    let first = outcome(target)
    let second = outcome(target)
    check(first == second, "parsing is not deterministic", input: input)
    guard case .success(let parsed) = first else { return 0 }

    let path = Array(parsed.path.utf8)
    check(path.first == UInt8(ascii: "/"), "path does not start with /", input: input, parsed.path)
    for byte in path {
        check(byte > 0x20 && byte < 0x7F, "path has a control, space or non-ASCII byte", input: input, parsed.path)
        check(
            byte != UInt8(ascii: "%") && byte != UInt8(ascii: "\\") && byte != UInt8(ascii: "?")
                && byte != UInt8(ascii: "#"),
            "path has %, \\, ? or #",
            input: input,
            parsed.path
        )
    }
    check(
        !parsed.path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst().contains {
            $0.isEmpty || $0.elementsEqual([0x2E]) || $0.elementsEqual([0x2E, 0x2E])
        },
        "path has an empty, . or .. segment (or //)",
        input: input,
        parsed.path
    )
    check(RequestTarget.isIdentifier(parsed.vendorID), "vendor id is not an id", input: input, parsed.vendorID)

    // The target is exactly what was parsed.
    let targetBytes = Array(target.utf8)
    let rebuilt = Array((RequestTarget.prefix + parsed.vendorID + parsed.path).utf8)
    check(
        targetBytes.starts(with: rebuilt),
        "the target does not start with /vendors/{id}{path}",
        input: input,
        "\(parsed.vendorID) \(parsed.path)"
    )
    let rest = targetBytes.dropFirst(rebuilt.count)
    check(
        rest.isEmpty || rest.first == UInt8(ascii: "?"),
        "something other than a query follows the path",
        input: input
    )
    check(
        rest.isEmpty || !parsed.query.isEmpty || rest.count == 1,
        "a non-empty query string gave no members",
        input: input
    )

    // The query.
    var keys = Set<[UInt8]>()
    for member in parsed.query {
        let key = Array(member.key.utf8)
        check(
            !key.isEmpty && !key.contains(UInt8(ascii: "[")) && !key.contains(UInt8(ascii: "]")),
            "an accepted query name is empty or bracketed",
            input: input,
            member.key
        )
        check(keys.insert(key).inserted, "an accepted query name repeats", input: input, member.key)
        guard case .string = member.value else { violated("a query value is not a string", input: input) }
    }
    let written = FormCodec.bytes(parsed.query)
    do {
        let again = try FormCodec.parse(written, maxPairs: max(parsed.query.count, 1))
        // FormCodec.bytes writes every byte of every key and value, so equal bytes mean byte-equal members.
        check(
            again.count == parsed.query.count && FormCodec.bytes(again) == written,
            "the query does not survive FormCodec's round trip",
            input: input,
            hex(written)
        )
    } catch {
        violated("the query's FormCodec bytes do not parse", input: input, "\(error); \(hex(written))")
    }
    return 0
}
