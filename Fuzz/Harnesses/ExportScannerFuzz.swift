// libFuzzer harness: Gateway's ExportEntryScanner (compiled in with ExportEntryScanner.swift), checked against
// Contracts.JSONReader, which implements the same RFC 8259 grammar independently.
//
// The input is an export: lines split at LF, each scanned as ExportVerifier does. Properties, per line:
//  - scanning is deterministic, and a scanned `origin` is valid UTF-8;
//  - whatever JSONReader accepts (nesting within the scanner's maximumDepth) the scanner accepts: an object
//    with exactly the `seq` and `origin` the reader sees (and no duplicate), anything else as notAnObject;
//  - whatever the scanner accepts the reader accepts too, unless the reader's refusal is one the scanner does
//    not make by design (duplicate-key, number-out-of-range, lone-surrogate, depth-limit);
//  - what both accept re-scans identically once re-serialised with JSONWriter.
import Contracts

private typealias Scan = Result<ExportEntryScanner.Fields, ExportEntryScanner.Failure>

private func scan(_ line: [UInt8]) -> Scan {
    line.withUnsafeBytes { raw in
        do throws(ExportEntryScanner.Failure) { return .success(try ExportEntryScanner.scan(raw)) } catch {
            return .failure(error)
        }
    }
}

/// The deepest nesting position of a value: 0 for a scalar or an empty container, else 1 + its children's.
private func position(_ value: JSONValue) -> Int {
    switch value {
    case .array(let elements): elements.isEmpty ? 0 : 1 + elements.map(position).max()!
    case .object(let members): members.isEmpty ? 0 : 1 + members.map { position($0.value) }.max()!
    default: 0
    }
}

/// What the scanner should report for an object the reader accepted (so with unique keys).
private func expectedFields(_ members: [JSONMember]) -> ExportEntryScanner.Fields {
    var fields = ExportEntryScanner.Fields()
    for member in members {
        if sameBytes(member.key, "seq") {
            if case .number(let number) = member.value {
                let literal = number.literal
                if literal.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }) {
                    fields.seq = .notInteger
                } else if let integer = Int(literal) {
                    fields.seq = .integer(integer)
                } else {
                    fields.seq = .outOfRange(literal)
                }
            } else {
                fields.seq = .notInteger
            }
        } else if sameBytes(member.key, "origin") {
            if case .string(let string) = member.value {
                fields.origin = .string(Array(string.utf8))
            } else {
                fields.origin = .notString
            }
        }
    }
    return fields
}

private func same(_ a: ExportEntryScanner.Fields, _ b: ExportEntryScanner.Fields) -> Bool {
    a.seq == b.seq && a.origin == b.origin && a.duplicate == b.duplicate
}

private func same(_ a: Scan, _ b: Scan) -> Bool {
    switch (a, b) {
    case (.success(let x), .success(let y)): same(x, y)
    case (.failure(let x), .failure(let y)): x == y
    default: false
    }
}

private let readerLimits = JSONReader.Limits(maxDepth: 1000, maxStringBytes: Int.max, maxMembers: Int.max)

private func checkLine(_ line: [UInt8], input: [UInt8]) {
    let scanned = scan(line)
    check(same(scan(line), scanned), "scanning is not deterministic", input: input, hex(line))
    if case .success(let fields) = scanned, case .string(let origin) = fields.origin {
        check(
            String(validating: origin, as: UTF8.self) != nil,
            "a scanned origin is not UTF-8",
            input: input,
            hex(origin)
        )
    }

    let read: Result<JSONValue, JSONSyntaxError>
    do { read = .success(try JSONReader.parse(line, limits: readerLimits)) } catch { read = .failure(error) }

    switch read {
    case .success(let value):
        guard position(value) < ExportEntryScanner.maximumDepth else { return }
        if case .object(let members) = value {
            guard case .success(let fields) = scanned else {
                violated(
                    "the scanner refused an object the reader accepted",
                    input: input,
                    "\(scanned); line \(hex(line))"
                )
            }
            let expected = expectedFields(members)
            check(
                same(fields, expected),
                "the scanner and the reader disagree on seq/origin",
                input: input,
                "scanner \(fields), reader \(expected); line \(hex(line))"
            )
        } else {
            check(
                same(scanned, .failure(.notAnObject)),
                "a non-object the reader accepted is not notAnObject",
                input: input,
                "\(scanned); line \(hex(line))"
            )
        }
        // Re-serialised, it scans the same.
        let rewritten = JSONWriter.bytes(value)
        check(
            same(scan(rewritten), scanned),
            "the re-serialised line scans differently",
            input: input,
            "\(scanned) vs \(scan(rewritten)); rewritten \(hex(rewritten))"
        )
    case .failure(let error):
        let accepted: Bool
        switch scanned {
        case .success, .failure(.notAnObject): accepted = true
        case .failure(.invalid): accepted = false
        }
        if accepted {
            check(
                error == .duplicateKey || error == .numberOutOfRange || error == .loneSurrogate || error == .depthLimit,
                "the scanner accepted what the reader refuses",
                input: input,
                "\(error); line \(hex(line))"
            )
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExportScanner(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let input = fuzzInput(start, count)
    for line in input.split(separator: 0x0A, omittingEmptySubsequences: false) {
        checkLine(Array(line), input: input)
    }
    return 0
}
