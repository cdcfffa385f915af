import Contracts
import Foundation
import GRDB

extension SQLiteDatabase: LedgerStore {
    public func ledgerSize(origin: String) async throws -> Int {
        try await read { db in
            (try Int.fetchOne(db, sql: "SELECT max(seq) FROM log_entries WHERE origin = ?", arguments: [origin])).map {
                $0 + 1
            } ?? 0
        }
    }

    public func nodeHashes(origin: String, _ ids: [MerkleNodeID]) async throws -> [MerkleNodeID: [UInt8]] {
        try await read { db in try Self.nodeHashes(db, origin: origin, ids) }
    }

    static func nodeHashes(_ db: Database, origin: String, _ ids: [MerkleNodeID]) throws -> [MerkleNodeID: [UInt8]] {
        var tiles: [HashTiles.TileID: [UInt8]] = [:]
        for tile in HashTiles.tiles(for: ids) {
            if let hashes = try tileHashes(db, origin: origin, tile) { tiles[tile] = hashes }
        }
        return HashTiles.nodes(ids, tiles: tiles)
    }

    static func tileHashes(_ db: Database, origin: String, _ tile: HashTiles.TileID) throws -> [UInt8]? {
        let statement = try db.cachedStatement(
            sql: "SELECT hashes FROM log_tiles WHERE origin = ? AND level = ? AND idx = ?"
        )
        return try Data.fetchOne(statement, arguments: [origin, tile.level, tile.index]).map { Array($0) }
    }

    public func commit(
        origin: String,
        entries: [LedgerEntryRow],
        nodes: [MerkleNodeID: [UInt8]],
        checkpoint: StoredCheckpoint?,
        mappings: [SubjectRefMapping]
    ) async throws {
        try await write { db in
            // Multi-row statements: a commit group is a handful of statements, not a few per entry.
            for chunk in entries.chunked(by: 256) {
                var arguments: [(any DatabaseValueConvertible)?] = []
                arguments.reserveCapacity(chunk.count * 10)
                for entry in chunk {
                    arguments += [
                        origin, entry.seq, entry.id, entry.time.epochMilliseconds, entry.kind, entry.vendor,
                        entry.purpose, entry.decision, entry.shareID, Data(entry.bytes),
                    ]
                }
                try db.execute(
                    sql: """
                        INSERT INTO log_entries (origin, seq, id, time, kind, vendor, purpose, decision, share_id, bytes)
                        VALUES \(Self.placeholders(rows: chunk.count, columns: 10))
                        """,
                    arguments: StatementArguments(arguments)
                )
            }
            let subjects = entries.flatMap { entry in entry.subjectRefs.map { (ref: $0, seq: entry.seq) } }
            for chunk in subjects.chunked(by: 1024) {
                var arguments: [(any DatabaseValueConvertible)?] = []
                arguments.reserveCapacity(chunk.count * 3)
                for subject in chunk { arguments += [subject.ref, origin, subject.seq] }
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO log_entry_subjects (subject_ref, origin, seq)
                        VALUES \(Self.placeholders(rows: chunk.count, columns: 3))
                        """,
                    arguments: StatementArguments(arguments)
                )
            }
            let countShare = try db.cachedStatement(
                sql: """
                    INSERT INTO share_stats (day, vendor, decision, reason, count) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (day, vendor, decision, reason) DO UPDATE SET count = count + excluded.count
                    """
            )
            for cell in ShareStatRow.increments(entries) {
                try countShare.execute(arguments: [cell.day, cell.vendor, cell.decision, cell.reason, cell.count])
            }
            // The tree as hash tiles: one row per tile the group touched (usually the right-edge tile of level 0).
            let writeTile = try db.cachedStatement(
                sql: """
                    INSERT INTO log_tiles (origin, level, idx, hashes) VALUES (?, ?, ?, ?)
                    ON CONFLICT (origin, level, idx) DO UPDATE SET hashes = excluded.hashes
                    """
            )
            for write in try HashTiles.writes(nodes: nodes, existing: { try Self.tileHashes(db, origin: origin, $0) }) {
                try writeTile.execute(arguments: [origin, write.tile.level, write.tile.index, Data(write.hashes)])
            }
            if let checkpoint {
                try db.execute(
                    sql: "INSERT INTO log_checkpoints (origin, size, root, note, time) VALUES (?, ?, ?, ?, ?)",
                    arguments: [
                        origin, checkpoint.size, Data(checkpoint.rootHash), checkpoint.note,
                        checkpoint.time.epochMilliseconds,
                    ]
                )
            }
            let upsert = try db.cachedStatement(
                sql: "INSERT INTO subject_refs (subject, ref) VALUES (?, ?) ON CONFLICT (subject) DO NOTHING"
            )
            for mapping in mappings {
                try upsert.execute(arguments: [mapping.subject, mapping.ref])
            }
        }
    }

    public func latestCheckpoint(origin: String) async throws -> StoredCheckpoint? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT * FROM log_checkpoints WHERE origin = ? ORDER BY size DESC LIMIT 1",
                arguments: [origin]
            ).map(Self.checkpoint)
        }
    }

    public func checkpoints(origin: String, limit: Int) async throws -> [StoredCheckpoint] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM log_checkpoints WHERE origin = ? ORDER BY size DESC LIMIT ?",
                arguments: [origin, limit]
            ).map(Self.checkpoint)
        }
    }

    public func entries(_ query: LedgerQuery) async throws -> [LedgerEntryRow] {
        try await read { db in
            var clauses: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            var table = "log_entries e"
            if let ref = query.subjectRef {
                table += " JOIN log_entry_subjects s ON s.origin = e.origin AND s.seq = e.seq AND s.subject_ref = ?"
                arguments.append(ref)
            }
            func add(_ clause: String, _ value: (any DatabaseValueConvertible)?) {
                guard let value else { return }
                clauses.append(clause)
                arguments.append(value)
            }
            add("e.origin = ?", query.origin)
            add("e.vendor = ?", query.vendor)
            add("e.purpose = ?", query.purpose)
            add("e.decision = ?", query.decision)
            add("e.kind = ?", query.kind)
            add("e.time >= ?", query.since?.epochMilliseconds)
            add("e.time <= ?", query.until?.epochMilliseconds)
            if let after = query.after {
                // Forms the primary-key index can seek on (an OR of ranges would scan from the start each page).
                if query.origin == after.origin {
                    clauses.append("e.seq > ?")
                    arguments.append(after.seq)
                } else {
                    clauses.append("(e.origin, e.seq) > (?, ?)")
                    arguments += [after.origin, after.seq]
                }
            }
            let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            arguments.append(query.limit)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT e.origin, e.seq, e.id, e.time, e.kind, e.vendor, e.purpose, e.decision, e.share_id, e.bytes
                    FROM \(table) \(whereClause) ORDER BY e.origin, e.seq LIMIT ?
                    """,
                arguments: StatementArguments(arguments)
            )
            return rows.map { row in
                LedgerEntryRow(
                    origin: row["origin"],
                    seq: row["seq"],
                    id: row["id"],
                    time: Timestamp(epochMilliseconds: row["time"]),
                    kind: row["kind"],
                    vendor: row["vendor"],
                    purpose: row["purpose"],
                    decision: row["decision"],
                    shareID: row["share_id"],
                    subjectRefs: [],
                    bytes: Array(row["bytes"] as Data)
                )
            }
        }
    }

