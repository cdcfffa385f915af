/// A C2SP `tlog-tiles` hash tile address: level `L`, index `N`, and for a partial tile its width `W`.
///
/// Paths are `L/N` or `L/N.p/W`, with `N` in the spec's form: 3-digit groups, every group but the last
/// prefixed with `x` (`x001/234` for 1234, `000` for 0), never with leading zero groups.
public struct TilePath: Sendable, Hashable {
    public static let width = 256
    /// Tile level; its hashes are tree nodes at level `8 * level`.
    public var level: Int
    public var index: Int
    /// 1 to 255 for a partial tile; nil for a full one.
    public var partialWidth: Int?

    public init(level: Int, index: Int, partialWidth: Int?) {
        self.level = level
        self.index = index
        self.partialWidth = partialWidth
    }

    /// Parses the path after `tile/`; nil unless it is in the spec's canonical form.
    public init?(_ segments: [Substring]) {
        // Levels 0 to 7 reach 2^64 leaves.
        guard segments.count >= 2, let level = Self.decimal(segments[0]), level <= 7, String(level) == segments[0]
        else { return nil }
        var groups = Array(segments.dropFirst())
        var partial: Int?
        if groups.count >= 2, let last = groups.last, let width = Self.decimal(last),
            groups[groups.count - 2].hasSuffix(".p")
        {
            guard (1..<Self.width).contains(width), String(width) == last else { return nil }
            partial = width
            groups.removeLast()
            groups[groups.count - 1] = groups[groups.count - 1].dropLast(2)
        }
        var index = 0
        for (position, group) in groups.enumerated() {
            let isLast = position == groups.count - 1
            let digits = isLast ? group : (group.hasPrefix("x") ? group.dropFirst() : "")
            guard digits.count == 3, let value = Self.decimal(digits) else { return nil }
            let (shifted, overflow) = index.multipliedReportingOverflow(by: 1000)
            guard !overflow else { return nil }
            index = shifted + value
        }
        self.init(level: level, index: index, partialWidth: partial)
        // Canonical only: one spelling per tile.
        guard Self.encode(index) == groups.joined(separator: "/") else { return nil }
    }

    /// `N` in the spec's path form.
    public static func encode(_ index: Int) -> String {
        var groups: [String] = []
        var rest = index
        repeat {
            let group = String(rest % 1000)
            groups.insert(String(repeating: "0", count: 3 - group.count) + group, at: 0)
            rest /= 1000
        } while rest > 0
        return groups.enumerated().map { $0.offset == groups.count - 1 ? $0.element : "x" + $0.element }.joined(
            separator: "/"
        )
    }

    /// The path after `tile/`.
    public var description: String {
        "\(level)/\(Self.encode(index))" + (partialWidth.map { ".p/\($0)" } ?? "")
    }

    /// The tree nodes this tile holds, left to right.
    public var nodes: [MerkleNodeID] {
        let count = partialWidth ?? Self.width
        return (0..<count).map { MerkleNodeID(level: 8 * level, index: index * Self.width + $0) }
    }

    private static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        // Levels and widths have no leading zeros; groups of N are checked by re-encoding.
        return Int(text)
    }
}
