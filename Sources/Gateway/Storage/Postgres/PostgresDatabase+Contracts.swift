import Contracts
import Logging
import NIOCore
import PostgresNIO

extension PostgresRandomAccessRow {
    func get<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try self[name].decode(T.self)
    }
}

extension PostgresDatabase: ContractRegistryStore {
    public func insertVersion(_ record: AgreementVersionRecord, xml: [UInt8]) async throws {
        let logger = self.logger
        try await transaction { connection in
            var existing: String?
            for try await agreement in try await connection.query(
                "SELECT agreement_id FROM vendors WHERE id = \(record.vendorID) FOR UPDATE",
                logger: self.logger
            ).decode(String.self) {
                existing = agreement
            }
            if let existing {
                guard existing == record.agreementID else {
                    throw StorageError(.conflict, "vendor \(record.vendorID) is bound to agreement \(existing)")
                }
            } else {
                try await connection.query(
                    """
                    INSERT INTO vendors (id, agreement_id, status, created_at)
                    VALUES (\(record.vendorID), \(record.agreementID), 'active', \(record.registeredAt.epochMilliseconds))
                    """,
                    logger: self.logger
                )
            }
            for try await latest in try await connection.query(
                "SELECT max(version) FROM agreement_versions WHERE vendor_id = \(record.vendorID)",
                logger: self.logger
            ).decode(Int?.self) {
                if let latest, record.version <= latest {
                    throw StorageError(
                        .conflict,
                        "version \(record.version) is not newer than the registered version \(latest)"
                    )
                }
            }
            try await connection.query(
                """
                INSERT INTO agreement_versions (vendor_id, version, agreement_id, xml, digest, status, registered_by,
                    registered_at, effective, expires)
                VALUES (\(record.vendorID), \(record.version), \(record.agreementID), \(ByteBuffer(bytes: xml)),
                    \(record.digest), 'pending', \(record.registeredBy), \(record.registeredAt.epochMilliseconds),
                    \(record.effective.description), \(record.expires.description))
                """,
                logger: self.logger
            )
            try await Self.notify(
                connection,
                PostgresChangeListener.contractsChannel,
                keys: [record.vendorID],
                logger: logger
            )
        }
    }

    public func approveVersion(vendorID: String, version: Int, by principal: String, at time: Timestamp) async throws {
        let logger = self.logger
        try await transaction { connection in
            try await connection.query(
                """
                UPDATE agreement_versions SET status = 'superseded'
                WHERE vendor_id = \(vendorID) AND status = 'approved' AND version < \(version)
                """,
                logger: self.logger
            )
            var updated = 0
            for try await _ in try await connection.query(
                """
                UPDATE agreement_versions SET status = 'approved', approved_by = \(principal), approved_at = \(time.epochMilliseconds)
                WHERE vendor_id = \(vendorID) AND version = \(version) AND status = 'pending' RETURNING version
                """,
                logger: self.logger
            ).decode(Int.self) {
                updated += 1
            }
            if updated == 0 { throw StorageError(.conflict, "version \(version) of \(vendorID) is not pending") }
            try await Self.notify(connection, PostgresChangeListener.contractsChannel, keys: [vendorID], logger: logger)
        }
    }

    public func setVendorStatus(
        _ vendorID: String,
        _ status: VendorStatus,
        by principal: String,
        at time: Timestamp
    ) async throws {
        let logger = self.logger
        try await transaction { connection in
            var updated = 0
            for try await _ in try await connection.query(
                """
                UPDATE vendors SET status = \(status.rawValue), status_changed_by = \(principal),
                    status_changed_at = \(time.epochMilliseconds)
                WHERE id = \(vendorID) RETURNING id
                """,
                logger: self.logger
            ).decode(String.self) {
                updated += 1
            }
            if updated == 0 { throw StorageError(.notFound, "no vendor \(vendorID)") }
            try await Self.notify(connection, PostgresChangeListener.contractsChannel, keys: [vendorID], logger: logger)
        }
    }

