import Contracts
import Logging
import NIOCore
import PostgresNIO

extension PostgresDatabase: RightsStore {
    static let rightsSchema: [String] = [
        """
        CREATE TABLE rights_requests (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL CHECK (type IN ('erasure', 'rectification', 'restriction', 'objection')),
            subject_ref TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            purposes TEXT NOT NULL,
            categories TEXT NOT NULL,
            reference TEXT,
            status TEXT NOT NULL CHECK (status IN ('open', 'done')),
            created_at BIGINT NOT NULL,
            created_by TEXT NOT NULL,
            done_at BIGINT
        )
        """,
        "CREATE UNIQUE INDEX rights_requests_one_open ON rights_requests(subject_ref, fingerprint) WHERE status = 'open'",
        "CREATE INDEX rights_requests_by_time ON rights_requests(created_at, id)",
        """
        CREATE TABLE rights_recipients (
            request_id TEXT NOT NULL REFERENCES rights_requests(id),
            vendor TEXT NOT NULL,
            channel TEXT NOT NULL CHECK (channel IN ('api', 'manual')),
            status TEXT NOT NULL CHECK (status IN ('pending', 'notified', 'failed', 'manual', 'confirmed')),
            respond_by BIGINT NOT NULL,
            contact TEXT NOT NULL,
            contract_id TEXT NOT NULL,
            contract_version INTEGER NOT NULL,
            endpoint TEXT,
            credential TEXT,
            categories TEXT NOT NULL,
            first_shared BIGINT NOT NULL,
            last_shared BIGINT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at BIGINT,
            last_attempt_at BIGINT,
            upstream_status INTEGER,
            last_error TEXT,
            notified_at BIGINT,
            confirmed_at BIGINT,
            confirmed_by TEXT,
            note TEXT,
            PRIMARY KEY (request_id, vendor)
        )
        """,
        "CREATE INDEX rights_recipients_due ON rights_recipients(status, next_attempt_at)",
        "CREATE INDEX rights_recipients_by_vendor ON rights_recipients(vendor)",
        """
        CREATE TABLE rights_identifiers (
            request_id TEXT NOT NULL,
            vendor TEXT NOT NULL,
            position INTEGER NOT NULL,
            path TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (request_id, vendor, position)
        )
        """,
        """
        CREATE TABLE erased_subjects (
            subject_ref TEXT PRIMARY KEY,
            request_id TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE restricted_subjects (
            subject_ref TEXT PRIMARY KEY,
            request_id TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
    ]

    static let recipientColumns = """
        request_id, vendor, channel, status, respond_by, contact, contract_id, contract_version, endpoint, credential,
        categories, first_shared, last_shared, attempts, next_attempt_at, last_attempt_at, upstream_status, last_error,
        notified_at, confirmed_at, confirmed_by, note
        """

    public func fileRightsRequest(
        _ request: RightsRequest,
        identifiers: [String: [NoticeIdentifier]],
        effect: RightsEffect
    ) async throws -> (request: RightsRequest, created: Bool) {
        let logger = self.logger
        return try await transaction { connection in
            // One filing at a time per subject, so two identical requests cannot both be stored.
            try await connection.query(
                "SELECT pg_advisory_xact_lock(hashtext(\(request.subjectRef)))",
                logger: logger
            )
            var existing: String?
            for try await id in try await connection.query(
                """
                SELECT id FROM rights_requests
                WHERE subject_ref = \(request.subjectRef) AND fingerprint = \(request.fingerprint) AND status = 'open'
                """,
                logger: logger
            ).decode(String.self) {
                existing = id
            }
            if let existing, let stored = try await Self.rightsRequest(connection, id: existing, logger: logger) {
                return (stored, false)
            }
            try await connection.query(
                """
                INSERT INTO rights_requests (id, type, subject_ref, fingerprint, purposes, categories, reference, status,
                    created_at, created_by, done_at)
                VALUES (\(request.id), \(request.type.rawValue), \(request.subjectRef), \(request.fingerprint),
                    \(request.purposes.joined(separator: " ")), \(request.categories.joined(separator: " ")),
                    \(request.reference), \(request.status.rawValue), \(request.createdAt.epochMilliseconds),
                    \(request.createdBy), \(request.doneAt?.epochMilliseconds))
                """,
                logger: logger
            )
            for recipient in request.recipients {
                try await connection.query(
                    """
                    INSERT INTO rights_recipients (request_id, vendor, channel, status, respond_by, contact, contract_id,
                        contract_version, endpoint, credential, categories, first_shared, last_shared, next_attempt_at)
                    VALUES (\(request.id), \(recipient.vendor), \(recipient.channel.rawValue), \(recipient.status.rawValue),
                        \(recipient.respondBy.epochMilliseconds), \(recipient.contact), \(recipient.contractID),
                        \(recipient.contractVersion), \(recipient.endpoint), \(recipient.credential),
                        \(recipient.categories.joined(separator: " ")), \(recipient.firstShared.epochMilliseconds),
                        \(recipient.lastShared.epochMilliseconds), \(recipient.nextAttemptAt?.epochMilliseconds))
                    """,
                    logger: logger
                )
                if request.status == .open, recipient.channel == .api {
                    for (position, identifier) in (identifiers[recipient.vendor] ?? []).enumerated() {
                        try await connection.query(
                            """
                            INSERT INTO rights_identifiers (request_id, vendor, position, path, value)
                            VALUES (\(request.id), \(recipient.vendor), \(position), \(identifier.path), \(identifier.value))
                            """,
                            logger: logger
                        )
                    }
                }
            }
            let time = request.createdAt.epochMilliseconds
            switch effect {
            case .none: break
            case .suppress:
                try await connection.query(
                    """
                    INSERT INTO erased_subjects (subject_ref, request_id, created_at)
                    VALUES (\(request.subjectRef), \(request.id), \(time)) ON CONFLICT (subject_ref) DO NOTHING
                    """,
                    logger: logger
                )
            case .restrict:
                try await connection.query(
                    """
                    INSERT INTO restricted_subjects (subject_ref, request_id, created_at)
                    VALUES (\(request.subjectRef), \(request.id), \(time))
                    ON CONFLICT (subject_ref) DO UPDATE SET request_id = excluded.request_id, created_at = excluded.created_at
                    """,
                    logger: logger
                )
            }
            if effect != .none {
                try await Self.notify(connection, PostgresChangeListener.rightsChannel, keys: [], logger: logger)
            }
            return (request, true)
        }
    }

    public func rightsRequest(id: String) async throws -> RightsRequest? {
        let logger = self.logger
        return try await connection { connection in try await Self.rightsRequest(connection, id: id, logger: logger) }
    }

    public func rightsRequests(_ query: RightsRequestQuery) async throws -> [RightsRequest] {
        let logger = self.logger
        return try await connection { connection in
            var sql = PostgresQuery(unsafeSQL: "SELECT r.id FROM rights_requests r WHERE TRUE")
            var bindings = PostgresBindings()
            var next = 1
            func bind(_ clause: (String) -> String, _ value: some PostgresEncodable & Sendable) throws {
                sql.sql += " AND " + clause("$\(next)")
                try bindings.append(value)
                next += 1
            }
            if let type = query.type { try bind({ "r.type = \($0)" }, type.rawValue) }
            if let status = query.status { try bind({ "r.status = \($0)" }, status.rawValue) }
            if let vendor = query.vendor {
                try bind(
                    { "EXISTS (SELECT 1 FROM rights_recipients x WHERE x.request_id = r.id AND x.vendor = \($0))" },
                    vendor
                )
            }
            if let now = query.overdueAt {
                try bind(
                    {
                        """
                        r.status = 'open' AND EXISTS (SELECT 1 FROM rights_recipients x WHERE x.request_id = r.id
                            AND x.status IN ('pending', 'failed', 'manual') AND x.respond_by < \($0))
                        """
                    },
                    now.epochMilliseconds
                )
            }
            if let before = query.before {
                try bind({ "(r.created_at, r.id) < (\($0)::bigint, " }, before.createdAt.epochMilliseconds)
                sql.sql += "$\(next)::text)"
                bindings.append(before.id)
                next += 1
            }
            sql.sql += " ORDER BY r.created_at DESC, r.id DESC LIMIT $\(next)"
            bindings.append(query.limit)
            sql.binds = bindings
            var ids: [String] = []
            for try await id in try await connection.query(sql, logger: logger).decode(String.self) { ids.append(id) }
            var requests: [RightsRequest] = []
            for id in ids {
                if let request = try await Self.rightsRequest(connection, id: id, logger: logger) {
                    requests.append(request)
                }
            }
            return requests
        }
    }

    public func claimDueNotices(now: Timestamp, leaseUntil: Timestamp, limit: Int) async throws -> [DueNotice] {
        let logger = self.logger
        return try await transaction { connection in
            var claimed: [DueNotice] = []
            var rows: [(RightsRecipient, String, String, String, Int64)] = []
            for try await row in try await connection.query(
                """
                UPDATE rights_recipients p SET next_attempt_at = \(leaseUntil.epochMilliseconds)
                FROM rights_requests r
                WHERE r.id = p.request_id AND (p.request_id, p.vendor) IN (
                    SELECT q.request_id, q.vendor FROM rights_recipients q JOIN rights_requests s ON s.id = q.request_id
                    WHERE q.status = 'pending' AND q.next_attempt_at <= \(now.epochMilliseconds) AND s.status = 'open'
                    ORDER BY q.next_attempt_at LIMIT \(limit) FOR UPDATE OF q SKIP LOCKED)
                RETURNING p.request_id, p.vendor, p.channel, p.status, p.respond_by, p.contact, p.contract_id,
                    p.contract_version, p.endpoint, p.credential, p.categories, p.first_shared, p.last_shared, p.attempts,
                    p.next_attempt_at, p.last_attempt_at, p.upstream_status, p.last_error, p.notified_at, p.confirmed_at,
                    p.confirmed_by, p.note, r.type AS request_type, r.subject_ref, r.created_at AS request_created_at
                """,
                logger: logger
            ) {
                let row = row.makeRandomAccess()
                rows.append(
                    (
                        try Self.recipient(row), try row.get("request_id"), try row.get("request_type"),
                        try row.get("subject_ref"), try row.get("request_created_at")
                    )
                )
            }
            for (recipient, requestID, type, subjectRef, createdAt) in rows {
                var identifiers: [NoticeIdentifier] = []
                for try await (path, value) in try await connection.query(
                    """
                    SELECT path, value FROM rights_identifiers
                    WHERE request_id = \(requestID) AND vendor = \(recipient.vendor) ORDER BY position
                    """,
                    logger: logger
                ).decode((String, String).self) {
                    identifiers.append(NoticeIdentifier(path: path, value: value))
                }
                claimed.append(
                    DueNotice(
                        requestID: requestID,
                        type: RightsRequestType(rawValue: type) ?? .erasure,
                        subjectRef: subjectRef,
                        createdAt: Timestamp(epochMilliseconds: createdAt),
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
        let logger = self.logger
        try await transaction { connection in
            let now = time.epochMilliseconds
            switch result {
            case .notified(let status):
                try await connection.query(
                    """
                    UPDATE rights_recipients SET status = 'notified', attempts = attempts + 1, last_attempt_at = \(now),
                        upstream_status = \(status), last_error = NULL, notified_at = \(now), next_attempt_at = NULL
                    WHERE request_id = \(requestID) AND vendor = \(vendor) AND status = 'pending'
                    """,
                    logger: logger
                )
            case .retry(let status, let error, let next):
                try await connection.query(
                    """
                    UPDATE rights_recipients SET attempts = attempts + 1, last_attempt_at = \(now),
                        upstream_status = \(status), last_error = \(error), next_attempt_at = \(next.epochMilliseconds)
                    WHERE request_id = \(requestID) AND vendor = \(vendor) AND status = 'pending'
                    """,
                    logger: logger
                )
            case .failed(let status, let error):
                try await connection.query(
                    """
                    UPDATE rights_recipients SET status = 'failed', attempts = attempts + 1, last_attempt_at = \(now),
                        upstream_status = \(status), last_error = \(error), next_attempt_at = NULL
                    WHERE request_id = \(requestID) AND vendor = \(vendor) AND status = 'pending'
                    """,
                    logger: logger
                )
            }
            try await Self.closeIfDone(connection, requestID: requestID, at: now, logger: logger)
        }
    }

    public func confirmRecipient(
        requestID: String,
        vendor: String,
        by principal: String,
        note: String?,
        at time: Timestamp
    ) async throws -> RightsRequest? {
        let logger = self.logger
        return try await transaction { connection in
            var found = false
            for try await _ in try await connection.query(
                """
                UPDATE rights_recipients SET status = 'confirmed', confirmed_at = \(time.epochMilliseconds),
                    confirmed_by = \(principal), note = \(note), next_attempt_at = NULL
                WHERE request_id = \(requestID) AND vendor = \(vendor) RETURNING vendor
                """,
                logger: logger
            ).decode(String.self) {
                found = true
            }
            guard found else { return nil }
            try await Self.closeIfDone(connection, requestID: requestID, at: time.epochMilliseconds, logger: logger)
            return try await Self.rightsRequest(connection, id: requestID, logger: logger)
        }
    }

    public func liftRestriction(subjectRef: String) async throws -> Bool {
        let logger = self.logger
        return try await transaction { connection in
            var lifted = false
            for try await _ in try await connection.query(
                "DELETE FROM restricted_subjects WHERE subject_ref = \(subjectRef) RETURNING subject_ref",
                logger: logger
            ).decode(String.self) {
                lifted = true
            }
            if lifted {
                try await Self.notify(connection, PostgresChangeListener.rightsChannel, keys: [], logger: logger)
            }
            return lifted
        }
    }

    public func subjectBlocks() async throws -> SubjectBlocks {
        let logger = self.logger
        return try await connection { connection in
            var blocks = SubjectBlocks()
            for try await ref in try await connection.query("SELECT subject_ref FROM erased_subjects", logger: logger)
                .decode(String.self)
            {
                blocks.erased.insert(ref)
            }
            for try await ref in try await connection.query(
                "SELECT subject_ref FROM restricted_subjects",
                logger: logger
            ).decode(String.self) {
                blocks.restricted.insert(ref)
            }
            return blocks
        }
    }

    static func closeIfDone(
        _ connection: PostgresConnection,
        requestID: String,
        at time: Int64,
        logger: Logger
    )
        async throws
    {
        var closed = false
        for try await _ in try await connection.query(
            """
            UPDATE rights_requests SET status = 'done', done_at = \(time)
            WHERE id = \(requestID) AND status = 'open' AND NOT EXISTS (
                SELECT 1 FROM rights_recipients WHERE request_id = \(requestID) AND status NOT IN ('notified', 'confirmed'))
            RETURNING id
            """,
            logger: logger
        ).decode(String.self) {
            closed = true
        }
        if closed {
            try await connection.query("DELETE FROM rights_identifiers WHERE request_id = \(requestID)", logger: logger)
        }
    }

    static func rightsRequest(
        _ connection: PostgresConnection,
        id: String,
        logger: Logger
    ) async throws
        -> RightsRequest?
    {
        var request: RightsRequest?
        for try await row in try await connection.query(
            """
            SELECT id, type, subject_ref, purposes, categories, reference, status, created_at, created_by, done_at
            FROM rights_requests WHERE id = \(id)
            """,
            logger: logger
        ) {
            let row = row.makeRandomAccess()
            var found = RightsRequest(
                id: try row.get("id"),
                type: RightsRequestType(rawValue: try row.get("type")) ?? .erasure,
                subjectRef: try row.get("subject_ref"),
                purposes: SQLiteDatabase.words(try row.get("purposes")),
                categories: SQLiteDatabase.words(try row.get("categories")),
                reference: try row.get("reference"),
                createdAt: Timestamp(epochMilliseconds: try row.get("created_at")),
                createdBy: try row.get("created_by"),
                recipients: []
            )
            found.status = RightsRequest.Status(rawValue: try row.get("status")) ?? .open
            found.doneAt = (try row.get("done_at", as: Int64?.self)).map(Timestamp.init(epochMilliseconds:))
            request = found
        }
        guard var request else { return nil }
        for try await row in try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(recipientColumns) FROM rights_recipients WHERE request_id = $1 ORDER BY vendor",
                binds: {
                    var binds = PostgresBindings()
                    binds.append(id)
                    return binds
                }()
            ),
            logger: logger
        ) {
            request.recipients.append(try Self.recipient(row.makeRandomAccess()))
        }
        return request
    }

    static func recipient(_ row: PostgresRandomAccessRow) throws -> RightsRecipient {
        func time(_ column: String) throws -> Timestamp? {
            (try row.get(column, as: Int64?.self)).map(Timestamp.init(epochMilliseconds:))
        }
        var recipient = RightsRecipient(
            vendor: try row.get("vendor"),
            channel: RecipientChannel(rawValue: try row.get("channel")) ?? .manual,
            respondBy: Timestamp(epochMilliseconds: try row.get("respond_by")),
            contact: try row.get("contact"),
            contractID: try row.get("contract_id"),
            contractVersion: try row.get("contract_version"),
            endpoint: try row.get("endpoint"),
            credential: try row.get("credential"),
            categories: SQLiteDatabase.words(try row.get("categories")),
            firstShared: Timestamp(epochMilliseconds: try row.get("first_shared")),
            lastShared: Timestamp(epochMilliseconds: try row.get("last_shared")),
            nextAttemptAt: try time("next_attempt_at")
        )
        recipient.status = RecipientStatus(rawValue: try row.get("status")) ?? .failed
        recipient.attempts = try row.get("attempts")
        recipient.lastAttemptAt = try time("last_attempt_at")
        recipient.upstreamStatus = try row.get("upstream_status")
        recipient.lastError = try row.get("last_error")
        recipient.notifiedAt = try time("notified_at")
        recipient.confirmedAt = try time("confirmed_at")
        recipient.confirmedBy = try row.get("confirmed_by")
        recipient.note = try row.get("note")
        return recipient
    }
}
