import Logging
import PostgresNIO

extension PostgresDatabase {
    /// The schema, one list of statements per version. Applied under a transaction-scoped advisory lock, so
    /// two instances starting at once apply each version once.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE vendors (
                id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
                agreement_id TEXT NOT NULL UNIQUE,
                status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'terminated')),
                status_changed_by TEXT,
                status_changed_at BIGINT,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE agreement_versions (
                vendor_id TEXT NOT NULL REFERENCES vendors(id),
                version INTEGER NOT NULL CHECK (version > 0),
                agreement_id TEXT NOT NULL,
                xml BYTEA NOT NULL,
                digest TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'superseded')),
                registered_by TEXT NOT NULL,
                registered_at BIGINT NOT NULL,
                approved_by TEXT,
                approved_at BIGINT,
                effective TEXT NOT NULL,
                expires TEXT NOT NULL,
                PRIMARY KEY (vendor_id, version),
                CHECK (approved_by IS NULL OR approved_by <> registered_by)
            )
            """,
            """
            CREATE TABLE consents (
                id BIGSERIAL PRIMARY KEY,
                subject TEXT NOT NULL,
                purpose TEXT NOT NULL,
                vendor TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('granted', 'withdrawn')),
                categories TEXT NOT NULL,
                given_at BIGINT NOT NULL,
                expires_at BIGINT,
                source TEXT NOT NULL,
                evidence TEXT,
                recorded_at BIGINT NOT NULL,
                fingerprint BYTEA NOT NULL UNIQUE
            )
            """,
            "CREATE INDEX consents_by_subject ON consents (subject, given_at)",
            "CREATE TABLE subject_refs (subject TEXT PRIMARY KEY, ref TEXT NOT NULL)",
            "CREATE INDEX subject_refs_by_ref ON subject_refs (ref)",
            """
            CREATE TABLE tokens (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('admin', 'procurement', 'consent', 'auditor')),
                hash BYTEA NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT
            )
            """,
            """
            CREATE TABLE admin_calls (
                id BIGSERIAL PRIMARY KEY,
                time BIGINT NOT NULL,
                principal TEXT NOT NULL,
                role TEXT NOT NULL,
                method TEXT NOT NULL,
                route TEXT NOT NULL,
                status INTEGER NOT NULL,
                outcome TEXT NOT NULL
            )
            """,
            "CREATE TABLE health_probe (id INTEGER PRIMARY KEY, time BIGINT NOT NULL)",
            "CREATE TABLE gateway_secrets (name TEXT PRIMARY KEY, value BYTEA NOT NULL)",
            "CREATE TABLE log_origins (origin TEXT PRIMARY KEY, verifier_key TEXT NOT NULL, created_at BIGINT NOT NULL)",
            """
            CREATE TABLE log_entries (
                origin TEXT NOT NULL,
                seq BIGINT NOT NULL CHECK (seq >= 0),
                id TEXT NOT NULL UNIQUE,
                time BIGINT NOT NULL,
                kind TEXT NOT NULL,
                vendor TEXT,
                purpose TEXT,
                decision TEXT,
                share_id TEXT,
                bytes BYTEA NOT NULL,
                PRIMARY KEY (origin, seq)
            )
            """,
            "CREATE INDEX log_entries_by_time ON log_entries (time)",
            "CREATE INDEX log_entries_by_vendor ON log_entries (vendor, time)",
            """
            CREATE TABLE log_entry_subjects (
                subject_ref TEXT NOT NULL,
                origin TEXT NOT NULL,
                seq BIGINT NOT NULL,
                PRIMARY KEY (subject_ref, origin, seq)
            )
            """,
            """
            CREATE TABLE log_nodes (
                origin TEXT NOT NULL,
                level INTEGER NOT NULL,
                idx BIGINT NOT NULL,
                hash BYTEA NOT NULL CHECK (length(hash) = 32),
                PRIMARY KEY (origin, level, idx)
            )
            """,
            """
            CREATE TABLE log_checkpoints (
                origin TEXT NOT NULL,
                size BIGINT NOT NULL,
                root BYTEA NOT NULL CHECK (length(root) = 32),
                note TEXT NOT NULL,
                time BIGINT NOT NULL,
                PRIMARY KEY (origin, size)
            )
            """,
            """
            CREATE FUNCTION gateway_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'append-only table %', TG_TABLE_NAME; END $$
            """,
            "CREATE TRIGGER log_entries_append_only BEFORE UPDATE OR DELETE ON log_entries FOR EACH ROW EXECUTE FUNCTION gateway_append_only()",
            "CREATE TRIGGER log_entry_subjects_append_only BEFORE UPDATE OR DELETE ON log_entry_subjects FOR EACH ROW EXECUTE FUNCTION gateway_append_only()",
            "CREATE TRIGGER log_nodes_append_only BEFORE UPDATE OR DELETE ON log_nodes FOR EACH ROW EXECUTE FUNCTION gateway_append_only()",
            "CREATE TRIGGER log_checkpoints_append_only BEFORE UPDATE OR DELETE ON log_checkpoints FOR EACH ROW EXECUTE FUNCTION gateway_append_only()",
            "CREATE TRIGGER admin_calls_append_only BEFORE UPDATE OR DELETE ON admin_calls FOR EACH ROW EXECUTE FUNCTION gateway_append_only()",
        ],
        PostgresDatabase.rightsSchema,
        [
            """
            CREATE TABLE share_stats (
                day TEXT NOT NULL,
                vendor TEXT NOT NULL,
                decision TEXT NOT NULL,
                reason TEXT NOT NULL,
                count BIGINT NOT NULL,
                PRIMARY KEY (day, vendor, decision, reason)
            )
            """,
            """
            INSERT INTO share_stats (day, vendor, decision, reason, count)
            SELECT to_char(to_timestamp(time / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), coalesce(vendor, ''),
                coalesce(decision, 'refused'),
                coalesce(replace(convert_from(bytes, 'UTF8')::jsonb ->> 'reason', '\(ProblemDetails.typePrefix)', ''), ''),
                count(*)
            FROM log_entries WHERE kind = 'share' GROUP BY 1, 2, 3, 4
            """,
        ],
        [
            """
            CREATE TABLE log_tiles (
                origin TEXT NOT NULL,
                level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 7),
                idx BIGINT NOT NULL CHECK (idx >= 0),
                hashes BYTEA NOT NULL CHECK (length(hashes) % 32 = 0 AND length(hashes) BETWEEN 32 AND 8192),
                PRIMARY KEY (origin, level, idx)
            )
            """,
            """
            CREATE FUNCTION gateway_tile_only_grows() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.origin <> OLD.origin OR NEW.level <> OLD.level OR NEW.idx <> OLD.idx
                    OR length(NEW.hashes) <= length(OLD.hashes)
                    OR substring(NEW.hashes FROM 1 FOR length(OLD.hashes)) <> OLD.hashes THEN
                    RAISE EXCEPTION 'the share log is append-only: a tile only grows';
                END IF;
                RETURN NEW;
            END $$
            """,
            "CREATE TRIGGER log_tiles_only_grow BEFORE UPDATE ON log_tiles FOR EACH ROW EXECUTE FUNCTION gateway_tile_only_grows()",
            "CREATE TRIGGER log_tiles_append_only BEFORE DELETE ON log_tiles FOR EACH ROW EXECUTE FUNCTION gateway_append_only()",
            // The tree written before tiles: its tile-level nodes become tiles (the rest is recomputed on read).
            """
            INSERT INTO log_tiles (origin, level, idx, hashes)
            SELECT origin, level / 8, idx / 256, string_agg(hash, ''::bytea ORDER BY idx)
            FROM log_nodes WHERE level % 8 = 0 GROUP BY origin, level / 8, idx / 256
            """,
        ],
    ]

    /// Applies missing migrations; safe when several instances start at once.
    func migrate() async throws {
        try await client.withConnection { connection in
            try await connection.withTransaction(logger: self.logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(7262023001)", logger: self.logger)
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS gateway_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                    logger: self.logger
                )
                var applied: Set<Int> = []
                for try await version in try await connection.query(
                    "SELECT version FROM gateway_migrations",
                    logger: self.logger
                ).decode(Int.self) {
                    applied.insert(version)
                }
                for (index, statements) in Self.migrations.enumerated() where !applied.contains(index + 1) {
                    for statement in statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                    }
                    let version = index + 1
                    try await connection.query(
                        "INSERT INTO gateway_migrations (version) VALUES (\(version))",
                        logger: self.logger
                    )
                    logger.info("database migrated", metadata: ["migration.version": "\(version)"])
                }
            }
        }
    }
}
