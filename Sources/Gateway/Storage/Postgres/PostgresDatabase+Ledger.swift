import Contracts
import NIOCore
import PostgresNIO

extension PostgresDatabase: LedgerStore {
    public func ledgerSize(origin: String) async throws -> Int {
        try await connection { connection in
            for try await size in try await connection.query(
                "SELECT max(seq) FROM log_entries WHERE origin = \(origin)",
                logger: self.logger
            ).decode(Int64?.self) {
                return size.map { Int($0) + 1 } ?? 0
            }
            return 0
        }
    }

    public func nodeHashes(origin: String, _ ids: [MerkleNodeID]) async throws -> [MerkleNodeID: [UInt8]] {
        guard !ids.isEmpty else { return [:] }
        let wanted = Array(HashTiles.tiles(for: ids))
        let tiles = try await connection { connection in
            try await Self.tiles(connection, origin: origin, wanted, logger: self.logger)
        }
        return HashTiles.nodes(ids, tiles: tiles)
    }

    static func tiles(
        _ connection: PostgresConnection,
        origin: String,
        _ wanted: [HashTiles.TileID],
        forUpdate: Bool = false,
        logger: Logger
    ) async throws -> [HashTiles.TileID: [UInt8]] {
        guard !wanted.isEmpty else { return [:] }
        var result: [HashTiles.TileID: [UInt8]] = [:]
        for try await (level, index, hashes) in try await connection.query(
            """
            SELECT t.level, t.idx, t.hashes FROM log_tiles t
            JOIN UNNEST(\(wanted.map(\.level))::int[], \(wanted.map { Int64($0.index) })::bigint[]) AS w(level, idx)
              ON t.level = w.level AND t.idx = w.idx
            WHERE t.origin = \(origin)
            """,
            logger: logger
        ).decode((Int, Int64, ByteBuffer).self) {
            result[HashTiles.TileID(level: level, index: Int(index))] = Array(buffer: hashes)
        }
        return result
    }

