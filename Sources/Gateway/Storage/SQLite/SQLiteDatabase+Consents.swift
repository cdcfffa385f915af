import Contracts
import Foundation
import GRDB

extension SQLiteDatabase: ConsentStore {
    public func insert(_ records: [ConsentRecord], at time: Timestamp) async throws -> ConsentInsertion {
        try await write { db in
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO consents (subject, purpose, vendor, status, categories, given_at, expires_at, source,
                        evidence, recorded_at, fingerprint)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (fingerprint) DO NOTHING
                    """
            )
            let lookup = try db.cachedStatement(sql: "SELECT id FROM consents WHERE fingerprint = ?")
            var stored: [ConsentRecord] = []
            stored.reserveCapacity(records.count)
            var inserted = 0
            for var record in records {
                let fingerprint = Data(ConsentFingerprint.of(record))
                try insert.execute(arguments: [
                    record.subject, record.purpose, record.vendor, record.status.rawValue,
                    record.categories.joined(separator: " "), record.givenAt.epochMilliseconds,
                    record.expiresAt?.epochMilliseconds, record.source, record.evidence, time.epochMilliseconds,
                    fingerprint,
                ])
                if db.changesCount > 0 {
                    record.id = db.lastInsertedRowID
                    inserted += 1
                } else {
                    record.id = try Int64.fetchOne(lookup, arguments: [fingerprint]) ?? 0
                }
                stored.append(record)
            }
            return ConsentInsertion(records: stored, inserted: inserted)
        }
    }

    public func records(subjects: [String]) async throws -> [ConsentRecord] {
        guard !subjects.isEmpty else { return [] }
        return try await read { db in
            var result: [ConsentRecord] = []
            for chunk in stride(from: 0, to: subjects.count, by: 500).map({
                Array(subjects[$0..<min($0 + 500, subjects.count)])
            }) {
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT id, subject, purpose, vendor, status, categories, given_at, expires_at, source, evidence
                        FROM consents WHERE subject IN (\(placeholders)) ORDER BY given_at, id
                        """,
                    arguments: StatementArguments(chunk)
                )
                while let row = try rows.next() { result.append(Self.consent(row)) }
            }
            return result
        }
    }

    public func erase(subject: String) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM consents WHERE subject = ?", arguments: [subject])
            let removed = db.changesCount
            try db.execute(sql: "DELETE FROM subject_refs WHERE subject = ?", arguments: [subject])
            return removed
        }
    }

    static func consent(_ row: Row) -> ConsentRecord {
        let categories: String = row["categories"]
        return ConsentRecord(
            id: row["id"],
            subject: row["subject"],
            purpose: row["purpose"],
            vendor: row["vendor"],
            status: ConsentStatus(rawValue: row["status"]) ?? .withdrawn,
            categories: categories.split(separator: " ").map(String.init),
            givenAt: Timestamp(epochMilliseconds: row["given_at"]),
            expiresAt: (row["expires_at"] as Int64?).map(Timestamp.init(epochMilliseconds:)),
            source: row["source"],
            evidence: row["evidence"]
        )
    }
}
