import Contracts
import Foundation
import GRDB

extension SQLiteDatabase: RightsStore {
    static let rightsSchema = """
        CREATE TABLE rights_requests (
            id TEXT PRIMARY KEY NOT NULL,
            type TEXT NOT NULL CHECK (type IN ('erasure', 'rectification', 'restriction', 'objection')),
            subject_ref TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            purposes TEXT NOT NULL,
            categories TEXT NOT NULL,
            reference TEXT,
            status TEXT NOT NULL CHECK (status IN ('open', 'done')),
            created_at INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            done_at INTEGER
        );
        CREATE UNIQUE INDEX rights_requests_one_open ON rights_requests(subject_ref, fingerprint) WHERE status = 'open';
        CREATE INDEX rights_requests_by_time ON rights_requests(created_at, id);
        CREATE TABLE rights_recipients (
            request_id TEXT NOT NULL REFERENCES rights_requests(id),
            vendor TEXT NOT NULL,
            channel TEXT NOT NULL CHECK (channel IN ('api', 'manual')),
            status TEXT NOT NULL CHECK (status IN ('pending', 'notified', 'failed', 'manual', 'confirmed')),
            respond_by INTEGER NOT NULL,
            contact TEXT NOT NULL,
            contract_id TEXT NOT NULL,
            contract_version INTEGER NOT NULL,
            endpoint TEXT,
            credential TEXT,
            categories TEXT NOT NULL,
            first_shared INTEGER NOT NULL,
            last_shared INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER,
            last_attempt_at INTEGER,
            upstream_status INTEGER,
            last_error TEXT,
            notified_at INTEGER,
            confirmed_at INTEGER,
            confirmed_by TEXT,
            note TEXT,
            PRIMARY KEY (request_id, vendor)
        ) WITHOUT ROWID;
        CREATE INDEX rights_recipients_due ON rights_recipients(status, next_attempt_at);
        CREATE INDEX rights_recipients_by_vendor ON rights_recipients(vendor);
        CREATE TABLE rights_identifiers (
            request_id TEXT NOT NULL,
            vendor TEXT NOT NULL,
            position INTEGER NOT NULL,
            path TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (request_id, vendor, position)
        ) WITHOUT ROWID;
        CREATE TABLE erased_subjects (
            subject_ref TEXT PRIMARY KEY NOT NULL,
            request_id TEXT NOT NULL,
            created_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE restricted_subjects (
            subject_ref TEXT PRIMARY KEY NOT NULL,
            request_id TEXT NOT NULL,
            created_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        """

