import Contracts
import NIOCore
import PostgresNIO

extension PostgresDatabase: ConsentStore {
    public func insert(_ records: [ConsentRecord], at time: Timestamp) async throws -> ConsentInsertion {
        guard !records.isEmpty else { return ConsentInsertion(records: [], inserted: 0) }
        let logger = self.logger
        let fingerprints = records.map { ByteBuffer(bytes: ConsentFingerprint.of($0)) }
        let consentKeys = consentChangeKeys(records.map(\.subject))
        let result: ConsentInsertion = try await transaction { connection in
            var inserted = 0
            for try await _ in try await connection.query(
                """
                INSERT INTO consents (subject, purpose, vendor, status, categories, given_at, expires_at, source, evidence,
                    recorded_at, fingerprint)
                SELECT s, p, v, st, c, g, NULLIF(e, -1), src, NULLIF(ev, ''), \(time.epochMilliseconds), f
                FROM UNNEST(\(records.map(\.subject))::text[], \(records.map(\.purpose))::text[], \(records.map(\.vendor))::text[],
                    \(records.map(\.status.rawValue))::text[], \(records.map { $0.categories.joined(separator: " ") })::text[],
                    \(records.map(\.givenAt.epochMilliseconds))::bigint[], \(records.map { $0.expiresAt?.epochMilliseconds ?? -1 })::bigint[],
                    \(records.map(\.source))::text[], \(records.map { $0.evidence ?? "" })::text[], \(fingerprints)::bytea[])
                    AS t(s, p, v, st, c, g, e, src, ev, f)
                ON CONFLICT (fingerprint) DO NOTHING
                RETURNING id
                """,
                logger: self.logger
            ).decode(Int64.self) {
                inserted += 1
            }
            var ids: [ByteBuffer: Int64] = [:]
            for try await (id, fingerprint) in try await connection.query(
                "SELECT id, fingerprint FROM consents WHERE fingerprint = ANY(\(fingerprints)::bytea[])",
                logger: self.logger
            ).decode((Int64, ByteBuffer).self) {
                ids[fingerprint] = id
            }
            var stored = records
            for index in stored.indices { stored[index].id = ids[fingerprints[index]] ?? 0 }
            try await Self.notify(
                connection,
                PostgresChangeListener.consentsChannel,
                keys: consentKeys,
                logger: logger
            )
            return ConsentInsertion(records: stored, inserted: inserted)
        }
        return result
    }

    public func records(subjects: [String]) async throws -> [ConsentRecord] {
        guard !subjects.isEmpty else { return [] }
        return try await connection { connection in
            var result: [ConsentRecord] = []
            for try await row in try await connection.query(
                """
                SELECT id, subject, purpose, vendor, status, categories, given_at, expires_at, source, evidence
                FROM consents WHERE subject = ANY(\(subjects)::text[]) ORDER BY given_at, id
                """,
                logger: self.logger
            ) {
                let row = row.makeRandomAccess()
                let categories: String = try row.get("categories")
                result.append(
                    ConsentRecord(
                        id: try row.get("id"),
                        subject: try row.get("subject"),
                        purpose: try row.get("purpose"),
                        vendor: try row.get("vendor"),
                        status: ConsentStatus(rawValue: try row.get("status")) ?? .withdrawn,
                        categories: categories.split(separator: " ").map(String.init),
                        givenAt: Timestamp(epochMilliseconds: try row.get("given_at")),
                        expiresAt: (try row.get("expires_at", as: Int64?.self)).map(Timestamp.init(epochMilliseconds:)),
                        source: try row.get("source"),
                        evidence: try row.get("evidence")
                    )
                )
            }
            return result
        }
    }

