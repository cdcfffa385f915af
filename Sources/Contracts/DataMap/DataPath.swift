/// A data-map path: `$` (the body) or `@` (the current record), then `.name` members and `[*]` elements.
///
/// Examples: `$.batch_id`, `@.email`, `$.events[*]`, `@.items[*].sku`.
public struct DataPath: Sendable, Hashable, CustomStringConvertible {
    public enum Root: Sendable, Hashable {
        /// `$`: the body.
        case body
        /// `@`: the current record (the body itself when the operation has no `records` path).
        case record
    }

    public enum Segment: Sendable, Hashable {
        case member(String)
        case everyElement
    }

    public var root: Root
    public var segments: [Segment]

    public init(root: Root, segments: [Segment]) {
        self.root = root
        self.segments = segments
    }

    /// Parses a path; `nil` when it is malformed.
    public init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        guard let first = bytes.popFirst() else { return nil }
        switch first {
        case UInt8(ascii: "$"): root = .body
        case UInt8(ascii: "@"): root = .record
        default: return nil
        }
        var segments: [Segment] = []
        while let next = bytes.popFirst() {
            switch next {
            case UInt8(ascii: "."):
                var name: [UInt8] = []
                while let byte = bytes.first, Self.isNameByte(byte) {
                    name.append(byte)
                    bytes.removeFirst()
                }
                guard !name.isEmpty, name.count <= 128 else { return nil }
                segments.append(.member(String(decoding: name, as: UTF8.self)))
            case UInt8(ascii: "["):
                guard bytes.popFirst() == UInt8(ascii: "*"), bytes.popFirst() == UInt8(ascii: "]") else { return nil }
                segments.append(.everyElement)
            default:
                return nil
            }
            guard segments.count <= 32 else { return nil }
        }
        self.segments = segments
    }

    /// Bytes allowed in a member name: `A-Z a-z 0-9 _ -`.
    public static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    public var description: String {
        var text = root == .body ? "$" : "@"
        for segment in segments {
            switch segment {
            case .member(let name): text += "." + name
            case .everyElement: text += "[*]"
            }
        }
        return text
    }

    /// The same path with `@` read as `$` (for operations without records).
    public var anchoredAtBody: DataPath {
        DataPath(root: .body, segments: segments)
    }
}
