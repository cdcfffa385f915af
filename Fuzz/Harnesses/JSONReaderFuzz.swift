// libFuzzer harness: Contracts.JSONReader (and JSONWriter, CanonicalJSON on what it accepts).
//
// Properties, for every input the reader accepts:
//  - the value is well formed: object keys unique byte for byte (the reader's fingerprint and key-set paths),
//    number literals valid RFC 8259 numbers that are finite as a Double;
//  - JSONWriter.bytes(value) parses again, to a value that writes the very same bytes (a byte-exact round trip;
//    `JSONValue ==` alone would accept canonically equivalent strings), and write(into:) appends the same bytes;
//  - the limits are exact: the document parses with maxDepth/maxStringBytes/maxMembers set to exactly what it
//    uses, and is refused with the matching code (depth-limit, too-large) one below;
//  - when CanonicalJSON accepts it, the canonical bytes parse and canonicalise to themselves.
// For every input it refuses: the error offset lies within the input.
import Contracts

private struct Extent {
    var depth = 0  // containers, a top-level container is 1
    var longestString = -1  // UTF-8 bytes of the longest key, string or number literal; -1 if none
    var mostMembers = 0  // entries of the biggest container
}

private func measure(_ value: JSONValue, into extent: inout Extent, level: Int, input: [UInt8]) {
    switch value {
    case .null, .bool:
        break
    case .number(let number):
        check(
            isRFC8259Number(number.literal),
            "a number literal is not an RFC 8259 number",
            input: input,
            number.literal
        )
        check(Double(number.literal)?.isFinite == true, "a number literal is not finite", input: input, number.literal)
        extent.longestString = max(extent.longestString, number.literal.utf8.count)
    case .string(let string):
        extent.longestString = max(extent.longestString, string.utf8.count)
    case .array(let elements):
        extent.depth = max(extent.depth, level + 1)
        extent.mostMembers = max(extent.mostMembers, elements.count)
        for element in elements { measure(element, into: &extent, level: level + 1, input: input) }
    case .object(let members):
        extent.depth = max(extent.depth, level + 1)
        extent.mostMembers = max(extent.mostMembers, members.count)
        var keys = Set<[UInt8]>(minimumCapacity: members.count)
        for member in members {
            check(
                keys.insert(Array(member.key.utf8)).inserted,
                "an accepted object has a repeated key",
                input: input,
                member.key
            )
            extent.longestString = max(extent.longestString, member.key.utf8.count)
            measure(member.value, into: &extent, level: level + 1, input: input)
        }
    }
}

/// An independent check of the RFC 8259 number grammar.
private func isRFC8259Number(_ literal: String) -> Bool {
    let b = Array(literal.utf8)
    var i = 0
    func digit(_ k: Int) -> Bool { k < b.count && b[k] >= 0x30 && b[k] <= 0x39 }
    if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
    guard digit(i) else { return false }
    if b[i] == UInt8(ascii: "0") { i += 1 } else { while digit(i) { i += 1 } }
    if i < b.count, b[i] == UInt8(ascii: ".") {
        i += 1
        guard digit(i) else { return false }
        while digit(i) { i += 1 }
    }
    if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
        i += 1
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        guard digit(i) else { return false }
        while digit(i) { i += 1 }
    }
    return i == b.count
}

private func outcome(_ bytes: [UInt8], _ limits: JSONReader.Limits) -> Result<JSONValue, JSONSyntaxError> {
    do { return .success(try JSONReader.parse(bytes, limits: limits)) } catch { return .failure(error) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONReader(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let input = fuzzInput(start, count)
    let defaults = JSONReader.Limits()
    let value: JSONValue
    switch outcome(input, defaults) {
    case .failure(let error):
        check(
            error.offset >= 0 && error.offset <= input.count,
            "error offset outside the input",
            input: input,
            "\(error)"
        )
        return 0
    case .success(let parsed):
        value = parsed
    }

    var extent = Extent()
    measure(value, into: &extent, level: 0, input: input)

    // Byte-exact round trip through the writer.
    let written = JSONWriter.bytes(value)
    switch outcome(written, defaults) {
    case .failure(let error):
        violated("JSONWriter output does not parse", input: input, "\(error); written: \(hex(written))")
    case .success(let again):
        check(again == value, "round trip changed the value", input: input, "written: \(hex(written))")
        let rewritten = JSONWriter.bytes(again)
        check(
            rewritten == written,
            "round trip is not byte-exact",
            input: input,
            "\(hex(written)) vs \(hex(rewritten))"
        )
    }
    var appended: [UInt8] = [0x20, 0x5B]
    JSONWriter.write(value, into: &appended)
    check(
        appended.count == written.count + 2 && appended.dropFirst(2).elementsEqual(written),
        "write(into:) differs from bytes(_:)",
        input: input
    )

    // The limits are exact.
    func expectLimit(_ limits: JSONReader.Limits, accepted: Bool, code: JSONSyntaxError.Code, _ what: String) {
        switch outcome(input, limits) {
        case .success:
            check(accepted, "accepted one below its \(what)", input: input, "\(limits)")
        case .failure(let error):
            check(!accepted, "refused at exactly its \(what)", input: input, "\(limits): \(error)")
            check(error == code, "refused below its \(what) with the wrong code", input: input, "\(limits): \(error)")
        }
    }
    if extent.depth > 0 {
        expectLimit(.init(maxDepth: extent.depth), accepted: true, code: .depthLimit, "depth")
        expectLimit(.init(maxDepth: extent.depth - 1), accepted: false, code: .depthLimit, "depth")
    }
    if extent.longestString >= 0 {
        expectLimit(.init(maxStringBytes: extent.longestString), accepted: true, code: .tooLarge, "longest string")
        expectLimit(.init(maxStringBytes: extent.longestString - 1), accepted: false, code: .tooLarge, "longest string")
    }
    if extent.mostMembers > 0 {
        expectLimit(.init(maxMembers: extent.mostMembers), accepted: true, code: .tooLarge, "member count")
        expectLimit(.init(maxMembers: extent.mostMembers - 1), accepted: false, code: .tooLarge, "member count")
    }

    // Canonical JSON is a fixed point.
    if let canonical = try? CanonicalJSON.bytes(value) {
        switch outcome(canonical, defaults) {
        case .failure(let error):
            violated("canonical bytes do not parse", input: input, "\(error); canonical: \(hex(canonical))")
        case .success(let reparsed):
            let again = try? CanonicalJSON.bytes(reparsed)
            check(
                again == canonical,
                "canonical JSON is not idempotent",
                input: input,
                "\(hex(canonical)) vs \(again.map { hex($0) } ?? "error")"
            )
        }
    }
    return 0
}
