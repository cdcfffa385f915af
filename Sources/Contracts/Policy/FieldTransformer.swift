import Crypto

/// The value transforms an agreement can ask for.
///
/// - `hash`: HMAC-SHA256 under the vendor's own key, lowercase hex (the same subject looks different to
///   each vendor, and the vendor cannot reverse it by guessing).
/// - `mask`: every character but the last four replaced by `*`; values of four characters or fewer are
///   masked entirely (keeping them would keep everything).
/// - `generalize`, by the value's type: IPv4 to its /24 (`203.0.113.0`), IPv6 to its /48 (`2001:db8:1::`),
///   an ISO date or date-time to its year, a postal code (category named `postal_code`, `postcode` or `zip`)
///   to its first three characters. Anything else cannot be generalised and is removed.
public struct FieldTransformer: Sendable {
    let hashKey: SymmetricKey
    /// An HMAC already keyed with `hashKey`: copying it skips deriving the inner and outer pads per value.
    private let keyed: HMAC<SHA256>

    public init(hashKey: SymmetricKey) {
        self.hashKey = hashKey
        self.keyed = HMAC<SHA256>(key: hashKey)
    }

    /// The transformed value, or `nil` when the value cannot take the transform (it is then removed).
    public func apply(_ transform: Transform, to value: JSONValue, category: String) -> JSONValue? {
        switch transform {
        case .remove: return nil
        case .hash: return .string(hash(value))
        case .mask: return mask(value)
        case .generalize: return generalize(value, category: category)
        }
    }

    func hash(_ value: JSONValue) -> String {
        var mac = keyed
        switch value {
        case .string(var string):
            string.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
        case .number(let number):
            var literal = number.literal
            literal.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
        default: mac.update(data: JSONWriter.bytes(value))
        }
        return Self.hex(Array(mac.finalize()))
    }

    func mask(_ value: JSONValue) -> JSONValue? {
        let text: String
        switch value {
        case .string(let string): text = string
        case .number(let number): text = number.literal
        default: return nil
        }
        let characters = Array(text)
        guard characters.count > 4 else { return .string(String(repeating: "*", count: characters.count)) }
        return .string(String(repeating: "*", count: characters.count - 4) + String(characters.suffix(4)))
    }

    func generalize(_ value: JSONValue, category: String) -> JSONValue? {
        guard case .string(let text) = value else { return nil }
        if let address = IPAddress(text) {
            switch address {
            case .v4(let b): return .string("\(b[0]).\(b[1]).\(b[2]).0")
            case .v6(let b):
                let groups = stride(from: 0, to: 6, by: 2).map {
                    String(UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]), radix: 16)
                }
                return .string(groups.joined(separator: ":") + "::")
            }
        }
        let utf8 = Array(text.utf8)
        if utf8.count >= 10, CivilDate(String(decoding: utf8[0..<10], as: UTF8.self)) != nil,
            utf8.count == 10 || Timestamp(rfc3339: text) != nil
        {
            return .string(String(decoding: utf8[0..<4], as: UTF8.self))
        }
        let lastSegment = category.split(separator: ".").last ?? ""
        if lastSegment.contains("postal") || lastSegment.contains("postcode") || lastSegment.contains("zip") {
            let compact = text.filter { !$0.isWhitespace }
            guard compact.count >= 3, compact.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
            else { return nil }
            return .string(String(compact.prefix(3)).uppercased())
        }
        return nil
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
