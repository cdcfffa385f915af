/// Whether a consent record grants or withdraws.
public enum ConsentStatus: String, Sendable, Hashable {
    case granted
    case withdrawn
}

/// One consent record: what a subject said about a purpose, for one vendor or for all (`*`).
///
/// Records are kept as history; the current state for (subject, purpose, vendor) is the latest record.
public struct ConsentRecord: Sendable, Hashable {
    /// The store's id for the record (0 for hypothetical records, e.g. in a preview).
    public var id: Int64
    public var subject: String
    public var purpose: String
    /// A vendor id, or `*` for every vendor.
    public var vendor: String
    public var status: ConsentStatus
    /// The categories consented to; empty means everything the agreement allows.
    public var categories: [String]
    public var givenAt: Timestamp
    public var expiresAt: Timestamp?
    public var source: String
    public var evidence: String?

    public static let allVendors = "*"

    public init(
        id: Int64 = 0,
        subject: String,
        purpose: String,
        vendor: String = ConsentRecord.allVendors,
        status: ConsentStatus,
        categories: [String] = [],
        givenAt: Timestamp,
        expiresAt: Timestamp? = nil,
        source: String,
        evidence: String? = nil
    ) {
        self.id = id
        self.subject = subject
        self.purpose = purpose
        self.vendor = vendor
        self.status = status
        self.categories = categories
        self.givenAt = givenAt
        self.expiresAt = expiresAt
        self.source = source
        self.evidence = evidence
    }

    /// Whether this record is a later expression of the subject's will than `other`: given later; at the same
    /// time a withdrawal beats a grant; then the record stored later (higher id) wins.
    public func supersedes(_ other: ConsentRecord) -> Bool {
        if givenAt != other.givenAt { return givenAt > other.givenAt }
        if status != other.status { return status == .withdrawn }
        return id > other.id
    }

    /// Whether the record is a grant that has expired at `now`.
    public func isExpired(at now: Timestamp) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt <= now
    }
}
