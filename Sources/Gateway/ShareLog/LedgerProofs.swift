import Contracts

/// Tree heads and proofs over a stored log, reading only the nodes they need.
///
/// The Merkle code asks its node source for every node a computation needs in one call; this runs the
/// computation against the nodes fetched so far, and when it asks for more, fetches them (one query) and runs
/// it again. Two or three rounds at most.
public struct LedgerProofs: Sendable {
    let store: any LedgerStore
    let origin: String

    public init(store: any LedgerStore, origin: String) {
        self.store = store
        self.origin = origin
    }

    public func treeHead(size: Int) async throws -> [UInt8] {
        try await compute { try MerkleTree.treeHead(size: size, source: $0) }
    }

    public func inclusionProof(leafIndex: Int, treeSize: Int) async throws -> [[UInt8]] {
        try await compute { try MerkleTree.inclusionProof(leafIndex: leafIndex, treeSize: treeSize, source: $0) }
    }

    public func consistencyProof(from: Int, to: Int) async throws -> [[UInt8]] {
        try await compute { try MerkleTree.consistencyProof(from: from, to: to, source: $0) }
    }

    private struct MissingNodes: Error {
        var ids: [MerkleNodeID]
    }

    private struct Source: MerkleNodeSource {
        var known: [MerkleNodeID: [UInt8]]

        func hash(level: Int, index: Int) throws -> [UInt8] {
            let id = MerkleNodeID(level: level, index: index)
            guard let hash = known[id] else { throw MissingNodes(ids: [id]) }
            return hash
        }

        func hashes(_ nodes: [MerkleNodeID]) throws -> [MerkleNodeID: [UInt8]] {
            let missing = nodes.filter { known[$0] == nil }
            if !missing.isEmpty { throw MissingNodes(ids: missing) }
            return known.filter { nodes.contains($0.key) }
        }
    }

    private func compute<T>(_ body: (Source) throws -> T) async throws -> T {
        var source = Source(known: [:])
        for _ in 0..<8 {
            do {
                return try body(source)
            } catch let missing as MissingNodes {
                let fetched = try await store.nodeHashes(origin: origin, missing.ids)
                if fetched.count < missing.ids.count {
                    throw StorageError(.corrupt, "the share log of \(origin) lacks tree nodes it should hold")
                }
                source.known.merge(fetched) { old, _ in old }
            }
        }
        throw StorageError(.corrupt, "the proof needed more node reads than a tree can")
    }
}
