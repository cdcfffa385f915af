import Contracts
import Foundation
import GRDB
import Logging

/// The embedded store: one SQLite file in WAL mode, shared by every command of the gateway.
///
/// Commits are durable (`synchronous = FULL`: the WAL is synced at every commit). The schema carries the
/// rules it can (checks, uniqueness, append-only triggers on the ledger).
public final class SQLiteDatabase: Sendable {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating when missing) and migrates the database at `path`.
    public init(path: String, busyTimeoutSeconds: Double = 5, readOnly: Bool = false) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeoutSeconds)
        configuration.readonly = readOnly
        configuration.label = "gateway"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            if !readOnly { try Self.migrator.migrate(pool) }
        } catch {
            throw StorageError(.unavailable, "cannot open the database at \(path)", underlying: error)
        }
    }

    /// Runs a write transaction, mapping SQLite's failures to ``StorageError``.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as StorageError {
            throw error
        } catch let error as DatabaseError {
            throw Self.map(error)
        }
    }

    /// Runs a read.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as StorageError {
            throw error
        } catch let error as DatabaseError {
            throw Self.map(error)
        }
    }

    static func map(_ error: DatabaseError) -> StorageError {
        switch error.resultCode {
        case .SQLITE_CONSTRAINT:
            return StorageError(.conflict, "the change conflicts with what is stored", underlying: error)
        case .SQLITE_READONLY, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN,
            .SQLITE_PERM:
            return StorageError(.unavailable, "the database cannot be written (\(error.resultCode))", underlying: error)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return StorageError(.corrupt, "the database file is damaged", underlying: error)
        default:
            return StorageError(.unavailable, "database error \(error.resultCode)", underlying: error)
        }
    }

    /// A cheap check that the database answers.
    public func ping() async throws {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func probeWrite() async throws {
        let now = Timestamp.now().epochMilliseconds
        try await write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO health_probe (id, time) VALUES (1, ?)", arguments: [now])
        }
    }
}
