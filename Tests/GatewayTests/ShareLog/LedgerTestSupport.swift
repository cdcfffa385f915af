@testable import Gateway

/// Hex helpers and a naive RFC 9162 reference used by the tests.
enum LedgerTestSupport {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }.joined()
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        precondition(digits.count % 2 == 0, "odd hex")
        func value(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: preconditionFailure("bad hex digit")
            }
        }
        return stride(from: 0, to: digits.count, by: 2).map { value(digits[$0]) << 4 | value(digits[$0 + 1]) }
    }

    /// Naive recursive RFC 9162 §2.1 reference, straight from the definitions.
    enum Reference {
        static func k(_ n: Int) -> Int {
            var k = 1
            while k * 2 < n { k *= 2 }
            return k
        }

        static func mth(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
            switch leaves.count {
            case 0: return MerkleTree.emptyRoot
            case 1: return MerkleTree.leafHash(leaves.first!)
            default:
                let split = leaves.startIndex + k(leaves.count)
                return MerkleTree.nodeHash(mth(leaves[..<split]), mth(leaves[split...]))
            }
        }

        static func path(_ m: Int, _ leaves: ArraySlice<[UInt8]>) -> [[UInt8]] {
            let n = leaves.count
            if n == 1 { return [] }
            let split = leaves.startIndex + k(n)
            if m < k(n) { return path(m, leaves[..<split]) + [mth(leaves[split...])] }
            return path(m - k(n), leaves[split...]) + [mth(leaves[..<split])]
        }

        static func subproof(_ m: Int, _ leaves: ArraySlice<[UInt8]>, _ b: Bool) -> [[UInt8]] {
            let n = leaves.count
            if m == n { return b ? [] : [mth(leaves)] }
            let split = leaves.startIndex + k(n)
            if m <= k(n) { return subproof(m, leaves[..<split], b) + [mth(leaves[split...])] }
            return subproof(m - k(n), leaves[split...], false) + [mth(leaves[..<split])]
        }

        static func proof(_ m: Int, _ leaves: ArraySlice<[UInt8]>) -> [[UInt8]] {
            subproof(m, leaves, true)
        }
    }

    /// Leaves `0..<count` with distinct contents of varying lengths.
    static func leaves(_ count: Int) -> [[UInt8]] {
        (0..<count).map { i in Array("leaf-\(i)-".utf8) + [UInt8](repeating: UInt8(i & 0xff), count: i % 7) }
    }

    /// A node store holding the complete tree of `leaves`, built by appending.
    static func store(_ leaves: [[UInt8]]) throws -> InMemoryMerkleNodes {
        var frontier = MerkleFrontier()
        var store = InMemoryMerkleNodes()
        for leaf in leaves { try store.store(frontier.append(leafHash: MerkleTree.leafHash(leaf))) }
        return store
    }
}

/// A node source that counts round trips and node reads.
final class CountingNodeSource: MerkleNodeSource {
    let base: InMemoryMerkleNodes
    private(set) var batches = 0
    private(set) var reads = 0

    init(_ base: InMemoryMerkleNodes) { self.base = base }

    func hash(level: Int, index: Int) throws -> [UInt8] {
        reads += 1
        return try base.hash(level: level, index: index)
    }

    func hashes(_ nodes: [MerkleNodeID]) throws -> [MerkleNodeID: [UInt8]] {
        batches += 1
        reads += nodes.count
        var result: [MerkleNodeID: [UInt8]] = [:]
        for node in nodes { result[node] = try base.hash(level: node.level, index: node.index) }
        return result
    }
}