    public func fileRightsRequest(
        _ request: RightsRequest,
        identifiers: [String: [NoticeIdentifier]],
        effect: RightsEffect
    ) async throws -> (request: RightsRequest, created: Bool) {
        try await write { db in
            if let existing = try String.fetchOne(
                db,
                sql: "SELECT id FROM rights_requests WHERE subject_ref = ? AND fingerprint = ? AND status = 'open'",
                arguments: [request.subjectRef, request.fingerprint]
            ), let stored = try Self.rightsRequest(db, id: existing) {
                return (stored, false)
            }
            try db.execute(
                sql: """
                    INSERT INTO rights_requests (id, type, subject_ref, fingerprint, purposes, categories, reference,
                        status, created_at, created_by, done_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    request.id, request.type.rawValue, request.subjectRef, request.fingerprint,
                    request.purposes.joined(separator: " "), request.categories.joined(separator: " "),
                    request.reference, request.status.rawValue, request.createdAt.epochMilliseconds,
                    request.createdBy, request.doneAt?.epochMilliseconds,
                ]
            )
            let insertRecipient = try db.cachedStatement(
                sql: """
                    INSERT INTO rights_recipients (request_id, vendor, channel, status, respond_by, contact, contract_id,
                        contract_version, endpoint, credential, categories, first_shared, last_shared, next_attempt_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            let insertIdentifier = try db.cachedStatement(
                sql: "INSERT INTO rights_identifiers (request_id, vendor, position, path, value) VALUES (?, ?, ?, ?, ?)"
            )
            for recipient in request.recipients {
                try insertRecipient.execute(arguments: [
                    request.id, recipient.vendor, recipient.channel.rawValue, recipient.status.rawValue,
                    recipient.respondBy.epochMilliseconds, recipient.contact, recipient.contractID,
                    recipient.contractVersion, recipient.endpoint, recipient.credential,
                    recipient.categories.joined(separator: " "), recipient.firstShared.epochMilliseconds,
                    recipient.lastShared.epochMilliseconds, recipient.nextAttemptAt?.epochMilliseconds,
                ])
                if request.status == .open, recipient.channel == .api {
                    for (position, identifier) in (identifiers[recipient.vendor] ?? []).enumerated() {
                        try insertIdentifier.execute(arguments: [
                            request.id, recipient.vendor, position, identifier.path, identifier.value,
                        ])
                    }
                }
            }
            let time = request.createdAt.epochMilliseconds
            switch effect {
            case .none: break
            case .suppress:
                try db.execute(
                    sql: """
                        INSERT INTO erased_subjects (subject_ref, request_id, created_at) VALUES (?, ?, ?)
                        ON CONFLICT (subject_ref) DO NOTHING
                        """,
                    arguments: [request.subjectRef, request.id, time]
                )
            case .restrict:
                try db.execute(
                    sql: """
                        INSERT INTO restricted_subjects (subject_ref, request_id, created_at) VALUES (?, ?, ?)
                        ON CONFLICT (subject_ref) DO UPDATE SET request_id = excluded.request_id, created_at = excluded.created_at
                        """,
                    arguments: [request.subjectRef, request.id, time]
                )
            }
            return (request, true)
        }
    }

    public func rightsRequest(id: String) async throws -> RightsRequest? {
        try await read { db in try Self.rightsRequest(db, id: id) }
    }

    public func rightsRequests(_ query: RightsRequestQuery) async throws -> [RightsRequest] {
        try await read { db in
            var clauses: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let type = query.type {
                clauses.append("r.type = ?")
                arguments.append(type.rawValue)
            }
            if let status = query.status {
                clauses.append("r.status = ?")
                arguments.append(status.rawValue)
            }
            if let vendor = query.vendor {
                clauses.append("EXISTS (SELECT 1 FROM rights_recipients x WHERE x.request_id = r.id AND x.vendor = ?)")
                arguments.append(vendor)
            }
            if let now = query.overdueAt {
                clauses.append(
                    """
                    r.status = 'open' AND EXISTS (SELECT 1 FROM rights_recipients x WHERE x.request_id = r.id
                        AND x.status IN ('pending', 'failed', 'manual') AND x.respond_by < ?)
                    """
                )
                arguments.append(now.epochMilliseconds)
            }
            if let before = query.before {
                clauses.append("(r.created_at, r.id) < (?, ?)")
                arguments += [before.createdAt.epochMilliseconds, before.id]
            }
            let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            arguments.append(query.limit)
            let ids = try String.fetchAll(
                db,
                sql: "SELECT r.id FROM rights_requests r \(whereClause) ORDER BY r.created_at DESC, r.id DESC LIMIT ?",
                arguments: StatementArguments(arguments)
            )
            return try ids.compactMap { try Self.rightsRequest(db, id: $0) }
        }
    }

    public func claimDueNotices(now: Timestamp, leaseUntil: Timestamp, limit: Int) async throws -> [DueNotice] {
        try await write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.*, r.type AS request_type, r.subject_ref, r.created_at AS request_created_at
                    FROM rights_recipients p JOIN rights_requests r ON r.id = p.request_id
                    WHERE p.status = 'pending' AND p.next_attempt_at <= ? AND r.status = 'open'
                    ORDER BY p.next_attempt_at LIMIT ?
                    """,
                arguments: [now.epochMilliseconds, limit]
            )
            var claimed: [DueNotice] = []
            for row in rows {
                let recipient = Self.recipient(row)
                let requestID: String = row["request_id"]
                try db.execute(
                    sql: "UPDATE rights_recipients SET next_attempt_at = ? WHERE request_id = ? AND vendor = ?",
                    arguments: [leaseUntil.epochMilliseconds, requestID, recipient.vendor]
                )
                let identifiers = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT path, value FROM rights_identifiers WHERE request_id = ? AND vendor = ? ORDER BY position",
                    arguments: [requestID, recipient.vendor]
                ).map { NoticeIdentifier(path: $0["path"], value: $0["value"]) }
                claimed.append(
                    DueNotice(
                        requestID: requestID,
                        type: RightsRequestType(rawValue: row["request_type"]) ?? .erasure,
                        subjectRef: row["subject_ref"],
                        createdAt: Timestamp(epochMilliseconds: row["request_created_at"]),
                        recipient: recipient,
                        identifiers: identifiers
                    )
                )
            }
            return claimed
        }
    }

    public func recordNoticeAttempt(
        requestID: String,
        vendor: String,
        result: NoticeAttemptResult,
        at time: Timestamp
    ) async throws {
        try await write { db in
            let now = time.epochMilliseconds
            switch result {
            case .notified(let status):
                try db.execute(
                    sql: """
                        UPDATE rights_recipients SET status = 'notified', attempts = attempts + 1, last_attempt_at = ?,
                            upstream_status = ?, last_error = NULL, notified_at = ?, next_attempt_at = NULL
                        WHERE request_id = ? AND vendor = ? AND status = 'pending'
                        """,
                    arguments: [now, status, now, requestID, vendor]
                )
            case .retry(let status, let error, let next):
                try db.execute(
                    sql: """
                        UPDATE rights_recipients SET attempts = attempts + 1, last_attempt_at = ?, upstream_status = ?,
                            last_error = ?, next_attempt_at = ?
                        WHERE request_id = ? AND vendor = ? AND status = 'pending'
                        """,
                    arguments: [now, status, error, next.epochMilliseconds, requestID, vendor]
                )
            case .failed(let status, let error):
                try db.execute(
                    sql: """
                        UPDATE rights_recipients SET status = 'failed', attempts = attempts + 1, last_attempt_at = ?,
                            upstream_status = ?, last_error = ?, next_attempt_at = NULL
                        WHERE request_id = ? AND vendor = ? AND status = 'pending'
                        """,
                    arguments: [now, status, error, requestID, vendor]
                )
            }
            try Self.closeIfDone(db, requestID: requestID, at: now)
        }
    }

    public func confirmRecipient(
        requestID: String,
        vendor: String,
        by principal: String,
        note: String?,
        at time: Timestamp
    ) async throws -> RightsRequest? {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE rights_recipients SET status = 'confirmed', confirmed_at = ?, confirmed_by = ?, note = ?,
                        next_attempt_at = NULL
                    WHERE request_id = ? AND vendor = ?
                    """,
                arguments: [time.epochMilliseconds, principal, note, requestID, vendor]
            )
            guard db.changesCount > 0 else { return nil }
            try Self.closeIfDone(db, requestID: requestID, at: time.epochMilliseconds)
            return try Self.rightsRequest(db, id: requestID)
        }
    }