    public func origins() async throws -> [(origin: String, verifierKey: String)] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT origin, verifier_key FROM log_origins ORDER BY origin").map {
                (origin: $0["origin"] as String, verifierKey: $0["verifier_key"] as String)
            }
        }
    }

    public func registerOrigin(_ origin: String, verifierKey: String, at time: Timestamp) async throws {
        try await write { db in
            if let existing = try String.fetchOne(
                db,
                sql: "SELECT verifier_key FROM log_origins WHERE origin = ?",
                arguments: [origin]
            ) {
                guard existing == verifierKey else {
                    throw StorageError(
                        .conflict,
                        "the log \(origin) was signed with another key; refusing to continue it with this one"
                    )
                }
                return
            }
            try db.execute(
                sql: "INSERT INTO log_origins (origin, verifier_key, created_at) VALUES (?, ?, ?)",
                arguments: [origin, verifierKey, time.epochMilliseconds]
            )
        }
    }

    public func subjects(forRefs refs: [String]) async throws -> [SubjectRefMapping] {
        guard !refs.isEmpty else { return [] }
        return try await read { db in
            let statement = try db.cachedStatement(sql: "SELECT subject, ref FROM subject_refs WHERE ref = ?")
            var result: [SubjectRefMapping] = []
            for ref in refs {
                for row in try Row.fetchAll(statement, arguments: [ref]) {
                    result.append(SubjectRefMapping(subject: row["subject"], ref: row["ref"]))
                }
            }
            return result
        }
    }

    public func shareStats(sinceDay: String, untilDay: String) async throws -> [ShareStatRow] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT day, vendor, decision, reason, count FROM share_stats WHERE day >= ? AND day <= ?
                    ORDER BY day, vendor, decision, reason
                    """,
                arguments: [sinceDay, untilDay]
            ).map {
                ShareStatRow(
                    day: $0["day"],
                    vendor: $0["vendor"],
                    decision: $0["decision"],
                    reason: $0["reason"],
                    count: $0["count"]
                )
            }
        }
    }

    public func ref(forSubject subject: String) async throws -> String? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT ref FROM subject_refs WHERE subject = ?", arguments: [subject])
        }
    }

    /// `(?, ?), (?, ?)` for `rows` rows of `columns` values.
    static func placeholders(rows: Int, columns: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        return Array(repeating: row, count: rows).joined(separator: ", ")
    }

    static func checkpoint(_ row: Row) -> StoredCheckpoint {
        StoredCheckpoint(
            origin: row["origin"],
            size: row["size"],
            rootHash: Array(row["root"] as Data),
            note: row["note"],
            time: Timestamp(epochMilliseconds: row["time"])
        )
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    fileprivate func chunked(by size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