    public func commit(
        origin: String,
        entries: [LedgerEntryRow],
        nodes: [MerkleNodeID: [UInt8]],
        checkpoint: StoredCheckpoint?,
        mappings: [SubjectRefMapping]
    ) async throws {
        try await transaction { connection in
            if !entries.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO log_entries (origin, seq, id, time, kind, vendor, purpose, decision, share_id, bytes)
                    SELECT \(origin), seq, id, time, kind, NULLIF(vendor, ''), NULLIF(purpose, ''), NULLIF(decision, ''),
                        NULLIF(share_id, ''), bytes
                    FROM UNNEST(\(entries.map { Int64($0.seq) })::bigint[], \(entries.map(\.id))::text[],
                        \(entries.map(\.time.epochMilliseconds))::bigint[], \(entries.map(\.kind))::text[],
                        \(entries.map { $0.vendor ?? "" })::text[], \(entries.map { $0.purpose ?? "" })::text[],
                        \(entries.map { $0.decision ?? "" })::text[], \(entries.map { $0.shareID ?? "" })::text[],
                        \(entries.map { ByteBuffer(bytes: $0.bytes) })::bytea[])
                        AS t(seq, id, time, kind, vendor, purpose, decision, share_id, bytes)
                    """,
                    logger: self.logger
                )
                let subjects = entries.flatMap { entry in entry.subjectRefs.map { ($0, Int64(entry.seq)) } }
                if !subjects.isEmpty {
                    try await connection.query(
                        """
                        INSERT INTO log_entry_subjects (subject_ref, origin, seq)
                        SELECT ref, \(origin), seq FROM UNNEST(\(subjects.map(\.0))::text[], \(subjects.map(\.1))::bigint[]) AS t(ref, seq)
                        ON CONFLICT DO NOTHING
                        """,
                        logger: self.logger
                    )
                }
            }
            let cells = ShareStatRow.increments(entries)
            if !cells.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO share_stats (day, vendor, decision, reason, count)
                    SELECT day, vendor, decision, reason, n
                    FROM UNNEST(\(cells.map(\.day))::text[], \(cells.map(\.vendor))::text[], \(cells.map(\.decision))::text[],
                        \(cells.map(\.reason))::text[], \(cells.map { Int64($0.count) })::bigint[])
                        AS t(day, vendor, decision, reason, n)
                    ON CONFLICT (day, vendor, decision, reason) DO UPDATE SET count = share_stats.count + excluded.count
                    """,
                    logger: self.logger
                )
            }
            // The tree as hash tiles: one row per tile the group touched.
            let touched = Array(HashTiles.tiles(for: nodes.keys.filter { $0.level % 8 == 0 }))
            let stored = try await Self.tiles(connection, origin: origin, touched, logger: self.logger)
            let writes = try HashTiles.writes(nodes: nodes, existing: { stored[$0] })
            if !writes.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO log_tiles (origin, level, idx, hashes)
                    SELECT \(origin), level, idx, hashes
                    FROM UNNEST(\(writes.map(\.tile.level))::int[], \(writes.map { Int64($0.tile.index) })::bigint[],
                        \(writes.map { ByteBuffer(bytes: $0.hashes) })::bytea[]) AS t(level, idx, hashes)
                    ON CONFLICT (origin, level, idx) DO UPDATE SET hashes = excluded.hashes
                    """,
                    logger: self.logger
                )
            }
            if let checkpoint {
                try await connection.query(
                    """
                    INSERT INTO log_checkpoints (origin, size, root, note, time)
                    VALUES (\(origin), \(Int64(checkpoint.size)), \(ByteBuffer(bytes: checkpoint.rootHash)), \(checkpoint.note),
                        \(checkpoint.time.epochMilliseconds))
                    """,
                    logger: self.logger
                )
            }
            if !mappings.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO subject_refs (subject, ref)
                    SELECT DISTINCT ON (subject) subject, ref FROM UNNEST(\(mappings.map(\.subject))::text[], \(mappings.map(\.ref))::text[]) AS t(subject, ref)
                    ON CONFLICT (subject) DO NOTHING
                    """,
                    logger: self.logger
                )
            }
        }
    }

    public func latestCheckpoint(origin: String) async throws -> StoredCheckpoint? {
        try await checkpoints(origin: origin, limit: 1).first
    }

    public func checkpoints(origin: String, limit: Int) async throws -> [StoredCheckpoint] {
        try await connection { connection in
            var result: [StoredCheckpoint] = []
            for try await (size, root, note, time) in try await connection.query(
                "SELECT size, root, note, time FROM log_checkpoints WHERE origin = \(origin) ORDER BY size DESC LIMIT \(limit)",
                logger: self.logger
            ).decode((Int64, ByteBuffer, String, Int64).self) {
                result.append(
                    StoredCheckpoint(
                        origin: origin,
                        size: Int(size),
                        rootHash: Array(buffer: root),
                        note: note,
                        time: Timestamp(epochMilliseconds: time)
                    )
                )
            }
            return result
        }
    }

    public func entries(_ query: LedgerQuery) async throws -> [LedgerEntryRow] {
        var sql =
            "SELECT e.origin, e.seq, e.id, e.time, e.kind, e.vendor, e.purpose, e.decision, e.share_id, e.bytes FROM log_entries e"
        var bindings = PostgresBindings()
        func bind(_ value: some PostgresEncodable & Sendable) throws -> String {
            try bindings.append(value)
            return "$\(bindings.count)"
        }
        var clauses: [String] = []
        if let ref = query.subjectRef {
            sql +=
                " JOIN log_entry_subjects s ON s.origin = e.origin AND s.seq = e.seq AND s.subject_ref = \(try bind(ref))"
        }
        if let origin = query.origin { clauses.append("e.origin = \(try bind(origin))") }
        if let vendor = query.vendor { clauses.append("e.vendor = \(try bind(vendor))") }
        if let purpose = query.purpose { clauses.append("e.purpose = \(try bind(purpose))") }
        if let decision = query.decision { clauses.append("e.decision = \(try bind(decision))") }
        if let kind = query.kind { clauses.append("e.kind = \(try bind(kind))") }
        if let since = query.since { clauses.append("e.time >= \(try bind(since.epochMilliseconds))") }
        if let until = query.until { clauses.append("e.time <= \(try bind(until.epochMilliseconds))") }
        if let after = query.after {
            clauses.append("(e.origin, e.seq) > (\(try bind(after.origin)), \(try bind(Int64(after.seq))))")
        }
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += " ORDER BY e.origin, e.seq LIMIT \(try bind(query.limit))"
        let statement = PostgresQuery(unsafeSQL: sql, binds: bindings)
        return try await connection { connection in
            var result: [LedgerEntryRow] = []
            for try await row in try await connection.query(statement, logger: self.logger) {
                let row = row.makeRandomAccess()
                result.append(
                    LedgerEntryRow(
                        origin: try row.get("origin"),
                        seq: Int(try row.get("seq", as: Int64.self)),
                        id: try row.get("id"),
                        time: Timestamp(epochMilliseconds: try row.get("time")),
                        kind: try row.get("kind"),
                        vendor: try row.get("vendor"),
                        purpose: try row.get("purpose"),
                        decision: try row.get("decision"),
                        shareID: try row.get("share_id"),
                        subjectRefs: [],
                        bytes: Array(buffer: try row.get("bytes", as: ByteBuffer.self))
                    )
                )
            }
            return result
        }
    }

    public func origins() async throws -> [(origin: String, verifierKey: String)] {
        try await connection { connection in
            var result: [(origin: String, verifierKey: String)] = []
            for try await (origin, key) in try await connection.query(
                "SELECT origin, verifier_key FROM log_origins ORDER BY origin",
                logger: self.logger
            ).decode((String, String).self) {
                result.append((origin, key))
            }
            return result
        }
    }

    public func registerOrigin(_ origin: String, verifierKey: String, at time: Timestamp) async throws {
        try await transaction { connection in
            try await connection.query(
                """
                INSERT INTO log_origins (origin, verifier_key, created_at) VALUES (\(origin), \(verifierKey), \(time.epochMilliseconds))
                ON CONFLICT (origin) DO NOTHING
                """,
                logger: self.logger
            )
            for try await existing in try await connection.query(
                "SELECT verifier_key FROM log_origins WHERE origin = \(origin)",
                logger: self.logger
            ).decode(String.self) where existing != verifierKey {
                throw StorageError(
                    .conflict,
                    "the log \(origin) was signed with another key; refusing to continue it with this one"
                )
            }
        }
    }

    public func subjects(forRefs refs: [String]) async throws -> [SubjectRefMapping] {
        guard !refs.isEmpty else { return [] }
        return try await connection { connection in
            var result: [SubjectRefMapping] = []
            for try await (subject, ref) in try await connection.query(
                "SELECT subject, ref FROM subject_refs WHERE ref = ANY(\(refs)::text[])",
                logger: self.logger
            ).decode((String, String).self) {
                result.append(SubjectRefMapping(subject: subject, ref: ref))
            }
            return result
        }
    }

    public func shareStats(sinceDay: String, untilDay: String) async throws -> [ShareStatRow] {
        try await connection { connection in
            var rows: [ShareStatRow] = []
            for try await (day, vendor, decision, reason, count) in try await connection.query(
                """
                SELECT day, vendor, decision, reason, count FROM share_stats WHERE day >= \(sinceDay) AND day <= \(untilDay)
                ORDER BY day, vendor, decision, reason
                """,
                logger: self.logger
            ).decode((String, String, String, String, Int64).self) {
                rows.append(
                    ShareStatRow(day: day, vendor: vendor, decision: decision, reason: reason, count: Int(count))
                )
            }
            return rows
        }
    }

    public func ref(forSubject subject: String) async throws -> String? {
        try await connection { connection in
            for try await ref in try await connection.query(
                "SELECT ref FROM subject_refs WHERE subject = \(subject)",
                logger: self.logger
            ).decode(String.self) {
                return ref
            }
            return nil
        }
    }
}
