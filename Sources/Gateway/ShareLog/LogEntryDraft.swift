import Contracts

/// An entry on its way into the share log: everything but its place (`seq`), `origin` and `time`, which the
/// log's writer sets when it commits.
public struct LogEntryDraft: Sendable {
    public enum Kind: String, Sendable {
        case share
        case outcome
        /// A rights-request notice sent to a vendor.
        case notice
    }

    public var id: String
    public var kind: Kind
    /// The entry's other members (never `seq`, `origin`, `time`, `id` or `kind`). Integers, strings, booleans
    /// and null only: entries hold no floating-point numbers.
    public var members: [JSONMember]
    public var vendor: String?
    public var purpose: String?
    public var decision: String?
    public var shareID: String?
    public var subjectRefs: [String]
    /// For refused shares: the problem code.
    public var reason: String? = nil
    /// Subject ids and their refs, kept in the erasable mapping table in the same transaction.
    public var mappings: [SubjectRefMapping]

    public init(
        id: String,
        kind: Kind,
        members: [JSONMember],
        vendor: String? = nil,
        purpose: String? = nil,
        decision: String? = nil,
        shareID: String? = nil,
        subjectRefs: [String] = [],
        mappings: [SubjectRefMapping] = []
    ) {
        self.id = id
        self.kind = kind
        self.members = members
        self.vendor = vendor
        self.purpose = purpose
        self.decision = decision
        self.shareID = shareID
        self.subjectRefs = subjectRefs
        self.mappings = mappings
    }
}

/// Where an appended entry landed.
public struct LoggedEntry: Sendable, Hashable {
    public var origin: String
    public var seq: Int
    public var id: String
    public var time: Timestamp
}
