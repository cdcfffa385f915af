import Testing

@testable import Gateway

@Suite struct MerkleFrontierTests {
    @Test func appendReturnsExactlyTheNewlyCompletedNodes() throws {
        let leaves = LedgerTestSupport.leaves(100)
        var frontier = MerkleFrontier()
        var all: [MerkleNodeID: [UInt8]] = [:]
        for (i, leaf) in leaves.enumerated() {
            let leafHash = MerkleTree.leafHash(leaf)
            let completed = frontier.append(leafHash: leafHash)
            // The leaf itself, plus one node per trailing 1 bit of the old size.
            #expect(completed.count == 1 + i.trailingZeroBitCount(ofComplement: ()))
            #expect(completed[MerkleNodeID(level: 0, index: i)] == leafHash)
            for (id, hash) in completed {
                #expect(all[id] == nil, "node \(id) reported twice")
                #expect(id.endLeaf == i + 1, "node \(id) does not end at the new leaf")
                #expect(hash == LedgerTestSupport.Reference.mth(leaves[id.firstLeaf..<id.endLeaf]))
                all[id] = hash
            }
            #expect(frontier.size == i + 1)
            #expect(frontier.root == LedgerTestSupport.Reference.mth(leaves[...i]))
        }
        // Every complete subtree of a 100-leaf tree was reported once.
        var expected = 0
        var level = 0
        while 1 << level <= 100 {
            expected += 100 >> level
            level += 1
        }
        #expect(all.count == expected)
    }

    @Test func restartFromStoredNodesContinuesIdentically() throws {
        let leaves = LedgerTestSupport.leaves(70)
        let store = try LedgerTestSupport.store(leaves)
        for size in 0...leaves.count {
            var resumed = try MerkleFrontier(size: size, source: store)
            var fresh = MerkleFrontier()
            for leaf in leaves[..<size] { fresh.append(leafHash: MerkleTree.leafHash(leaf)) }
            #expect(resumed == fresh, "size \(size)")
            #expect(resumed.nodes == MerkleFrontier.nodeIDs(forSize: size))
            for leaf in leaves[size...] {
                #expect(
                    resumed.append(leafHash: MerkleTree.leafHash(leaf))
                        == fresh.append(leafHash: MerkleTree.leafHash(leaf))
                )
            }
            #expect(resumed.root == LedgerTestSupport.Reference.mth(leaves[...]))
        }
    }

    @Test func restartNeedsTheStoredNodes() {
        #expect(throws: MerkleTreeError.self) { try MerkleFrontier(size: 3, hashes: [:]) }
        #expect(throws: MerkleTreeError.self) {
            try MerkleFrontier(size: 1, hashes: [MerkleNodeID(level: 0, index: 0): [1]])
        }
        #expect(throws: (any Error).self) { try MerkleFrontier(size: 9, source: InMemoryMerkleNodes()) }
    }

    @Test func rootHashOfLeafHashes() {
        let leaves = LedgerTestSupport.leaves(33)
        #expect(
            MerkleTree.rootHash(leafHashes: leaves.map { MerkleTree.leafHash($0) })
                == LedgerTestSupport.Reference.mth(leaves[...])
        )
        #expect(MerkleTree.rootHash(leafHashes: []) == MerkleTree.emptyRoot)
    }
}

extension Int {
    /// Number of trailing 1 bits.
    fileprivate func trailingZeroBitCount(ofComplement: Void) -> Int { (~self).trailingZeroBitCount }
}
