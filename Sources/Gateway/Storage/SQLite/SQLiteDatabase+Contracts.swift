import Contracts
import Foundation
import GRDB

extension SQLiteDatabase: ContractRegistryStore {
    public func insertVersion(_ record: AgreementVersionRecord, xml: [UInt8]) async throws {
        try await write { db in
            if let existing = try Row.fetchOne(
                db,
                sql: "SELECT agreement_id FROM vendors WHERE id = ?",
                arguments: [record.vendorID]
            ) {
                let agreementID: String = existing["agreement_id"]
                guard agreementID == record.agreementID else {
                    throw StorageError(.conflict, "vendor \(record.vendorID) is bound to agreement \(agreementID)")
                }
            } else {
                if try Bool.fetchOne(
                    db,
                    sql: "SELECT 1 FROM vendors WHERE agreement_id = ?",
                    arguments: [record.agreementID]
                ) == true {
                    throw StorageError(.conflict, "agreement \(record.agreementID) belongs to another vendor")
                }
                try db.execute(
                    sql: "INSERT INTO vendors (id, agreement_id, status, created_at) VALUES (?, ?, 'active', ?)",
                    arguments: [record.vendorID, record.agreementID, record.registeredAt.epochMilliseconds]
                )
            }
            let latest = try Int.fetchOne(
                db,
                sql: "SELECT max(version) FROM agreement_versions WHERE vendor_id = ?",
                arguments: [record.vendorID]
            )
            if let latest, record.version <= latest {
                throw StorageError(
                    .conflict,
                    "version \(record.version) is not newer than the registered version \(latest)"
                )
            }
            try db.execute(
                sql: """
                    INSERT INTO agreement_versions (vendor_id, version, agreement_id, xml, digest, status, registered_by,
                        registered_at, effective, expires)
                    VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
                    """,
                arguments: [
                    record.vendorID, record.version, record.agreementID, Data(xml), record.digest, record.registeredBy,
                    record.registeredAt.epochMilliseconds, record.effective.description, record.expires.description,
                ]
            )
        }
    }

    public func approveVersion(vendorID: String, version: Int, by principal: String, at time: Timestamp) async throws {
        try await write { db in
            try db.execute(
                sql:
                    "UPDATE agreement_versions SET status = 'superseded' WHERE vendor_id = ? AND status = 'approved' AND version < ?",
                arguments: [vendorID, version]
            )
            try db.execute(
                sql: """
                    UPDATE agreement_versions SET status = 'approved', approved_by = ?, approved_at = ?
                    WHERE vendor_id = ? AND version = ? AND status = 'pending'
                    """,
                arguments: [principal, time.epochMilliseconds, vendorID, version]
            )
            if db.changesCount == 0 {
                throw StorageError(.conflict, "version \(version) of \(vendorID) is not pending")
            }
        }
    }

    public func setVendorStatus(
        _ vendorID: String,
        _ status: VendorStatus,
        by principal: String,
        at time: Timestamp
    ) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE vendors SET status = ?, status_changed_by = ?, status_changed_at = ? WHERE id = ?",
                arguments: [status.rawValue, principal, time.epochMilliseconds, vendorID]
            )
            if db.changesCount == 0 { throw StorageError(.notFound, "no vendor \(vendorID)") }
        }
    }

    public func vendors() async throws -> [VendorRecord] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM vendors ORDER BY id").map(Self.vendor) }
    }

    public func vendor(_ id: String) async throws -> VendorRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM vendors WHERE id = ?", arguments: [id]).map(Self.vendor)
        }
    }

    public func versions(vendorID: String) async throws -> [AgreementVersionRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT vendor_id, version, agreement_id, digest, status, registered_by, registered_at, approved_by,
                        approved_at, effective, expires
                    FROM agreement_versions WHERE vendor_id = ? ORDER BY version
                    """,
                arguments: [vendorID]
            ).map(Self.version)
        }
    }

    public func xml(vendorID: String, version: Int) async throws -> [UInt8]? {
        try await read { db in
            try Data.fetchOne(
                db,
                sql: "SELECT xml FROM agreement_versions WHERE vendor_id = ? AND version = ?",
                arguments: [vendorID, version]
            ).map { Array($0) }
        }
    }

    static func vendor(_ row: Row) -> VendorRecord {
        VendorRecord(
            id: row["id"],
            agreementID: row["agreement_id"],
            status: VendorStatus(rawValue: row["status"]) ?? .suspended,
            statusChangedBy: row["status_changed_by"],
            statusChangedAt: (row["status_changed_at"] as Int64?).map(Timestamp.init(epochMilliseconds:)),
            createdAt: Timestamp(epochMilliseconds: row["created_at"])
        )
    }

    static func version(_ row: Row) -> AgreementVersionRecord {
        AgreementVersionRecord(
            vendorID: row["vendor_id"],
            version: row["version"],
            agreementID: row["agreement_id"],
            digest: row["digest"],
            status: AgreementVersionStatus(rawValue: row["status"]) ?? .pending,
            registeredBy: row["registered_by"],
            registeredAt: Timestamp(epochMilliseconds: row["registered_at"]),
            approvedBy: row["approved_by"],
            approvedAt: (row["approved_at"] as Int64?).map(Timestamp.init(epochMilliseconds:)),
            effective: CivilDate(row["effective"] as String) ?? CivilDate(year: 1970, month: 1, day: 1)!,
            expires: CivilDate(row["expires"] as String) ?? CivilDate(year: 1970, month: 1, day: 1)!
        )
    }
}