    public func liftRestriction(subjectRef: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM restricted_subjects WHERE subject_ref = ?", arguments: [subjectRef])
            return db.changesCount > 0
        }
    }

    public func subjectBlocks() async throws -> SubjectBlocks {
        try await read { db in
            SubjectBlocks(
                erased: Set(try String.fetchAll(db, sql: "SELECT subject_ref FROM erased_subjects")),
                restricted: Set(try String.fetchAll(db, sql: "SELECT subject_ref FROM restricted_subjects"))
            )
        }
    }

    /// Marks the request done when no recipient is outstanding, and deletes the identifiers kept for it.
    static func closeIfDone(_ db: Database, requestID: String, at time: Int64) throws {
        try db.execute(
            sql: """
                UPDATE rights_requests SET status = 'done', done_at = ?
                WHERE id = ? AND status = 'open' AND NOT EXISTS (
                    SELECT 1 FROM rights_recipients WHERE request_id = ? AND status NOT IN ('notified', 'confirmed'))
                """,
            arguments: [time, requestID, requestID]
        )
        if db.changesCount > 0 {
            try db.execute(sql: "DELETE FROM rights_identifiers WHERE request_id = ?", arguments: [requestID])
        }
    }

    static func rightsRequest(_ db: Database, id: String) throws -> RightsRequest? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM rights_requests WHERE id = ?", arguments: [id]) else {
            return nil
        }
        let recipients = try Row.fetchAll(
            db,
            sql: "SELECT * FROM rights_recipients WHERE request_id = ? ORDER BY vendor",
            arguments: [id]
        ).map(recipient)
        var request = RightsRequest(
            id: row["id"],
            type: RightsRequestType(rawValue: row["type"]) ?? .erasure,
            subjectRef: row["subject_ref"],
            purposes: words(row["purposes"]),
            categories: words(row["categories"]),
            reference: row["reference"],
            createdAt: Timestamp(epochMilliseconds: row["created_at"]),
            createdBy: row["created_by"],
            recipients: recipients
        )
        request.status = RightsRequest.Status(rawValue: row["status"]) ?? .open
        request.doneAt = (row["done_at"] as Int64?).map(Timestamp.init(epochMilliseconds:))
        return request
    }

    static func recipient(_ row: Row) -> RightsRecipient {
        func time(_ column: String) -> Timestamp? {
            (row[column] as Int64?).map(Timestamp.init(epochMilliseconds:))
        }
        var recipient = RightsRecipient(
            vendor: row["vendor"],
            channel: RecipientChannel(rawValue: row["channel"]) ?? .manual,
            respondBy: Timestamp(epochMilliseconds: row["respond_by"]),
            contact: row["contact"],
            contractID: row["contract_id"],
            contractVersion: row["contract_version"],
            endpoint: row["endpoint"],
            credential: row["credential"],
            categories: words(row["categories"]),
            firstShared: Timestamp(epochMilliseconds: row["first_shared"]),
            lastShared: Timestamp(epochMilliseconds: row["last_shared"]),
            nextAttemptAt: time("next_attempt_at")
        )
        recipient.status = RecipientStatus(rawValue: row["status"]) ?? .failed
        recipient.attempts = row["attempts"]
        recipient.lastAttemptAt = time("last_attempt_at")
        recipient.upstreamStatus = row["upstream_status"]
        recipient.lastError = row["last_error"]
        recipient.notifiedAt = time("notified_at")
        recipient.confirmedAt = time("confirmed_at")
        recipient.confirmedBy = row["confirmed_by"]
        recipient.note = row["note"]
        return recipient
    }

    static func words(_ text: String) -> [String] {
        text.split(separator: " ").map(String.init)
    }
}
