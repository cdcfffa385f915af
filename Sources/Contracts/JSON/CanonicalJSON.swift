// TEMPORARY placeholder until the real canonicaliser lands.
public struct CanonicalJSONError: Error, Sendable {}
public enum CanonicalJSON {
    public static func bytes(_ value: JSONValue) throws(CanonicalJSONError) -> [UInt8] {
        var out: [UInt8] = []
        try write(value, into: &out)
        return out
    }
    static func write(_ value: JSONValue, into out: inout [UInt8]) throws(CanonicalJSONError) {
        switch value {
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() { if i > 0 { out.append(UInt8(ascii: ",")) }; try write(e, into: &out) }
            out.append(UInt8(ascii: "]"))
        case .object(let m):
            out.append(UInt8(ascii: "{"))
            for (i, e) in m.sorted(by: { Array($0.key.utf16).lexicographicallyPrecedes(Array($1.key.utf16)) }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.write(.string(e.key), into: &out); out.append(UInt8(ascii: ":")); try write(e.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .number(let n):
            guard let v = n.intValue, abs(v) < (1 << 53) else { throw CanonicalJSONError() }
            out += Array(String(v).utf8)
        default: JSONWriter.write(value, into: &out)
        }
    }
}
