import Testing

@testable import Gateway

@Suite struct MerkleTreeTests {
    typealias Ref = LedgerTestSupport.Reference
    let hex = LedgerTestSupport.hex
    let bytes = LedgerTestSupport.bytes

    // The certificate-transparency reference vectors (RFC 6962 test data,
    // certificate-transparency-go / transparency-dev), confirmed with an
    // independent Python implementation.
    static let ctLeaves = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ].map(LedgerTestSupport.bytes(hex:))
    static let ctRoots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    static let ctPaths: [(Int, Int, [String])] = [
        (0, 1, []),
        (
            0, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        ),
        (
            5, 8,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        ),
        (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (
            1, 5,
            [
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        ),
    ]
    static let ctProofs: [(Int, Int, [String])] = [
        (1, 1, []),
        (
            1, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        ),
        (
            6, 8,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        ),
        (
            2, 5,
            [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        ),
    ]

    @Test func emptyTreeRootIsSHA256OfNothing() throws {
        #expect(hex(MerkleTree.emptyRoot) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(try MerkleTree.treeHead(size: 0, source: InMemoryMerkleNodes()) == MerkleTree.emptyRoot)
        #expect(MerkleFrontier().root == MerkleTree.emptyRoot)
    }

    @Test func ctReferenceRoots() throws {
        let store = try LedgerTestSupport.store(Self.ctLeaves)
        var frontier = MerkleFrontier()
        for n in 1...8 {
            frontier.append(leafHash: MerkleTree.leafHash(Self.ctLeaves[n - 1]))
            #expect(hex(frontier.root) == Self.ctRoots[n - 1], "frontier root, size \(n)")
            #expect(hex(try MerkleTree.treeHead(size: n, source: store)) == Self.ctRoots[n - 1], "tree head, size \(n)")
            #expect(hex(Ref.mth(Self.ctLeaves[..<n])) == Self.ctRoots[n - 1], "reference, size \(n)")
        }
    }

    @Test func ctReferenceInclusionProofs() throws {
        let store = try LedgerTestSupport.store(Self.ctLeaves)
        for (index, size, expected) in Self.ctPaths {
            let proof = try MerkleTree.inclusionProof(leafIndex: index, treeSize: size, source: store)
            #expect(proof.map(hex) == expected, "PATH(\(index), \(size))")
            #expect(
                MerkleTree.verifyInclusion(
                    leafHash: MerkleTree.leafHash(Self.ctLeaves[index]),
                    leafIndex: index,
                    treeSize: size,
                    proof: proof,
                    root: bytes(Self.ctRoots[size - 1])
                )
            )
        }
    }

    @Test func ctReferenceConsistencyProofs() throws {
        let store = try LedgerTestSupport.store(Self.ctLeaves)
        for (m, n, expected) in Self.ctProofs {
            let proof = try MerkleTree.consistencyProof(from: m, to: n, source: store)
            #expect(proof.map(hex) == expected, "PROOF(\(m), \(n))")
            #expect(
                MerkleTree.verifyConsistency(
                    from: m,
                    to: n,
                    proof: proof,
                    oldRoot: bytes(Self.ctRoots[m - 1]),
                    newRoot: bytes(Self.ctRoots[n - 1])
                )
            )
        }
    }

    @Test func treeHeadsAndInclusionProofsMatchReferenceForEverySizeUpTo64() throws {
        let leaves = LedgerTestSupport.leaves(64)
        let store = try LedgerTestSupport.store(leaves)
        for n in 1...64 {
            let root = Ref.mth(leaves[..<n])
            #expect(try MerkleTree.treeHead(size: n, source: store) == root, "size \(n)")
            for i in 0..<n {
                let proof = try MerkleTree.inclusionProof(leafIndex: i, treeSize: n, source: store)
                #expect(proof == Ref.path(i, leaves[..<n]), "PATH(\(i), \(n))")
                let leafHash = MerkleTree.leafHash(leaves[i])
                #expect(
                    MerkleTree.verifyInclusion(leafHash: leafHash, leafIndex: i, treeSize: n, proof: proof, root: root)
                )
                // Wrong index, wrong size, wrong leaf, extra or missing element: all fail.
                if n > 1 {
                    #expect(
                        !MerkleTree.verifyInclusion(
                            leafHash: leafHash,
                            leafIndex: (i + 1) % n,
                            treeSize: n,
                            proof: proof,
                            root: root
                        )
                    )
                    #expect(
                        !MerkleTree.verifyInclusion(
                            leafHash: MerkleTree.leafHash(leaves[(i + 1) % n]),
                            leafIndex: i,
                            treeSize: n,
                            proof: proof,
                            root: root
                        )
                    )
                    #expect(
                        !MerkleTree.verifyInclusion(
                            leafHash: leafHash,
                            leafIndex: i,
                            treeSize: n,
                            proof: Array(proof.dropLast()),
                            root: root
                        )
                    )
                }
                #expect(
                    !MerkleTree.verifyInclusion(
                        leafHash: leafHash,
                        leafIndex: i,
                        treeSize: n,
                        proof: proof + [root],
                        root: root
                    )
                )
                // (A different tree size can share the path's shape, so it is
                // not tested here; the size is bound by the signed tree head.)
            }
        }
    }

    @Test func consistencyProofsMatchReferenceForEveryPairUpTo64() throws {
        let leaves = LedgerTestSupport.leaves(64)
        let store = try LedgerTestSupport.store(leaves)
        let roots = (0...64).map { Ref.mth(leaves[..<$0]) }
        for n in 1...64 {
            for m in 1...n {
                let proof = try MerkleTree.consistencyProof(from: m, to: n, source: store)
                #expect(proof == Ref.proof(m, leaves[..<n]), "PROOF(\(m), \(n))")
                #expect(
                    MerkleTree.verifyConsistency(from: m, to: n, proof: proof, oldRoot: roots[m], newRoot: roots[n])
                )
                if m < n {
                    #expect(
                        !MerkleTree.verifyConsistency(
                            from: m,
                            to: n,
                            proof: proof,
                            oldRoot: roots[m - 1],
                            newRoot: roots[n]
                        )
                    )
                    #expect(
                        !MerkleTree.verifyConsistency(
                            from: m,
                            to: n,
                            proof: proof,
                            oldRoot: roots[m],
                            newRoot: roots[n - 1]
                        )
                    )
                    #expect(
                        !MerkleTree.verifyConsistency(
                            from: m,
                            to: n,
                            proof: Array(proof.dropLast()),
                            oldRoot: roots[m],
                            newRoot: roots[n]
                        )
                    )
                    #expect(
                        !MerkleTree.verifyConsistency(
                            from: m,
                            to: n,
                            proof: proof + [roots[n]],
                            oldRoot: roots[m],
                            newRoot: roots[n]
                        )
                    )
                    var flipped = proof
                    flipped[0][0] ^= 1
                    #expect(
                        !MerkleTree.verifyConsistency(
                            from: m,
                            to: n,
                            proof: flipped,
                            oldRoot: roots[m],
                            newRoot: roots[n]
                        )
                    )
                } else {
                    #expect(proof.isEmpty)
                }
            }
        }
    }

    @Test func edgeCasesOfProofs() throws {
        let leaves = LedgerTestSupport.leaves(5)
        let store = try LedgerTestSupport.store(leaves)
        let root5 = try MerkleTree.treeHead(size: 5, source: store)
        // m == 0: empty proof, valid only against the empty root.
        #expect(try MerkleTree.consistencyProof(from: 0, to: 5, source: store).isEmpty)
        #expect(MerkleTree.verifyConsistency(from: 0, to: 5, proof: [], oldRoot: MerkleTree.emptyRoot, newRoot: root5))
        #expect(!MerkleTree.verifyConsistency(from: 0, to: 5, proof: [], oldRoot: root5, newRoot: root5))
        #expect(
            MerkleTree.verifyConsistency(
                from: 0,
                to: 0,
                proof: [],
                oldRoot: MerkleTree.emptyRoot,
                newRoot: MerkleTree.emptyRoot
            )
        )
        // m == n: empty proof and equal roots.
        #expect(!MerkleTree.verifyConsistency(from: 5, to: 5, proof: [root5], oldRoot: root5, newRoot: root5))
        #expect(!MerkleTree.verifyConsistency(from: 3, to: 2, proof: [root5], oldRoot: root5, newRoot: root5))
        #expect(!MerkleTree.verifyConsistency(from: 2, to: 5, proof: [], oldRoot: root5, newRoot: root5))
        // Invalid arguments throw.
        #expect(throws: MerkleTreeError.self) {
            try MerkleTree.inclusionProof(leafIndex: 5, treeSize: 5, source: store)
        }
        #expect(throws: MerkleTreeError.self) {
            try MerkleTree.inclusionProof(leafIndex: -1, treeSize: 5, source: store)
        }
        #expect(throws: MerkleTreeError.self) { try MerkleTree.consistencyProof(from: 4, to: 3, source: store) }
        #expect(throws: MerkleTreeError.self) { try MerkleTree.treeHead(size: -1, source: store) }
        // Beyond what is stored: the source's missing node surfaces as an error.
        #expect(throws: (any Error).self) { try MerkleTree.treeHead(size: 6, source: store) }
        #expect(throws: (any Error).self) { try MerkleTree.consistencyProof(from: 2, to: 7, source: store) }
        // Malformed inputs to the verifiers fail.
        #expect(!MerkleTree.verifyInclusion(leafHash: [1, 2], leafIndex: 0, treeSize: 1, proof: [], root: [1, 2]))
        #expect(
            !MerkleTree.verifyInclusion(
                leafHash: MerkleTree.leafHash(leaves[0]),
                leafIndex: 0,
                treeSize: 0,
                proof: [],
                root: MerkleTree.emptyRoot
            )
        )
    }

    @Test func proofsUseOneRoundTripAndLogarithmicReads() throws {
        let leaves = (0..<1_000).map { [UInt8](String($0).utf8) }
        let base = try LedgerTestSupport.store(leaves)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let n = Int.random(in: 1...1_000, using: &generator)
            let bound = 2 * (Int.bitWidth - n.leadingZeroBitCount) + 2
            let i = Int.random(in: 0..<n, using: &generator)
            let source = CountingNodeSource(base)
            _ = try MerkleTree.inclusionProof(leafIndex: i, treeSize: n, source: source)
            #expect(source.batches <= 1 && source.reads <= bound, "PATH(\(i), \(n)): \(source.reads) reads")
            let m = Int.random(in: 1...n, using: &generator)
            let source2 = CountingNodeSource(base)
            _ = try MerkleTree.consistencyProof(from: m, to: n, source: source2)
            #expect(source2.batches <= 1 && source2.reads <= bound, "PROOF(\(m), \(n)): \(source2.reads) reads")
            let source3 = CountingNodeSource(base)
            _ = try MerkleTree.treeHead(size: n, source: source3)
            #expect(source3.batches == 1 && source3.reads == n.nonzeroBitCount)
        }
    }

    @Test func nodeListsNameExactlyWhatTheComputationsRead() throws {
        // The asynchronous path: list the nodes, fetch them, compute from the dictionary.
        let leaves = LedgerTestSupport.leaves(40)
        let store = try LedgerTestSupport.store(leaves)
        func fetch(_ ids: [MerkleNodeID]) throws -> [MerkleNodeID: [UInt8]] {
            #expect(Set(ids).count == ids.count, "duplicate node in \(ids)")
            return try store.hashes(ids)
        }
        for n in 0...40 {
            #expect(
                try MerkleTree.treeHead(size: n, source: fetch(MerkleTree.nodesForTreeHead(size: n)))
                    == MerkleTree.treeHead(size: n, source: store)
            )
            for i in 0..<n {
                let nodes = try fetch(MerkleTree.nodesForInclusionProof(leafIndex: i, treeSize: n))
                #expect(
                    try MerkleTree.inclusionProof(leafIndex: i, treeSize: n, source: nodes)
                        == MerkleTree.inclusionProof(leafIndex: i, treeSize: n, source: store)
                )
            }
            for m in 0...n {
                let nodes = try fetch(MerkleTree.nodesForConsistencyProof(from: m, to: n))
                #expect(
                    try MerkleTree.consistencyProof(from: m, to: n, source: nodes)
                        == MerkleTree.consistencyProof(from: m, to: n, source: store)
                )
            }
        }
        let partial: [MerkleNodeID: [UInt8]] = [:]
        #expect(throws: MerkleTreeError.self) { try MerkleTree.treeHead(size: 3, source: partial) }
        #expect(throws: MerkleTreeError.self) { try MerkleTree.nodesForInclusionProof(leafIndex: 3, treeSize: 3) }
        #expect(throws: MerkleTreeError.self) { try MerkleTree.nodesForConsistencyProof(from: 4, to: 3) }
        #expect(throws: MerkleTreeError.self) { try MerkleTree.nodesForTreeHead(size: -1) }
    }

    @Test func completeSubtreesOfAPrefixAreOnePerSetBit() {
        #expect(
            MerkleTree.completeSubtrees(start: 0, end: 13) == [
                MerkleNodeID(level: 3, index: 0), MerkleNodeID(level: 2, index: 2), MerkleNodeID(level: 0, index: 12),
            ]
        )
        #expect(MerkleTree.completeSubtrees(start: 0, end: 0).isEmpty)
        #expect(
            MerkleTree.completeSubtrees(start: 4, end: 7) == [
                MerkleNodeID(level: 1, index: 2), MerkleNodeID(level: 0, index: 6),
            ]
        )
    }
}
