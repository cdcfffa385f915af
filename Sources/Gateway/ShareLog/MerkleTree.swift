import Crypto

/// RFC 9162 §2.1 Merkle tree math over the stored complete subtrees of a log.
///
/// - Leaf hash: `SHA-256(0x00 || leaf bytes)`.
/// - Node hash: `SHA-256(0x01 || left || right)`.
/// - `MTH({})` is `SHA-256("")`; `MTH(D[n])` splits at `k`, the largest power
///   of two smaller than `n`.
///
/// Tree heads and proofs are computed from complete nodes only
/// (``MerkleNodeID``): an incomplete range `[a, b)` of the RFC recursion is
/// decomposed into its complete subtrees, whose right-to-left fold is exactly
/// `MTH(D[a:b])`. Every computation asks its ``MerkleNodeSource`` for all the
/// nodes it needs in one ``MerkleNodeSource/hashes(_:)`` call, O(log n) nodes.
///
/// The verifiers live in `MerkleTree+Verification.swift`.
public enum MerkleTree {
    /// Size in bytes of every hash in the tree (SHA-256).
    public static let hashSize = 32

    /// `MTH({})`: the root of the empty tree, `SHA-256("")`.
    public static let emptyRoot: [UInt8] = Array(SHA256.hash(data: [UInt8]()))

    // MARK: - Hashing

    /// The leaf hash of one entry: `SHA-256(0x00 || leaf)`.
    public static func leafHash(_ leaf: some Collection<UInt8>) -> [UInt8] {
        if let hash = leaf.withContiguousStorageIfAvailable({ leafHash(bytes: UnsafeRawBufferPointer($0)) }) {
            return hash
        }
        return Array(leaf).withUnsafeBytes { leafHash(bytes: $0) }
    }

