/// The Merkle tree stored as C2SP `tlog-tiles` hash tiles: tile (L, N) holds the hashes of level `8L` nodes
/// `256N ..< 256N + W`, concatenated. Full tiles (W = 256) are written once; the partial tile at the right edge
/// of each level grows in place, and only ever by appending (the stores refuse any other change).
///
/// Nodes between tile levels are not stored: a complete node at level `l` is the root of the `2^(l - 8L)`
/// level-`8L` nodes it covers, all in one tile, and is computed from them on read.
enum HashTiles {
    static let width = 256
    static let hashSize = 32

    struct TileID: Hashable, Sendable {
        var level: Int
        var index: Int
    }

    /// The contents of every tile the new nodes touch, from each tile's stored contents (`existing`) and the
    /// new level-`8L` nodes appended to it. Nodes at other levels are dropped (they are recomputed on read).
    /// Throws when a new node does not extend its tile contiguously (the tree and the store disagree).
    static func writes(
        nodes: [MerkleNodeID: [UInt8]],
        existing: (TileID) throws -> [UInt8]?
    ) throws -> [(tile: TileID, hashes: [UInt8])] {
        var grouped: [TileID: [(position: Int, hash: [UInt8])]] = [:]
        for (id, hash) in nodes where id.level % 8 == 0 {
            let tile = TileID(level: id.level / 8, index: id.index / width)
            grouped[tile, default: []].append((id.index % width, hash))
        }
        var result: [(tile: TileID, hashes: [UInt8])] = []
        for tile in grouped.keys.sorted(by: { ($0.level, $0.index) < ($1.level, $1.index) }) {
            var hashes = try existing(tile) ?? []
            for (position, hash) in grouped[tile]!.sorted(by: { $0.position < $1.position }) {
                guard hash.count == hashSize, position == hashes.count / hashSize else {
                    throw StorageError(
                        .corrupt,
                        "tile \(tile.level)/\(tile.index) holds \(hashes.count / hashSize) hashes; node \(position) cannot follow"
                    )
                }
                hashes += hash
            }
            result.append((tile, hashes))
        }
        return result
    }

    /// The tiles holding what `ids` are computed from.
    static func tiles(for ids: [MerkleNodeID]) -> Set<TileID> {
        Set(
            ids.map { id in
                let base = (id.level / 8) * 8
                return TileID(level: id.level / 8, index: (id.index << (id.level - base)) / width)
            }
        )
    }

    /// The hashes of `ids` that the tiles can give (a node whose level-`8L` nodes are not all stored is left
    /// out).
    static func nodes(_ ids: [MerkleNodeID], tiles: [TileID: [UInt8]]) -> [MerkleNodeID: [UInt8]] {
        var result: [MerkleNodeID: [UInt8]] = [:]
        for id in ids {
            let level = id.level / 8
            let height = id.level - level * 8
            let span = 1 << height
            let first = id.index << height
            let tile = TileID(level: level, index: first / width)
            guard let bytes = tiles[tile] else { continue }
            let start = first % width
            guard (start + span) * hashSize <= bytes.count else { continue }
            var layer: [[UInt8]] = (start..<start + span).map {
                Array(bytes[($0 * hashSize)..<(($0 + 1) * hashSize)])
            }
            while layer.count > 1 {
                layer = stride(from: 0, to: layer.count, by: 2).map { MerkleTree.nodeHash(layer[$0], layer[$0 + 1]) }
            }
            result[id] = layer[0]
        }
        return result
    }
}
