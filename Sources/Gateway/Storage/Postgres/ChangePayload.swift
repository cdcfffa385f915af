/// The payload of a change notification: the changed keys (subject ids, vendor ids), one per line, or
/// empty for "everything changed".
///
/// Lines are split on the byte `\n`, never on `Character`s (`"\r\n"` is one `Character`). A key holding a
/// line break cannot be sent as a line, so its change is announced as "everything"; keys are packed into
/// notifications of at most ``maxBytes`` bytes (PostgreSQL refuses payloads of 8,000 bytes or more).
enum ChangePayload {
    static let maxBytes = 7_000

    /// The payloads announcing a change of `keys`.
    static func payloads(_ keys: [String]) -> [String] {
        if keys.isEmpty || keys.contains(where: { key in key.isEmpty || key.utf8.contains(where: isBreak) }) {
            return [""]
        }
        var payloads: [String] = []
        var current = ""
        for key in keys {
            if key.utf8.count > maxBytes { return [""] }
            if !current.isEmpty, current.utf8.count + 1 + key.utf8.count > maxBytes {
                payloads.append(current)
                current = ""
            }
            current += current.isEmpty ? key : "\n" + key
        }
        payloads.append(current)
        return payloads
    }

    /// The keys a payload names, or nil for "everything".
    static func keys(_ payload: String) -> [String]? {
        if payload.isEmpty { return nil }
        return payload.utf8.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func isBreak(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == 0
    }
}