    public func vendors() async throws -> [VendorRecord] {
        try await connection { connection in
            var result: [VendorRecord] = []
            for try await row in try await connection.query("SELECT * FROM vendors ORDER BY id", logger: self.logger) {
                result.append(try Self.vendor(row.makeRandomAccess()))
            }
            return result
        }
    }

    public func vendor(_ id: String) async throws -> VendorRecord? {
        try await connection { connection in
            for try await row in try await connection.query(
                "SELECT * FROM vendors WHERE id = \(id)",
                logger: self.logger
            ) {
                return try Self.vendor(row.makeRandomAccess())
            }
            return nil
        }
    }

    public func versions(vendorID: String) async throws -> [AgreementVersionRecord] {
        try await connection { connection in
            var result: [AgreementVersionRecord] = []
            for try await row in try await connection.query(
                """
                SELECT vendor_id, version, agreement_id, digest, status, registered_by, registered_at, approved_by,
                    approved_at, effective, expires
                FROM agreement_versions WHERE vendor_id = \(vendorID) ORDER BY version
                """,
                logger: self.logger
            ) {
                let row = row.makeRandomAccess()
                result.append(
                    AgreementVersionRecord(
                        vendorID: try row.get("vendor_id"),
                        version: try row.get("version"),
                        agreementID: try row.get("agreement_id"),
                        digest: try row.get("digest"),
                        status: AgreementVersionStatus(rawValue: try row.get("status")) ?? .pending,
                        registeredBy: try row.get("registered_by"),
                        registeredAt: Timestamp(epochMilliseconds: try row.get("registered_at")),
                        approvedBy: try row.get("approved_by"),
                        approvedAt: (try row.get("approved_at", as: Int64?.self)).map(
                            Timestamp.init(epochMilliseconds:)
                        ),
                        effective: CivilDate(try row.get("effective", as: String.self)) ?? CivilDate(
                            year: 1970,
                            month: 1,
                            day: 1
                        )!,
                        expires: CivilDate(try row.get("expires", as: String.self)) ?? CivilDate(
                            year: 1970,
                            month: 1,
                            day: 1
                        )!
                    )
                )
            }
            return result
        }
    }

    public func xml(vendorID: String, version: Int) async throws -> [UInt8]? {
        try await connection { connection in
            for try await xml in try await connection.query(
                "SELECT xml FROM agreement_versions WHERE vendor_id = \(vendorID) AND version = \(version)",
                logger: self.logger
            ).decode(ByteBuffer.self) {
                return Array(buffer: xml)
            }
            return nil
        }
    }

    static func vendor(_ row: PostgresRandomAccessRow) throws -> VendorRecord {
        VendorRecord(
            id: try row.get("id"),
            agreementID: try row.get("agreement_id"),
            status: VendorStatus(rawValue: try row.get("status")) ?? .suspended,
            statusChangedBy: try row.get("status_changed_by"),
            statusChangedAt: (try row.get("status_changed_at", as: Int64?.self)).map(
                Timestamp.init(epochMilliseconds:)
            ),
            createdAt: Timestamp(epochMilliseconds: try row.get("created_at"))
        )
    }

    /// Tells every instance that something changed, inside the changing transaction: PostgreSQL delivers the
    /// notification when, and only when, the change commits, so no listener can miss a committed change.
    ///
    /// The payload lists the changed keys one per line; an empty payload means "everything". Keys that
    /// cannot travel in a line (a line break in a subject id) or a list too long for one notification
    /// (PostgreSQL's limit is 8,000 bytes) are sent in several notifications, or as "everything".
    static func notify(
        _ connection: PostgresConnection,
        _ channel: String,
        keys: [String],
        logger: Logger
    ) async throws {
        for payload in ChangePayload.payloads(keys) {
            try await connection.query("SELECT pg_notify(\(channel), \(payload))", logger: logger)
        }
    }
}
