import Contracts
import Foundation
import GRDB
import NIOHTTP1
import PostgresNIO
import Testing

@testable import Gateway

/// The tree is stored as hash tiles: a row per tile, not per node, and a stored tile only ever grows.
@Suite("Hash tile storage")
struct TileStorageTests {
    @Test func theTreeIsARowPerTileAndTilesOnlyGrow() async throws {
        try await withGateway { gateway in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        _ = try await gateway.runtime.shareLog.append(
                            LogEntryDraft(
                                id: "t-\(index)",
                                kind: .outcome,
                                members: [JSONMember("n", .number(JSONNumber(index)))]
                            )
                        )
                    }
                }
                try await group.waitForAll()
            }
            gateway.runtime.shareLog.stop()
            try await Task.sleep(for: .milliseconds(300))
            let origin = gateway.runtime.shareLog.origin
            // 300 leaves: a full level-0 tile, a partial one of 44, and a level-1 tile of one hash.
            let expectedRows = 3
            let tamperings = [
                "UPDATE log_tiles SET hashes = substr(hashes, 1, 32) WHERE level = 0 AND idx = 1",
                "UPDATE log_tiles SET idx = 9 WHERE level = 0 AND idx = 0",
                "DELETE FROM log_tiles WHERE level = 1",
            ]
            if let sqlite = gateway.runtime.store as? SQLiteDatabase {
                let rows = try await sqlite.pool.read { db in
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM log_tiles WHERE origin = ?", arguments: [origin])
                }
                #expect(rows == expectedRows)
                for statement in tamperings + [
                    "UPDATE log_tiles SET hashes = zeroblob(length(hashes) + 32) WHERE level = 0 AND idx = 1"
                ] {
                    await #expect(throws: (any Error).self, "\(statement)") {
                        try await sqlite.pool.write { db in try db.execute(sql: statement) }
                    }
                }
            } else if let postgres = gateway.runtime.store as? Gateway.PostgresDatabase {
                let rows = try await postgres.connection { connection in
                    var count = 0
                    for try await value in try await connection.query(
                        "SELECT count(*) FROM log_tiles WHERE origin = \(origin)",
                        logger: gateway.runtime.logger
                    ).decode(Int.self) {
                        count = value
                    }
                    return count
                }
                #expect(rows == expectedRows)
                for statement in tamperings + [
                    "UPDATE log_tiles SET hashes = decode(repeat('00', length(hashes) + 32), 'hex') WHERE level = 0 AND idx = 1"
                ] {
                    await #expect(throws: (any Error).self, "\(statement)") {
                        try await postgres.transaction { connection in
                            try await connection.query(
                                PostgresQuery(unsafeSQL: statement),
                                logger: gateway.runtime.logger
                            )
                        }
                    }
                }
            }
            // Untouched, the log still verifies.
            let auditor = try await gateway.token(.auditor, name: "audit")
            #expect(try await gateway.admin(.GET, "/v1/log/verify", token: auditor).status == 200)
        }
    }
}
