import Contracts

/// Tree heads and proofs over a stored log, reading only the nodes they need.
///
/// The Merkle code names every node a computation needs; they are fetched in one query, then the computation
/// runs in memory.
public struct LedgerProofs: Sendable {
    let store: any LedgerStore
    let origin: String

    public init(store: any LedgerStore, origin: String) {
        self.store = store
        self.origin = origin
    }

    public func treeHead(size: Int) async throws -> [UInt8] {
        let nodes = try await fetch(try MerkleTree.nodesForTreeHead(size: size))
        return try MerkleTree.treeHead(size: size, source: nodes)
    }

    public func inclusionProof(leafIndex: Int, treeSize: Int) async throws -> [[UInt8]] {
        let nodes = try await fetch(try MerkleTree.nodesForInclusionProof(leafIndex: leafIndex, treeSize: treeSize))
        return try MerkleTree.inclusionProof(leafIndex: leafIndex, treeSize: treeSize, source: nodes)
    }

    public func consistencyProof(from: Int, to: Int) async throws -> [[UInt8]] {
        let nodes = try await fetch(try MerkleTree.nodesForConsistencyProof(from: from, to: to))
        return try MerkleTree.consistencyProof(from: from, to: to, source: nodes)
    }

    /// The stored hashes of `ids`, in one query; every one must be there.
    private func fetch(_ ids: [MerkleNodeID]) async throws -> [MerkleNodeID: [UInt8]] {
        guard !ids.isEmpty else { return [:] }
        let fetched = try await store.nodeHashes(origin: origin, ids)
        guard fetched.count == Set(ids).count else {
            throw StorageError(.corrupt, "the share log of \(origin) lacks tree nodes it should hold")
        }
        return fetched
    }
}
