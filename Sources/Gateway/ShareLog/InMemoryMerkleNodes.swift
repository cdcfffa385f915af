/// A ``MerkleNodeSource`` over arrays in memory: one array of hashes per level.
///
/// For tests, tools and small logs. Feed it what ``MerkleFrontier/append(leafHash:)``
/// returns.
public struct InMemoryMerkleNodes: MerkleNodeSource, Equatable, Sendable {
    /// `levels[L][i]` is the hash of node (L, i).
    public private(set) var levels: [[[UInt8]]] = []

    /// An empty store.
    public init() {}

    /// Number of leaves stored.
    public var leafCount: Int { levels.first?.count ?? 0 }

    /// Stores nodes. Each node must be the next one of its level (or replace
    /// an existing one); nodes are stored in (level, index) order.
    public mutating func store(_ nodes: [MerkleNodeID: [UInt8]]) throws {
        for id in nodes.keys.sorted() {
            let hash = nodes[id]!
            guard hash.count == MerkleTree.hashSize else {
                throw MerkleTreeError(.malformedNode, "node \(id) is \(hash.count) bytes, not \(MerkleTree.hashSize)")
            }
            while levels.count <= id.level { levels.append([]) }
            if id.index < levels[id.level].count {
                levels[id.level][id.index] = hash
            } else if id.index == levels[id.level].count {
                levels[id.level].append(hash)
            } else {
                throw MerkleTreeError(.invalidArgument, "node \(id) would leave a gap in level \(id.level)")
            }
        }
    }

    public func hash(level: Int, index: Int) throws -> [UInt8] {
        guard level >= 0, level < levels.count, index >= 0, index < levels[level].count else {
            throw MerkleTreeError(.missingNode, "node (\(level), \(index)) is not stored")
        }
        return levels[level][index]
    }
}
