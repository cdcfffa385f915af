import Contracts
import Logging

/// Writes consent through the store and keeps the hot-path cache true: every change drops the cached
/// records of its subjects at once (and, with PostgreSQL, on every instance).
public final class ConsentService: Sendable {
    public let store: any ConsentStore
    public let cache: ConsentCache
    let notifier: (@Sendable ([String]) async -> Void)?

    public init(store: any ConsentStore, cache: ConsentCache, notifier: (@Sendable ([String]) async -> Void)? = nil) {
        self.store = store
        self.cache = cache
        self.notifier = notifier
    }

    /// Stores records (idempotent) and returns them with their ids.
    public func put(_ records: [ConsentRecord], at time: Timestamp = .now()) async throws -> ConsentInsertion {
        let stored = try await store.insert(records, at: time)
        let subjects = Array(Set(records.map(\.subject)))
        cache.invalidate(subjects: subjects)
        await notifier?(subjects)
        return stored
    }

    /// Every record of a subject, oldest first.
    public func history(subject: String) async throws -> [ConsentRecord] {
        try await store.records(subjects: [subject])
    }

    /// Erases a subject's consent and ref mapping.
    public func erase(subject: String) async throws -> Int {
        let removed = try await store.erase(subject: subject)
        cache.invalidate(subjects: [subject])
        await notifier?([subject])
        return removed
    }
}

extension ConsentRecord {
    /// The current record for each (purpose, vendor): the latest one.
    public static func currentStates(_ records: [ConsentRecord]) -> [ConsentRecord] {
        var latest: [Identifier: ConsentRecord] = [:]
        for record in records {
            let key = Identifier(record.purpose + "\u{0}" + record.vendor)
            if let existing = latest[key], !record.supersedes(existing) { continue }
            latest[key] = record
        }
        return latest.values.sorted {
            (Identifier($0.purpose), Identifier($0.vendor)) < (Identifier($1.purpose), Identifier($1.vendor))
        }
    }

    /// The record as JSON (admin API, exports).
    public var json: JSONValue {
        .object([
            JSONMember("id", .number(JSONNumber(Int(id)))),
            JSONMember("subject", .string(subject)),
            JSONMember("purpose", .string(purpose)),
            JSONMember("vendor", .string(vendor)),
            JSONMember("status", .string(status.rawValue)),
            JSONMember("categories", .array(categories.map(JSONValue.string))),
            JSONMember("givenAt", .string(givenAt.rfc3339)),
            JSONMember("expiresAt", expiresAt.map { .string($0.rfc3339) } ?? .null),
            JSONMember("source", .string(source)),
            JSONMember("evidence", evidence.map(JSONValue.string) ?? .null),
        ])
    }
}