    /// The leaf hash of the bytes in `bytes`: `SHA-256(0x00 || bytes)`.
    public static func leafHash(bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x00)) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: bytes)
        return hasher.finalize().withUnsafeBytes { Array($0) }
    }

    /// The interior node hash: `SHA-256(0x01 || left || right)`.
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x01)) { hasher.update(bufferPointer: $0) }
        left.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        right.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize().withUnsafeBytes { Array($0) }
    }

    /// `MTH` of a list of leaf hashes, computed in one pass (O(log n) memory).
    public static func rootHash(leafHashes: some Sequence<[UInt8]>) -> [UInt8] {
        var frontier = MerkleFrontier()
        for hash in leafHashes { frontier.appendWithoutReporting(leafHash: hash) }
        return frontier.root
    }

    // MARK: - Structure

    /// The largest power of two strictly smaller than `n` (`n` ≥ 2): RFC 9162's `k`.
    static func split(_ n: Int) -> Int {
        1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }

    /// The complete subtrees that make up leaves `[start, end)`, left to right.
    ///
    /// Greedy: at each step the largest node that starts at the current leaf
    /// and fits before `end`. For the ranges that occur in the RFC 9162
    /// recursion (`[0, n)` and its sub-ranges), the sizes strictly decrease and
    /// folding the hashes from the right (`node(c1, node(c2, ... ck))`) gives
    /// `MTH` of the range. `[0, n)` yields one node per set bit of `n`.
    public static func completeSubtrees(start: Int, end: Int) -> [MerkleNodeID] {
        precondition(start >= 0 && start <= end, "completeSubtrees: invalid range")
        var nodes: [MerkleNodeID] = []
        var position = start
        while position < end {
            let alignment = position == 0 ? Int.bitWidth - 2 : position.trailingZeroBitCount
            let fit = Int.bitWidth - 1 - (end - position).leadingZeroBitCount
            let level = min(alignment, fit)
            nodes.append(MerkleNodeID(level: level, index: position >> level))
            position += 1 << level
        }
        return nodes
    }

    // MARK: - Tree head and proofs

    /// `MTH(D[size])`: the root hash of the first `size` leaves.
    ///
    /// Reads one node per set bit of `size`; the empty tree needs no read.
    public static func treeHead(size: Int, source: some MerkleNodeSource) throws -> [UInt8] {
        guard size >= 0 else { throw MerkleTreeError(.invalidArgument, "tree size \(size) is negative") }
        if size == 0 { return emptyRoot }
        return try resolve([completeSubtrees(start: 0, end: size)], from: source)[0]
    }

    /// RFC 9162 §2.1.3.1 `PATH(leafIndex, D[treeSize])`: the inclusion proof of
    /// leaf `leafIndex` in the tree of `treeSize` leaves, from the leaf's
    /// sibling up to the root's child.
    ///
    /// Requires `0 ≤ leafIndex < treeSize`. A one-leaf tree has an empty path.
    public static func inclusionProof(
        leafIndex: Int,
        treeSize: Int,
        source: some MerkleNodeSource
    ) throws -> [[UInt8]] {
        guard treeSize > 0, leafIndex >= 0, leafIndex < treeSize else {
            throw MerkleTreeError(
                .invalidArgument,
                "leaf index \(leafIndex) is not in a tree of size \(treeSize)"
            )
        }
        return try resolve(inclusionPlan(leafIndex: leafIndex, treeSize: treeSize), from: source)
    }

    /// The proof elements of `PATH(leafIndex, D[treeSize])`, bottom-up, each
    /// as the complete subtrees whose right fold is the element.
    static func inclusionPlan(leafIndex: Int, treeSize: Int) -> [[MerkleNodeID]] {
        // Walk the RFC recursion from the root down; each step contributes the
        // MTH of the sibling range, collected top-down and reversed at the end.
        var elements: [[MerkleNodeID]] = []
        var low = 0
        var high = treeSize
        while high - low > 1 {
            let k = split(high - low)
            if leafIndex < low + k {
                elements.append(completeSubtrees(start: low + k, end: high))
                high = low + k
            } else {
                elements.append(completeSubtrees(start: low, end: low + k))
                low += k
            }
        }
        return elements.reversed()
    }

    /// RFC 9162 §2.1.4.1 `PROOF(from, D[to])`: the consistency proof between
    /// the tree of `from` leaves and the tree of `to` leaves.
    ///
    /// Requires `0 ≤ from ≤ to`. Per RFC 9162 the proof is empty when
    /// `from == to` (the roots must simply be equal). `from == 0` has no proof
    /// in the RFC (every tree extends the empty tree); it returns an empty
    /// proof, which ``verifyConsistency(from:to:proof:oldRoot:newRoot:)``
    /// accepts only with `oldRoot == emptyRoot`.
    public static func consistencyProof(
        from oldSize: Int,
        to newSize: Int,
        source: some MerkleNodeSource
    ) throws -> [[UInt8]] {
        guard oldSize >= 0, oldSize <= newSize else {
            throw MerkleTreeError(
                .invalidArgument,
                "no consistency proof from size \(oldSize) to size \(newSize)"
            )
        }
        return try resolve(consistencyPlan(from: oldSize, to: newSize), from: source)
    }

    /// The proof elements of `PROOF(oldSize, D[newSize])` (empty when
    /// `oldSize` is 0 or `newSize`), each as the complete subtrees whose right
    /// fold is the element.
    static func consistencyPlan(from oldSize: Int, to newSize: Int) -> [[MerkleNodeID]] {
        if oldSize == 0 || oldSize == newSize { return [] }
        // SUBPROOF(m, D[low:high], b), with m kept as an absolute leaf count.
        var elements: [[MerkleNodeID]] = []
        var low = 0
        var high = newSize
        var isOriginalTree = true
        while true {
            if oldSize == high {
                if !isOriginalTree { elements.append(completeSubtrees(start: low, end: high)) }
                break
            }
            let k = split(high - low)
            if oldSize <= low + k {
                elements.append(completeSubtrees(start: low + k, end: high))
                high = low + k
            } else {
                elements.append(completeSubtrees(start: low, end: low + k))
                low += k
                isOriginalTree = false
            }
        }
        return elements.reversed()
    }

    // MARK: - Node lists, for asynchronous storage

    /// The nodes ``treeHead(size:source:)`` reads, for a store that can only
    /// be read asynchronously: fetch them, then compute from the dictionary
    /// (which is a ``MerkleNodeSource``).
    public static func nodesForTreeHead(size: Int) throws -> [MerkleNodeID] {
        guard size >= 0 else { throw MerkleTreeError(.invalidArgument, "tree size \(size) is negative") }
        return completeSubtrees(start: 0, end: size)
    }

    /// The nodes ``inclusionProof(leafIndex:treeSize:source:)`` reads.
    public static func nodesForInclusionProof(leafIndex: Int, treeSize: Int) throws -> [MerkleNodeID] {
        guard treeSize > 0, leafIndex >= 0, leafIndex < treeSize else {
            throw MerkleTreeError(
                .invalidArgument,
                "leaf index \(leafIndex) is not in a tree of size \(treeSize)"
            )
        }
        return uniqueNodes(inclusionPlan(leafIndex: leafIndex, treeSize: treeSize))
    }

    /// The nodes ``consistencyProof(from:to:source:)`` reads.
    public static func nodesForConsistencyProof(from oldSize: Int, to newSize: Int) throws -> [MerkleNodeID] {
        guard oldSize >= 0, oldSize <= newSize else {
            throw MerkleTreeError(
                .invalidArgument,
                "no consistency proof from size \(oldSize) to size \(newSize)"
            )
        }
        return uniqueNodes(consistencyPlan(from: oldSize, to: newSize))
    }

    static func uniqueNodes(_ elements: some Collection<[MerkleNodeID]>) -> [MerkleNodeID] {
        var unique: [MerkleNodeID] = []
        var seen: Set<MerkleNodeID> = []
        for element in elements {
            for node in element where seen.insert(node).inserted { unique.append(node) }
        }
        return unique
    }

    /// Fetches every node the elements need in one batch and folds each
    /// element's nodes from the right into one hash.
    static func resolve(
        _ elements: some Collection<[MerkleNodeID]>,
        from source: some MerkleNodeSource
    ) throws -> [[UInt8]] {
        let unique = uniqueNodes(elements)
        let fetched = unique.isEmpty ? [:] : try source.hashes(unique)
        for node in unique {
            guard let hash = fetched[node] else {
                throw MerkleTreeError(.missingNode, "node \(node) is not stored")
            }
            guard hash.count == hashSize else {
                throw MerkleTreeError(.malformedNode, "node \(node) is \(hash.count) bytes, not \(hashSize)")
            }
        }
        return elements.map { element in
            var hash = fetched[element[element.count - 1]]!
            for node in element.dropLast().reversed() {
                hash = nodeHash(fetched[node]!, hash)
            }
            return hash
        }
    }
}