    public func erase(subject: String) async throws -> Int {
        let logger = self.logger
        let consentKeys = consentChangeKeys([subject])
        let removed: Int = try await transaction { connection in
            var removed = 0
            for try await _ in try await connection.query(
                "DELETE FROM consents WHERE subject = \(subject) RETURNING id",
                logger: self.logger
            ).decode(Int64.self) {
                removed += 1
            }
            try await connection.query("DELETE FROM subject_refs WHERE subject = \(subject)", logger: self.logger)
            try await Self.notify(
                connection,
                PostgresChangeListener.consentsChannel,
                keys: consentKeys,
                logger: logger
            )
            return removed
        }
        return removed
    }
}

extension PostgresDatabase: TokenStore, AdminCallStore {
    public func insertToken(_ record: TokenRecord, hash: [UInt8]) async throws {
        _ = try await connection { connection in
            try await connection.query(
                """
                INSERT INTO tokens (id, name, role, hash, created_at)
                VALUES (\(record.id), \(record.name), \(record.role.rawValue), \(ByteBuffer(bytes: hash)), \(record.createdAt.epochMilliseconds))
                """,
                logger: self.logger
            )
        }
    }

    public func token(hash: [UInt8]) async throws -> TokenRecord? {
        try await connection { connection in
            for try await row in try await connection.query(
                "SELECT * FROM tokens WHERE hash = \(ByteBuffer(bytes: hash)) AND revoked_at IS NULL",
                logger: self.logger
            ) {
                return try Self.token(row.makeRandomAccess())
            }
            return nil
        }
    }

    public func tokens() async throws -> [TokenRecord] {
        try await connection { connection in
            var result: [TokenRecord] = []
            for try await row in try await connection.query(
                "SELECT * FROM tokens ORDER BY created_at",
                logger: self.logger
            ) {
                result.append(try Self.token(row.makeRandomAccess()))
            }
            return result
        }
    }

    public func revokeToken(_ idOrName: String, at time: Timestamp) async throws -> Bool {
        try await connection { connection in
            var revoked = false
            for try await _ in try await connection.query(
                """
                UPDATE tokens SET revoked_at = \(time.epochMilliseconds)
                WHERE (id = \(idOrName) OR name = \(idOrName)) AND revoked_at IS NULL RETURNING id
                """,
                logger: self.logger
            ).decode(String.self) {
                revoked = true
            }
            return revoked
        }
    }

    static func token(_ row: PostgresRandomAccessRow) throws -> TokenRecord {
        TokenRecord(
            id: try row.get("id"),
            name: try row.get("name"),
            role: Role(rawValue: try row.get("role")) ?? .auditor,
            createdAt: Timestamp(epochMilliseconds: try row.get("created_at")),
            revokedAt: (try row.get("revoked_at", as: Int64?.self)).map(Timestamp.init(epochMilliseconds:))
        )
    }

    public func recordCall(_ call: AdminCallRecord) async throws {
        _ = try await connection { connection in
            try await connection.query(
                """
                INSERT INTO admin_calls (time, principal, role, method, route, status, outcome)
                VALUES (\(call.time.epochMilliseconds), \(call.principal), \(call.role), \(call.method), \(call.route),
                    \(call.status), \(call.outcome))
                """,
                logger: self.logger
            )
        }
    }

    public func calls(after cursor: Int64, limit: Int) async throws -> [AdminCallRecord] {
        try await connection { connection in
            var result: [AdminCallRecord] = []
            for try await row in try await connection.query(
                "SELECT * FROM admin_calls WHERE id > \(cursor) ORDER BY id LIMIT \(limit)",
                logger: self.logger
            ) {
                let row = row.makeRandomAccess()
                result.append(
                    AdminCallRecord(
                        id: try row.get("id"),
                        time: Timestamp(epochMilliseconds: try row.get("time")),
                        principal: try row.get("principal"),
                        role: try row.get("role"),
                        method: try row.get("method"),
                        route: try row.get("route"),
                        status: try row.get("status"),
                        outcome: try row.get("outcome")
                    )
                )
            }
            return result
        }
    }
}
