// Shared by every harness in Fuzz/Harnesses (compiled into each one by scripts/fuzz.sh).
// Not part of the package: SwiftPM never sees this directory.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fuzzer's input as an array (libFuzzer may pass a null pointer for an empty input).
@inline(__always)
func fuzzInput(_ start: UnsafeRawPointer?, _ count: Int) -> [UInt8] {
    guard let start, count > 0 else { return [] }
    return Array(UnsafeRawBufferPointer(start: start, count: count))
}

/// FUZZ_VERBOSE=1 makes harnesses print what they saw (to replay one input: `bin/NAME FILE`).
let fuzzVerbose = getenv("FUZZ_VERBOSE") != nil

/// Lowercase hex, for reports.
func hex(_ bytes: some Collection<UInt8>, limit: Int = 4096) -> String {
    let digits: [Character] = Array("0123456789abcdef")
    var out = ""
    out.reserveCapacity(min(bytes.count, limit) * 2)
    for byte in bytes.prefix(limit) {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    if bytes.count > limit { out += "...(\(bytes.count) bytes)" }
    return out
}

/// Writes to standard error without Foundation.
func stderrWrite(_ text: String) {
    var text = text
    text.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}

/// A property was violated: prints what and the input, then traps so that libFuzzer saves the input
/// (`crash-<sha1>`) and prints the stack.
func violated(_ property: String, input: [UInt8], _ details: @autoclosure () -> String = "") -> Never {
    stderrWrite("\n==FUZZ PROPERTY VIOLATED== \(property)\n")
    let extra = details()
    if !extra.isEmpty { stderrWrite("details: \(extra)\n") }
    stderrWrite("input (\(input.count) bytes, hex): \(hex(input))\n")
    fatalError("property violated: \(property)")
}

/// `violated` unless `condition` holds.
@inline(__always)
func check(
    _ condition: @autoclosure () -> Bool,
    _ property: @autoclosure () -> String,
    input: [UInt8],
    _ details: @autoclosure () -> String = ""
) {
    if !condition() { violated(property(), input: input, details()) }
}

/// Whether two strings have the same UTF-8 bytes (Swift `==` is canonical equivalence).
func sameBytes(_ a: String, _ b: String) -> Bool {
    a.utf8.elementsEqual(b.utf8)
}
