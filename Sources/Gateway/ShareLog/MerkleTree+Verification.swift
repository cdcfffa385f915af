extension MerkleTree {
    /// RFC 9162 §2.1.3.2: whether `proof` shows that `leafHash` is leaf
    /// `leafIndex` of the tree of `treeSize` leaves whose root is `root`.
    ///
    /// Fails (returns `false`) on any malformed input: index out of range,
    /// hashes that are not 32 bytes, a path too short or too long.
    public static func verifyInclusion(
        leafHash: [UInt8],
        leafIndex: Int,
        treeSize: Int,
        proof: [[UInt8]],
        root: [UInt8]
    ) -> Bool {
        guard leafIndex >= 0, leafIndex < treeSize,
            leafHash.count == hashSize, root.count == hashSize,
            proof.allSatisfy({ $0.count == hashSize })
        else { return false }
        var fn = leafIndex
        var sn = treeSize - 1
        var r = leafHash
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// RFC 9162 §2.1.4.2: whether `proof` shows that the tree of `newSize`
    /// leaves with root `newRoot` extends the tree of `oldSize` leaves with
    /// root `oldRoot`.
    ///
    /// Edge cases, matching ``consistencyProof(from:to:source:)``:
    /// `oldSize == newSize` needs an empty proof and equal roots; `oldSize == 0`
    /// needs an empty proof and `oldRoot == emptyRoot` (any tree extends the
    /// empty one). `oldSize > newSize`, negative sizes and hashes that are not
    /// 32 bytes fail.
    public static func verifyConsistency(
        from oldSize: Int,
        to newSize: Int,
        proof: [[UInt8]],
        oldRoot: [UInt8],
        newRoot: [UInt8]
    ) -> Bool {
        guard oldSize >= 0, oldSize <= newSize,
            oldRoot.count == hashSize, newRoot.count == hashSize,
            proof.allSatisfy({ $0.count == hashSize })
        else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty && oldRoot == emptyRoot }
        // 1. An empty proof fails.
        guard !proof.isEmpty else { return false }
        // 2. If the old size is a power of two, the old root starts the path.
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        // 3.-4.
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        // 5.
        var fr = path[0]
        var sr = path[0]
        // 6.
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        // 7.
        return fr == oldRoot && sr == newRoot && sn == 0
    }
}
