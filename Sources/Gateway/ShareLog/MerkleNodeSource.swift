/// Read access to the stored hashes of complete Merkle subtrees.
///
/// The ledger persists every complete node (see ``MerkleNodeID``); proofs and
/// tree heads are computed from those nodes only, with O(log n) reads. A source
/// may be a database table or an in-memory array (``InMemoryMerkleNodes``).
///
/// Reads are synchronous on purpose: callers run them inside a database
/// transaction or on a thread they own.
public protocol MerkleNodeSource {
    /// The 32-byte hash of complete node (`level`, `index`).
    ///
    /// Throws when the node is not stored (for example, because it is not
    /// complete yet).
    func hash(level: Int, index: Int) throws -> [UInt8]

    /// The hashes of several nodes in one round trip.
    ///
    /// ``MerkleTree`` asks for every node a proof needs in a single call, so a
    /// database source should implement this with one query
    /// (`WHERE (level, idx) IN (...)`). The default implementation calls
    /// ``hash(level:index:)`` once per node. A node missing from the result is
    /// reported by the caller as ``MerkleTreeError/Code/missingNode``.
    func hashes(_ nodes: [MerkleNodeID]) throws -> [MerkleNodeID: [UInt8]]
}

extension MerkleNodeSource {
    /// Calls ``hash(level:index:)`` once per requested node.
    public func hashes(_ nodes: [MerkleNodeID]) throws -> [MerkleNodeID: [UInt8]] {
        var result: [MerkleNodeID: [UInt8]] = [:]
        result.reserveCapacity(nodes.count)
        for node in nodes {
            result[node] = try hash(level: node.level, index: node.index)
        }
        return result
    }
}

/// A dictionary of node hashes is a source: fetch the nodes that
/// ``MerkleTree/nodesForInclusionProof(leafIndex:treeSize:)`` (or its
/// siblings) name from an asynchronous store, then compute from the dictionary.
extension Dictionary: MerkleNodeSource where Key == MerkleNodeID, Value == [UInt8] {
    public func hash(level: Int, index: Int) throws -> [UInt8] {
        guard level >= 0, index >= 0, let hash = self[MerkleNodeID(level: level, index: index)] else {
            throw MerkleTreeError(.missingNode, "node (\(level), \(index)) is not stored")
        }
        return hash
    }

    public func hashes(_ nodes: [MerkleNodeID]) throws -> [MerkleNodeID: [UInt8]] { self }
}
