import Contracts

/// Streams a log's entries as JSON Lines, a page at a time (memory stays flat whatever the log's size).
public struct LedgerExporter: Sendable {
    let store: any LedgerStore
    let pageSize: Int

    public init(store: any LedgerStore, pageSize: Int = 2000) {
        self.store = store
        self.pageSize = pageSize
    }

    /// Calls `write` with chunks of lines; returns how many entries were written.
    @discardableResult
    public func export(
        origin: String?,
        since: Timestamp? = nil,
        until: Timestamp? = nil,
        vendor: String? = nil,
        subjectRef: String? = nil,
        purpose: String? = nil,
        decision: String? = nil,
        write: ([UInt8]) async throws -> Void
    ) async throws -> Int {
        var after: LedgerPosition?
        var count = 0
        while true {
            let page = try await store.entries(
                LedgerQuery(
                    origin: origin,
                    vendor: vendor,
                    subjectRef: subjectRef,
                    purpose: purpose,
                    decision: decision,
                    since: since,
                    until: until,
                    after: after,
                    limit: pageSize
                )
            )
            guard let last = page.last else { return count }
            var chunk: [UInt8] = []
            chunk.reserveCapacity(page.reduce(0) { $0 + $1.bytes.count + 1 })
            for entry in page {
                chunk += entry.bytes
                chunk.append(UInt8(ascii: "\n"))
            }
            try await write(chunk)
            count += page.count
            after = LedgerPosition(origin: last.origin, seq: last.seq)
            if page.count < pageSize { return count }
        }
    }
}

/// Entries made up for tests and benchmarks: the shape of a real share, with nothing personal.
public enum SyntheticEntries {
    public static func share(vendor: String, index: Int, subject: (id: String, ref: String)? = nil) -> LogEntryDraft {
        let refs: [JSONValue] = subject.map { [.string($0.ref)] } ?? []
        return LogEntryDraft(
            id: "synthetic-\(vendor)-\(index)-\(UInt32.random(in: 0...UInt32.max))",
            kind: .share,
            members: [
                JSONMember("service", .string("audit-append")),
                JSONMember("vendor", .string(vendor)),
                JSONMember("contract", .null),
                JSONMember("purpose", .string("analytics")),
                JSONMember("method", .string("POST")),
                JSONMember("operation", .string("/synthetic")),
                JSONMember("subjectRefs", .array(refs)),
                JSONMember("consentRefs", .array([])),
                JSONMember(
                    "records",
                    .object([
                        JSONMember("received", .number(JSONNumber(1))), JSONMember("sent", .number(JSONNumber(1))),
                    ])
                ),
                JSONMember(
                    "fields",
                    .array([
                        .object([
                            JSONMember("path", .string("@.user_id")),
                            JSONMember("category", .string("user.unique_id.pseudonymous")),
                            JSONMember("action", .string("sent")), JSONMember("reason", .string("allowed")),
                            JSONMember("count", .number(JSONNumber(1))),
                        ])
                    ])
                ),
                JSONMember("decision", .string("shared")),
                JSONMember("reason", .null),
            ],
            vendor: vendor,
            purpose: "analytics",
            decision: "shared",
            subjectRefs: subject.map { [$0.ref] } ?? [],
            mappings: subject.map { [SubjectRefMapping(subject: $0.id, ref: $0.ref)] } ?? []
        )
    }
}
