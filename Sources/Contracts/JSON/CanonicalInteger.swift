/// Reads an RFC 8259 number literal as an exact integer within ±(2^53 − 1), for ``CanonicalJSON``.
///
/// Works on the decimal digits, never through `Double`, so `9007199254740993` is refused rather than
/// rounded, and `1.0` / `1e2` / `1500e-1` are read exactly as 1 / 100 / 150.
enum CanonicalInteger {
    /// 2^53 − 1, the largest integer RFC 8785 (via IEEE 754 doubles) represents exactly.
    static let maxMagnitude: Int64 = (1 << 53) - 1

    static func parse(_ literal: String) throws(CanonicalJSONError) -> Int64 {
        var utf8 = Array(literal.utf8)[...]
        var negative = false
        if utf8.first == UInt8(ascii: "-") {
            negative = true
            utf8 = utf8.dropFirst()
        }
        // Integer part.
        let integerDigits = utf8.prefix { isDigit($0) }
        guard !integerDigits.isEmpty else { throw CanonicalJSONError(.invalidNumber) }
        if integerDigits.count > 1, integerDigits.first == UInt8(ascii: "0") {
            throw CanonicalJSONError(.invalidNumber)
        }
        utf8 = utf8.dropFirst(integerDigits.count)
        // Fraction.
        var fractionDigits: ArraySlice<UInt8> = []
        if utf8.first == UInt8(ascii: ".") {
            utf8 = utf8.dropFirst()
            fractionDigits = utf8.prefix { isDigit($0) }
            guard !fractionDigits.isEmpty else { throw CanonicalJSONError(.invalidNumber) }
            utf8 = utf8.dropFirst(fractionDigits.count)
        }
        // Exponent, saturated far beyond any digit count that could matter.
        var exponent = 0
        if let e = utf8.first, e | 0x20 == UInt8(ascii: "e") {
            utf8 = utf8.dropFirst()
            var exponentNegative = false
            if utf8.first == UInt8(ascii: "+") || utf8.first == UInt8(ascii: "-") {
                exponentNegative = utf8.first == UInt8(ascii: "-")
                utf8 = utf8.dropFirst()
            }
            let exponentDigits = utf8.prefix { isDigit($0) }
            guard !exponentDigits.isEmpty else { throw CanonicalJSONError(.invalidNumber) }
            utf8 = utf8.dropFirst(exponentDigits.count)
            for digit in exponentDigits where exponent < 1_000_000_000_000 {
                exponent = exponent * 10 + Int(digit - UInt8(ascii: "0"))
            }
            if exponentNegative { exponent = -exponent }
        }
        guard utf8.isEmpty else { throw CanonicalJSONError(.invalidNumber) }

        // value = significand × 10^exponent, with significand = integer digits followed by fraction digits.
        var significand = Array(integerDigits) + Array(fractionDigits)
        exponent -= fractionDigits.count
        while let last = significand.last, last == UInt8(ascii: "0"), significand.count > 1 {
            significand.removeLast()
            exponent += 1
        }
        let firstNonZero = significand.firstIndex { $0 != UInt8(ascii: "0") } ?? significand.count
        significand.removeFirst(firstNonZero)
        if significand.isEmpty { return 0 }  // also -0
        guard exponent >= 0 else { throw CanonicalJSONError(.nonIntegerNumber) }
        // 2^53 − 1 has 16 digits.
        guard significand.count + exponent <= 16 else { throw CanonicalJSONError(.numberOutOfRange) }
        var magnitude: Int64 = 0
        for digit in significand {
            magnitude = magnitude * 10 + Int64(digit - UInt8(ascii: "0"))
        }
        for _ in 0..<exponent {
            magnitude *= 10
        }
        guard magnitude <= maxMagnitude else { throw CanonicalJSONError(.numberOutOfRange) }
        return negative ? -magnitude : magnitude
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
