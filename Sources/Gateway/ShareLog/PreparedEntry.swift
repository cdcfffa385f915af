import Contracts

/// An entry's members already in RFC 8785 form, sorted, so the log's single writer only splices in `seq`,
/// `origin`, `time`, `id` and `kind` (the expensive canonicalisation runs on the appenders' tasks, in parallel).
struct PreparedEntry: Sendable {
    /// `"key":value` in canonical form, sorted by the keys' UTF-16 code units.
    let members: [(key: String, bytes: [UInt8])]

    static let reserved: Set<String> = ["seq", "origin", "time", "id", "kind"]

    init(_ draft: LogEntryDraft) throws {
        var members: [(key: String, bytes: [UInt8])] = []
        members.reserveCapacity(draft.members.count)
        for member in draft.members {
            guard !Self.reserved.contains(member.key) else {
                throw LogError("an entry may not set `\(member.key)`: the log sets it")
            }
            var bytes = try CanonicalJSON.bytes(.string(member.key))
            bytes.append(UInt8(ascii: ":"))
            bytes += try CanonicalJSON.bytes(member.value)
            members.append((member.key, bytes))
        }
        members.sort { CanonicalJSON.keyPrecedes($0.key, $1.key) }
        for index in members.indices.dropFirst() where members[index].key == members[index - 1].key {
            throw LogError("an entry has the member `\(members[index].key)` twice")
        }
        self.members = members
    }

    /// The entry's leaf bytes.
    func bytes(seq: Int, origin: String, time: Timestamp, id: String, kind: String) throws -> [UInt8] {
        let fixed: [(key: String, bytes: [UInt8])] = try [
            ("id", Self.member("id", .string(id))),
            ("kind", Self.member("kind", .string(kind))),
            ("origin", Self.member("origin", .string(origin))),
            ("seq", Self.member("seq", .number(JSONNumber(seq)))),
            ("time", Self.member("time", .string(time.rfc3339))),
        ]
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(members.reduce(64) { $0 + $1.bytes.count + 1 } + 160)
        var first = true
        var next = 0
        func emit(_ bytes: [UInt8]) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out += bytes
        }
        for member in members {
            while next < fixed.count, CanonicalJSON.keyPrecedes(fixed[next].key, member.key) {
                emit(fixed[next].bytes)
                next += 1
            }
            emit(member.bytes)
        }
        while next < fixed.count {
            emit(fixed[next].bytes)
            next += 1
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func member(_ key: String, _ value: JSONValue) throws -> [UInt8] {
        var bytes = try CanonicalJSON.bytes(.string(key))
        bytes.append(UInt8(ascii: ":"))
        bytes += try CanonicalJSON.bytes(value)
        return bytes
    }
}
