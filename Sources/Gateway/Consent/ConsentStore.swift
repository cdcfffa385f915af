import Contracts

/// Where consent records are kept, as history: the current state for (subject, purpose, vendor) is the
/// latest record.
public protocol ConsentStore: Sendable {
    /// Stores records, skipping any already stored (same content), and returns them with their ids (the
    /// existing id for a record stored before) and how many were new. Idempotent.
    func insert(_ records: [ConsentRecord], at time: Timestamp) async throws -> ConsentInsertion

    /// Every record of these subjects, oldest first.
    func records(subjects: [String]) async throws -> [ConsentRecord]

    /// Removes every consent record of `subject` and its share-log ref mapping (the log itself is unchanged).
    /// Returns how many consent records were removed.
    func erase(subject: String) async throws -> Int
}

/// What an insert did.
public struct ConsentInsertion: Sendable {
    /// The records with their ids, in the order given.
    public var records: [ConsentRecord]
    /// How many were not stored before.
    public var inserted: Int

    public init(records: [ConsentRecord], inserted: Int) {
        self.records = records
        self.inserted = inserted
    }
}
