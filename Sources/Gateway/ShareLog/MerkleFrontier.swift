/// The right edge of a Merkle tree (a "compact range" over `[0, size)`):
/// what an appender needs to add leaves and compute the root without reading
/// the rest of the tree.
///
/// It holds one complete subtree per set bit of `size`, largest (leftmost)
/// first. Appending a leaf adds a level-0 node and merges equal-level
/// neighbours; every node that becomes complete is returned so that storage
/// can persist it (see ``MerkleNodeID``). After a restart, rebuild it from the
/// stored nodes with ``init(size:source:)``.
public struct MerkleFrontier: Equatable, Sendable {
    /// Number of leaves appended so far.
    public private(set) var size: Int
    /// The complete subtrees covering `[0, size)`, left to right.
    public private(set) var nodes: [MerkleNodeID]
    /// The hashes of ``nodes``, in the same order.
    public private(set) var hashes: [[UInt8]]

    /// The frontier of the empty tree.
    public init() {
        size = 0
        nodes = []
        hashes = []
    }

    /// The frontier of the tree of `size` leaves, read from stored nodes in
    /// one ``MerkleNodeSource/hashes(_:)`` call (one node per set bit of `size`).
    public init(size: Int, source: some MerkleNodeSource) throws {
        guard size >= 0 else { throw MerkleTreeError(.invalidArgument, "tree size \(size) is negative") }
        let ids = Self.nodeIDs(forSize: size)
        let fetched = ids.isEmpty ? [:] : try source.hashes(ids)
        try self.init(size: size, hashes: fetched)
    }

    /// The frontier of the tree of `size` leaves, from the hashes of the nodes
    /// ``nodeIDs(forSize:)`` names (other entries are ignored).
    public init(size: Int, hashes stored: [MerkleNodeID: [UInt8]]) throws {
        guard size >= 0 else { throw MerkleTreeError(.invalidArgument, "tree size \(size) is negative") }
        let ids = Self.nodeIDs(forSize: size)
        var hashes: [[UInt8]] = []
        for id in ids {
            guard let hash = stored[id] else { throw MerkleTreeError(.missingNode, "node \(id) is not stored") }
            guard hash.count == MerkleTree.hashSize else {
                throw MerkleTreeError(.malformedNode, "node \(id) is \(hash.count) bytes, not \(MerkleTree.hashSize)")
            }
            hashes.append(hash)
        }
        self.size = size
        self.nodes = ids
        self.hashes = hashes
    }

    /// The nodes a frontier of `size` leaves consists of: the complete
    /// subtrees of `[0, size)`, one per set bit of `size`, largest first.
    public static func nodeIDs(forSize size: Int) -> [MerkleNodeID] {
        MerkleTree.completeSubtrees(start: 0, end: size)
    }

    /// `MTH(D[size])`, the current root hash.
    public var root: [UInt8] {
        guard var hash = hashes.last else { return MerkleTree.emptyRoot }
        for left in hashes.dropLast().reversed() { hash = MerkleTree.nodeHash(left, hash) }
        return hash
    }

    /// Appends the leaf whose hash is `leafHash` (see ``MerkleTree/leafHash(_:)``)
    /// and returns every node this completes, the level-0 leaf node included:
    /// exactly the nodes storage must persist for the new size.
    @discardableResult
    public mutating func append(leafHash: [UInt8]) -> [MerkleNodeID: [UInt8]] {
        var completed: [MerkleNodeID: [UInt8]] = [:]
        append(leafHash: leafHash) { completed[$0] = $1 }
        return completed
    }

    /// Appends a leaf without reporting the completed nodes (streaming verification).
    mutating func appendWithoutReporting(leafHash: [UInt8]) {
        append(leafHash: leafHash) { _, _ in }
    }

    private mutating func append(leafHash: [UInt8], report: (MerkleNodeID, [UInt8]) -> Void) {
        precondition(leafHash.count == MerkleTree.hashSize, "MerkleFrontier: a leaf hash is 32 bytes")
        precondition(size < Int.max >> 1, "MerkleFrontier: tree full")
        var id = MerkleNodeID(level: 0, index: size)
        var hash = leafHash
        report(id, hash)
        while let last = nodes.last, last.level == id.level {
            hash = MerkleTree.nodeHash(hashes.removeLast(), hash)
            nodes.removeLast()
            id = MerkleNodeID(level: id.level + 1, index: id.index >> 1)
            report(id, hash)
        }
        nodes.append(id)
        hashes.append(hash)
        size += 1
    }
}
