import Contracts
import Foundation
import NIOHTTP1
import Testing

@testable import Gateway

/// The share log's hashes in the C2SP tlog-tiles layout: a client that knows only a checkpoint and the tiles
/// computes the same root.
@Suite("Hash tiles")
struct TileTests {
    @Test func tilePathsAreTheSpecsCanonicalForm() {
        #expect(TilePath.encode(0) == "000")
        #expect(TilePath.encode(1234) == "x001/234")
        #expect(TilePath.encode(1_234_067) == "x001/x234/067")
        #expect(TilePath(["0", "x001", "234"]) == TilePath(level: 0, index: 1234, partialWidth: nil))
        #expect(TilePath(["2", "000.p", "7"]) == TilePath(level: 2, index: 0, partialWidth: 7))
        for bad: [Substring] in [
            ["0", "1"], ["00", "000"], ["0", "x000", "001"], ["0", "000.p", "0"], ["0", "000.p", "256"],
            ["0", "000.p", "07"], ["8", "000"], ["0", "x1", "234"], ["0"], ["-1", "000"], ["0", "0001"],
        ] {
            #expect(TilePath(bad) == nil, "\(bad)")
        }
    }

    @Test func aClientComputesTheCheckpointRootFromTheTiles() async throws {
        try await withGateway { gateway in
            let auditor = try await gateway.token(.auditor, name: "audit")
            // 600 entries: two full level-0 tiles and a partial one of 88; level 1 holds 2 nodes.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<600 {
                    group.addTask {
                        _ = try await gateway.runtime.shareLog.append(
                            LogEntryDraft(
                                id: "tile-\(index)",
                                kind: .outcome,
                                members: [JSONMember("shareId", .string("s-\(index)"))]
                            )
                        )
                    }
                }
                try await group.waitForAll()
            }
            gateway.runtime.shareLog.stop()
            try await Task.sleep(for: .milliseconds(300))
            let note = try await gateway.admin(.GET, "/v1/log/checkpoint", token: auditor).text
            let lines = note.split(separator: "\n")
            #expect(lines.count >= 3)
            let size = try #require(Int(lines[1]))
            #expect(size == 600)
            let root = try #require(Base64.decode(lines[2]))

            func tile(_ path: String) async throws -> GatewayHarness.Response {
                try await gateway.admin(.GET, "/v1/log/tile/\(path)", token: auditor)
            }
            var leaves: [[UInt8]] = []
            for path in ["0/000", "0/001", "0/002.p/88"] {
                let response = try await tile(path)
                #expect(response.status == 200, "\(path)")
                #expect(response.headers.first(name: "content-type") == "application/octet-stream")
                let expected = path.contains(".p/") ? "no-store" : "public, max-age=31536000, immutable"
                #expect(response.headers.first(name: "cache-control") == expected)
                leaves += stride(from: 0, to: response.body.count, by: 32).map { Array(response.body[$0..<$0 + 32]) }
            }
            #expect(leaves.count == 600)
            #expect(MerkleTree.rootHash(leafHashes: leaves) == root, "the tiles give the checkpoint's root")
            // Level 1 holds the roots of each full level-0 tile.
            let upper = try await tile("1/000.p/2")
            #expect(upper.status == 200)
            #expect(Array(upper.body[0..<32]) == MerkleTree.rootHash(leafHashes: leaves[0..<256]))
            #expect(Array(upper.body[32..<64]) == MerkleTree.rootHash(leafHashes: leaves[256..<512]))
            // What the log does not have yet, and what is not a tile path.
            #expect(try await tile("0/002").status == 404)
            #expect(try await tile("0/002.p/89").status == 404)
            #expect(try await tile("1/000").status == 404)
            #expect(try await tile("0/x000/001").status == 404)
            #expect(try await gateway.admin(.GET, "/v1/log/tile/0/000", token: nil).status == 401)
        }
    }
}
