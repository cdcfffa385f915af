import Contracts

/// Where consent records are kept, as history: the current state for (subject, purpose, vendor) is the
/// latest record.
public protocol ConsentStore: Sendable {
    /// Stores records, skipping any already stored (same content), and returns them with their ids (the
    /// existing id for a record stored before). Idempotent.
    func insert(_ records: [ConsentRecord], at time: Timestamp) async throws -> [ConsentRecord]

    /// Every record of these subjects, oldest first.
    func records(subjects: [String]) async throws -> [ConsentRecord]

    /// Removes every consent record of `subject` and its share-log ref mapping (the log itself is unchanged).
    /// Returns how many consent records were removed.
    func erase(subject: String) async throws -> Int
}
