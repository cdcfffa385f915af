import Foundation
import GRDB

extension SQLiteDatabase {
    /// The schema, one migration per change. Migrations run before any server starts.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE vendors (
                        id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 64),
                        agreement_id TEXT NOT NULL UNIQUE,
                        status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'terminated')),
                        status_changed_by TEXT,
                        status_changed_at INTEGER,
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE agreement_versions (
                        vendor_id TEXT NOT NULL REFERENCES vendors(id),
                        version INTEGER NOT NULL CHECK (version > 0),
                        agreement_id TEXT NOT NULL,
                        xml BLOB NOT NULL,
                        digest TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'superseded')),
                        registered_by TEXT NOT NULL,
                        registered_at INTEGER NOT NULL,
                        approved_by TEXT,
                        approved_at INTEGER,
                        effective TEXT NOT NULL,
                        expires TEXT NOT NULL,
                        PRIMARY KEY (vendor_id, version),
                        CHECK (approved_by IS NULL OR approved_by <> registered_by)
                    );
                    CREATE TRIGGER agreement_xml_is_immutable BEFORE UPDATE OF xml, digest ON agreement_versions
                    BEGIN SELECT RAISE(ABORT, 'a registered agreement version never changes'); END;

                    CREATE TABLE consents (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        subject TEXT NOT NULL,
                        purpose TEXT NOT NULL,
                        vendor TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('granted', 'withdrawn')),
                        categories TEXT NOT NULL,
                        given_at INTEGER NOT NULL,
                        expires_at INTEGER,
                        source TEXT NOT NULL,
                        evidence TEXT,
                        recorded_at INTEGER NOT NULL,
                        fingerprint BLOB NOT NULL UNIQUE
                    );
                    CREATE INDEX consents_by_subject ON consents(subject, given_at);

                    CREATE TABLE subject_refs (
                        subject TEXT PRIMARY KEY NOT NULL,
                        ref TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX subject_refs_by_ref ON subject_refs(ref);

                    CREATE TABLE tokens (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        role TEXT NOT NULL CHECK (role IN ('admin', 'procurement', 'consent', 'auditor')),
                        hash BLOB NOT NULL UNIQUE,
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    );

                    CREATE TABLE admin_calls (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time INTEGER NOT NULL,
                        principal TEXT NOT NULL,
                        role TEXT NOT NULL,
                        method TEXT NOT NULL,
                        route TEXT NOT NULL,
                        status INTEGER NOT NULL,
                        outcome TEXT NOT NULL
                    );
                    CREATE TRIGGER admin_calls_append_only_update BEFORE UPDATE ON admin_calls
                    BEGIN SELECT RAISE(ABORT, 'admin calls are append-only'); END;
                    CREATE TRIGGER admin_calls_append_only_delete BEFORE DELETE ON admin_calls
                    BEGIN SELECT RAISE(ABORT, 'admin calls are append-only'); END;

                    CREATE TABLE health_probe (id INTEGER PRIMARY KEY, time INTEGER NOT NULL);

                    CREATE TABLE log_origins (
                        origin TEXT PRIMARY KEY NOT NULL,
                        verifier_key TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE log_entries (
                        origin TEXT NOT NULL,
                        seq INTEGER NOT NULL CHECK (seq >= 0),
                        id TEXT NOT NULL UNIQUE,
                        time INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        vendor TEXT,
                        purpose TEXT,
                        decision TEXT,
                        share_id TEXT,
                        bytes BLOB NOT NULL,
                        PRIMARY KEY (origin, seq)
                    ) WITHOUT ROWID;
                    CREATE INDEX log_entries_by_time ON log_entries(time);
                    CREATE INDEX log_entries_by_vendor ON log_entries(vendor, time);
                    CREATE TABLE log_entry_subjects (
                        subject_ref TEXT NOT NULL,
                        origin TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        PRIMARY KEY (subject_ref, origin, seq)
                    ) WITHOUT ROWID;
                    CREATE TABLE log_nodes (
                        origin TEXT NOT NULL,
                        level INTEGER NOT NULL,
                        idx INTEGER NOT NULL,
                        hash BLOB NOT NULL CHECK (length(hash) = 32),
                        PRIMARY KEY (origin, level, idx)
                    ) WITHOUT ROWID;
                    CREATE TABLE log_checkpoints (
                        origin TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        root BLOB NOT NULL CHECK (length(root) = 32),
                        note TEXT NOT NULL,
                        time INTEGER NOT NULL,
                        PRIMARY KEY (origin, size)
                    ) WITHOUT ROWID;
                    """
            )
            for table in ["log_entries", "log_entry_subjects", "log_nodes", "log_checkpoints"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER \(table)_append_only_update BEFORE UPDATE ON \(table)
                        BEGIN SELECT RAISE(ABORT, 'the share log is append-only'); END;
                        CREATE TRIGGER \(table)_append_only_delete BEFORE DELETE ON \(table)
                        BEGIN SELECT RAISE(ABORT, 'the share log is append-only'); END;
                        """
                )
            }
        }
        migrator.registerMigration("v2-rights") { db in
            try db.execute(sql: SQLiteDatabase.rightsSchema)
        }
        migrator.registerMigration("v3-share-stats") { db in
            try db.execute(
                sql: """
                    CREATE TABLE share_stats (
                        day TEXT NOT NULL,
                        vendor TEXT NOT NULL,
                        decision TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        count INTEGER NOT NULL,
                        PRIMARY KEY (day, vendor, decision, reason)
                    ) WITHOUT ROWID;
                    INSERT INTO share_stats (day, vendor, decision, reason, count)
                    SELECT strftime('%Y-%m-%d', time / 1000, 'unixepoch'), coalesce(vendor, ''), coalesce(decision, 'refused'),
                        coalesce(replace(json_extract(CAST(bytes AS TEXT), '$.reason'), '\(ProblemDetails.typePrefix)', ''), ''),
                        count(*)
                    FROM log_entries WHERE kind = 'share' GROUP BY 1, 2, 3, 4;
                    """
            )
        }
        migrator.registerMigration("v4-hash-tiles") { db in
            try db.execute(
                sql: """
                    CREATE TABLE log_tiles (
                        origin TEXT NOT NULL,
                        level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 7),
                        idx INTEGER NOT NULL CHECK (idx >= 0),
                        hashes BLOB NOT NULL CHECK (length(hashes) % 32 = 0 AND length(hashes) BETWEEN 32 AND 8192),
                        PRIMARY KEY (origin, level, idx)
                    ) WITHOUT ROWID;
                    CREATE TRIGGER log_tiles_only_grow BEFORE UPDATE ON log_tiles
                    WHEN NEW.origin <> OLD.origin OR NEW.level <> OLD.level OR NEW.idx <> OLD.idx
                        OR length(NEW.hashes) <= length(OLD.hashes)
                        OR substr(NEW.hashes, 1, length(OLD.hashes)) <> OLD.hashes
                    BEGIN SELECT RAISE(ABORT, 'the share log is append-only: a tile only grows'); END;
                    CREATE TRIGGER log_tiles_append_only_delete BEFORE DELETE ON log_tiles
                    BEGIN SELECT RAISE(ABORT, 'the share log is append-only'); END;
                    """
            )
            // The tree written before tiles: its tile-level nodes become tiles (the rest is recomputed).
            var tiles: [String: [HashTiles.TileID: [UInt8]]] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT origin, level, idx, hash FROM log_nodes WHERE level % 8 = 0 ORDER BY origin, level, idx"
            )
            while let row = try rows.next() {
                let level: Int = row["level"]
                let index: Int = row["idx"]
                let tile = HashTiles.TileID(level: level / 8, index: index / HashTiles.width)
                tiles[row["origin"], default: [:]][tile, default: []] += Array(row["hash"] as Data)
            }
            for (origin, byTile) in tiles {
                for (tile, hashes) in byTile {
                    try db.execute(
                        sql: "INSERT INTO log_tiles (origin, level, idx, hashes) VALUES (?, ?, ?, ?)",
                        arguments: [origin, tile.level, tile.index, Data(hashes)]
                    )
                }
            }
        }
        return migrator
    }()
}
