import Contracts
import Foundation
import GRDB

extension SQLiteDatabase: TokenStore, AdminCallStore {
    public func insertToken(_ record: TokenRecord, hash: [UInt8]) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO tokens (id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    record.id, record.name, record.role.rawValue, Data(hash), record.createdAt.epochMilliseconds,
                ]
            )
        }
    }

    public func token(hash: [UInt8]) async throws -> TokenRecord? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT * FROM tokens WHERE hash = ? AND revoked_at IS NULL",
                arguments: [Data(hash)]
            )
            .map(Self.token)
        }
    }

    public func tokens() async throws -> [TokenRecord] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY created_at").map(Self.token) }
    }

    public func revokeToken(_ idOrName: String, at time: Timestamp) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE tokens SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL",
                arguments: [time.epochMilliseconds, idOrName, idOrName]
            )
            return db.changesCount > 0
        }
    }

    static func token(_ row: Row) -> TokenRecord {
        TokenRecord(
            id: row["id"],
            name: row["name"],
            role: Role(rawValue: row["role"]) ?? .auditor,
            createdAt: Timestamp(epochMilliseconds: row["created_at"]),
            revokedAt: (row["revoked_at"] as Int64?).map(Timestamp.init(epochMilliseconds:))
        )
    }

    public func recordCall(_ call: AdminCallRecord) async throws {
        try await write { db in
            try db.execute(
                sql:
                    "INSERT INTO admin_calls (time, principal, role, method, route, status, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    call.time.epochMilliseconds, call.principal, call.role, call.method, call.route, call.status,
                    call.outcome,
                ]
            )
        }
    }

    public func calls(after cursor: Int64, limit: Int) async throws -> [AdminCallRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM admin_calls WHERE id > ? ORDER BY id LIMIT ?",
                arguments: [cursor, limit]
            )
            .map { row in
                AdminCallRecord(
                    id: row["id"],
                    time: Timestamp(epochMilliseconds: row["time"]),
                    principal: row["principal"],
                    role: row["role"],
                    method: row["method"],
                    route: row["route"],
                    status: row["status"],
                    outcome: row["outcome"]
                )
            }
        }
    }
}
