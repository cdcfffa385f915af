/// The position of one complete subtree in an RFC 9162 Merkle tree.
///
/// Node (`level` L, `index` i) is the root of the perfect subtree whose leaves
/// are `[i·2^L, (i+1)·2^L)`. Level 0 nodes are leaf hashes; node (L+1, i) is
/// the node hash of (L, 2i) and (L, 2i+1). A node exists, and never changes
/// again, as soon as the log holds its last leaf, so storage can persist every
/// node keyed by this pair.
public struct MerkleNodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Height above the leaves: 0 for a leaf hash.
    public let level: Int
    /// Position among the nodes of the same level, from 0 at the left.
    public let index: Int

    /// A node position. Both values must be non-negative and `level` at most 62.
    public init(level: Int, index: Int) {
        precondition(level >= 0 && level < Int.bitWidth - 1, "MerkleNodeID: level out of range")
        precondition(index >= 0, "MerkleNodeID: negative index")
        self.level = level
        self.index = index
    }

    /// Index of the first leaf the node covers.
    public var firstLeaf: Int { index << level }

    /// Number of leaves the node covers (`2^level`).
    public var leafCount: Int { 1 << level }

    /// One past the index of the last leaf the node covers.
    public var endLeaf: Int { (index + 1) << level }

    /// Orders by level, then index (the order nodes are appended per level).
    public static func < (lhs: MerkleNodeID, rhs: MerkleNodeID) -> Bool {
        (lhs.level, lhs.index) < (rhs.level, rhs.index)
    }

    public var description: String { "(\(level), \(index))" }
}
