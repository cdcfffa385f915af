import Contracts

/// One entry as stored: its exact leaf bytes and the columns the audit queries filter on.
public struct LedgerEntryRow: Sendable, Hashable {
    public var origin: String
    public var seq: Int
    public var id: String
    public var time: Timestamp
    public var kind: String
    public var vendor: String?
    public var purpose: String?
    public var decision: String?
    /// For outcome entries: the share they complete.
    public var shareID: String?
    public var subjectRefs: [String]
    /// For refused shares: the problem code (the per-day statistics count refusals by it).
    public var reason: String? = nil
    /// The entry's RFC 8785 bytes: the Merkle leaf, and the export line.
    public var bytes: [UInt8]

    public init(
        origin: String,
        seq: Int,
        id: String,
        time: Timestamp,
        kind: String,
        vendor: String?,
        purpose: String?,
        decision: String?,
        shareID: String?,
        subjectRefs: [String],
        reason: String? = nil,
        bytes: [UInt8]
    ) {
        self.reason = reason
        self.origin = origin
        self.seq = seq
        self.id = id
        self.time = time
        self.kind = kind
        self.vendor = vendor
        self.purpose = purpose
        self.decision = decision
        self.shareID = shareID
        self.subjectRefs = subjectRefs
        self.bytes = bytes
    }
}

/// One cell of the per-day share statistics, kept up to date in each commit (never a scan of the log).
public struct ShareStatRow: Sendable, Hashable {
    /// The UTC day, `YYYY-MM-DD`.
    public var day: String
    /// The vendor id; empty when the request named no registered vendor.
    public var vendor: String
    public var decision: String
    /// The problem code of a refusal; empty for a share.
    public var reason: String
    public var count: Int

    public init(day: String, vendor: String, decision: String, reason: String, count: Int) {
        self.day = day
        self.vendor = vendor
        self.decision = decision
        self.reason = reason
        self.count = count
    }

    /// The statistics a commit group adds, summed by cell.
    static func increments(_ entries: [LedgerEntryRow]) -> [ShareStatRow] {
        var counts: [ShareStatRow: Int] = [:]
        for entry in entries where entry.kind == "share" {
            let cell = ShareStatRow(
                day: entry.time.civilDate.description,
                vendor: entry.vendor ?? "",
                decision: entry.decision ?? "refused",
                reason: entry.reason ?? "",
                count: 0
            )
            counts[cell, default: 0] += 1
        }
        return counts.map { cell, count in
            var row = cell
            row.count = count
            return row
        }
    }
}

/// A signed checkpoint as stored.
public struct StoredCheckpoint: Sendable, Hashable {
    public var origin: String
    public var size: Int
    public var rootHash: [UInt8]
    /// The C2SP signed note.
    public var note: String
    public var time: Timestamp

    public init(origin: String, size: Int, rootHash: [UInt8], note: String, time: Timestamp) {
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.note = note
        self.time = time
    }
}

/// A subject id and the ref the log knows it by (erasable).
public struct SubjectRefMapping: Sendable, Hashable {
    public var subject: String
    public var ref: String

    public init(subject: String, ref: String) {
        self.subject = subject
        self.ref = ref
    }
}

/// Filters for listing entries (the audit API).
public struct LedgerQuery: Sendable, Hashable {
    public var origin: String?
    public var vendor: String?
    public var subjectRef: String?
    public var purpose: String?
    public var decision: String?
    public var kind: String?
    public var since: Timestamp?
    public var until: Timestamp?
    /// Entries after this position (exclusive), in (origin, seq) order.
    public var after: LedgerPosition?
    public var limit: Int

    public init(
        origin: String? = nil,
        vendor: String? = nil,
        subjectRef: String? = nil,
        purpose: String? = nil,
        decision: String? = nil,
        kind: String? = nil,
        since: Timestamp? = nil,
        until: Timestamp? = nil,
        after: LedgerPosition? = nil,
        limit: Int = 100
    ) {
        self.origin = origin
        self.vendor = vendor
        self.subjectRef = subjectRef
        self.purpose = purpose
        self.decision = decision
        self.kind = kind
        self.since = since
        self.until = until
        self.after = after
        self.limit = limit
    }
}

/// A place in the ledgers of every instance: (origin, seq).
public struct LedgerPosition: Sendable, Hashable, Comparable {
    public var origin: String
    public var seq: Int

    public init(origin: String, seq: Int) {
        self.origin = origin
        self.seq = seq
    }

    public static func < (lhs: LedgerPosition, rhs: LedgerPosition) -> Bool {
        (lhs.origin, lhs.seq) < (rhs.origin, rhs.seq)
    }
}

/// Where the share log is kept: entries, the hashes of every complete Merkle subtree, checkpoints.
///
/// `commit` is one durable transaction: when it returns, everything in it has reached the disk.
public protocol LedgerStore: Sendable {
    /// The number of entries in `origin`'s log.
    func ledgerSize(origin: String) async throws -> Int
    /// Stored node hashes of `origin`'s tree.
    func nodeHashes(origin: String, _ ids: [MerkleNodeID]) async throws -> [MerkleNodeID: [UInt8]]
    /// Appends entries, their new nodes, an optional checkpoint and the subject-ref mappings, atomically and
    /// durably.
    func commit(
        origin: String,
        entries: [LedgerEntryRow],
        nodes: [MerkleNodeID: [UInt8]],
        checkpoint: StoredCheckpoint?,
        mappings: [SubjectRefMapping]
    ) async throws
    func latestCheckpoint(origin: String) async throws -> StoredCheckpoint?
    func checkpoints(origin: String, limit: Int) async throws -> [StoredCheckpoint]
    /// Entries matching `query`, in (origin, seq) order.
    func entries(_ query: LedgerQuery) async throws -> [LedgerEntryRow]
    /// The origins of every instance that wrote to this store, with their verifier keys.
    func origins() async throws -> [(origin: String, verifierKey: String)]
    func registerOrigin(_ origin: String, verifierKey: String, at time: Timestamp) async throws
    /// Subject ids still mapped to these refs.
    func subjects(forRefs refs: [String]) async throws -> [SubjectRefMapping]
    /// The per-day statistics from `sinceDay` to `untilDay` (inclusive, `YYYY-MM-DD`).
    func shareStats(sinceDay: String, untilDay: String) async throws -> [ShareStatRow]
    /// The ref a subject id is mapped to, while the mapping exists (erasure removes it, and with it every
    /// way the gateway links the subject to the log).
    func ref(forSubject subject: String) async throws -> String?
}
