import Contracts

/// A data subject's rights request (GDPR Art. 16-18, 21), as DESIGN's "Rights requests" section defines it.
public enum RightsRequestType: String, Sendable, Hashable, CaseIterable {
    case erasure
    case rectification
    case restriction
    case objection
}

/// How a recipient is told: by the gateway through the vendor's rights endpoint, or by a person.
public enum RecipientChannel: String, Sendable, Hashable {
    case api
    case manual
}

/// Where a recipient stands. `overdue` is never stored: it is how an open recipient past its answer date is
/// listed.
public enum RecipientStatus: String, Sendable, Hashable {
    case pending
    case notified
    case failed
    case manual
    case confirmed

    /// Whether the recipient still needs someone to act.
    var isOutstanding: Bool { self == .pending || self == .failed || self == .manual }
}

/// The subject's id in one form a vendor received it: the data-map path and the value as it left.
public struct NoticeIdentifier: Sendable, Hashable {
    public var path: String
    public var value: String

    public init(path: String, value: String) {
        self.path = path
        self.value = value
    }
}

/// One vendor that received the subject's data, and the state of its notice.
public struct RightsRecipient: Sendable, Hashable {
    public var vendor: String
    public var channel: RecipientChannel
    public var status: RecipientStatus
    public var respondBy: Timestamp
    /// The DPA's `vendor/@contact`, for manual notices.
    public var contact: String
    /// The agreement in force when the request was filed (named in the notice).
    public var contractID: String
    public var contractVersion: Int
    /// `rights/@endpoint` and the credential's name, for `api` recipients.
    public var endpoint: String?
    public var credential: String?
    /// The subject's categories the vendor received (sent or transformed), as the log says.
    public var categories: [String]
    public var firstShared: Timestamp
    public var lastShared: Timestamp
    public var attempts: Int = 0
    public var nextAttemptAt: Timestamp?
    public var lastAttemptAt: Timestamp?
    public var upstreamStatus: Int?
    public var lastError: String?
    public var notifiedAt: Timestamp?
    public var confirmedAt: Timestamp?
    public var confirmedBy: String?
    public var note: String?

    public init(
        vendor: String,
        channel: RecipientChannel,
        respondBy: Timestamp,
        contact: String,
        contractID: String,
        contractVersion: Int,
        endpoint: String?,
        credential: String?,
        categories: [String],
        firstShared: Timestamp,
        lastShared: Timestamp,
        nextAttemptAt: Timestamp?
    ) {
        self.vendor = vendor
        self.channel = channel
        self.status = channel == .api ? .pending : .manual
        self.respondBy = respondBy
        self.contact = contact
        self.contractID = contractID
        self.contractVersion = contractVersion
        self.endpoint = endpoint
        self.credential = credential
        self.categories = categories
        self.firstShared = firstShared
        self.lastShared = lastShared
        self.nextAttemptAt = nextAttemptAt
    }

    /// Past its answer date with nobody's confirmation, while the notice is not delivered.
    func isOverdue(at now: Timestamp) -> Bool {
        status.isOutstanding && respondBy < now
    }
}

/// A rights request and its recipients. The subject appears only as its ref (a keyed digest).
public struct RightsRequest: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case open
        case done
    }

    public var id: String
    public var type: RightsRequestType
    public var subjectRef: String
    public var purposes: [String]
    public var categories: [String]
    public var reference: String?
    public var status: Status
    public var createdAt: Timestamp
    public var createdBy: String
    public var doneAt: Timestamp?
    public var recipients: [RightsRecipient]

    public init(
        id: String,
        type: RightsRequestType,
        subjectRef: String,
        purposes: [String],
        categories: [String],
        reference: String?,
        createdAt: Timestamp,
        createdBy: String,
        recipients: [RightsRecipient]
    ) {
        self.id = id
        self.type = type
        self.subjectRef = subjectRef
        self.purposes = purposes
        self.categories = categories
        self.reference = reference
        self.status = recipients.allSatisfy { $0.status == .notified || $0.status == .confirmed } ? .done : .open
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.doneAt = status == .done ? createdAt : nil
        self.recipients = recipients
    }

    /// What makes two requests the same request: the subject, the type, and the purposes and categories as
    /// sets. A second identical request while one is open is that one.
    public var fingerprint: String {
        "\(type.rawValue)|\(purposes.sorted().joined(separator: ","))|\(categories.sorted().joined(separator: ","))"
    }
}

/// What filing a request changes on the data plane, in the same transaction.
public enum RightsEffect: Sendable, Hashable {
    case none
    /// `erasure`: later shares naming the subject are refused (`subject-erased`).
    case suppress
    /// `restriction`: shares naming the subject are refused (`processing-restricted`) until lifted.
    case restrict
}

/// Filters for listing requests.
public struct RightsRequestQuery: Sendable {
    public var type: RightsRequestType?
    public var status: RightsRequest.Status?
    public var vendor: String?
    /// Only requests with a recipient overdue at this time.
    public var overdueAt: Timestamp?
    /// Requests before this one in (createdAt, id) descending order.
    public var before: (createdAt: Timestamp, id: String)?
    public var limit: Int

    public init(
        type: RightsRequestType? = nil,
        status: RightsRequest.Status? = nil,
        vendor: String? = nil,
        overdueAt: Timestamp? = nil,
        before: (createdAt: Timestamp, id: String)? = nil,
        limit: Int = 100
    ) {
        self.type = type
        self.status = status
        self.vendor = vendor
        self.overdueAt = overdueAt
        self.before = before
        self.limit = limit
    }
}

/// A notice the notifier has claimed: the request's facts, the recipient, and the identifiers to send.
public struct DueNotice: Sendable {
    public var requestID: String
    public var type: RightsRequestType
    public var subjectRef: String
    public var createdAt: Timestamp
    public var recipient: RightsRecipient
    public var identifiers: [NoticeIdentifier]
}

/// What one delivery attempt came to.
public enum NoticeAttemptResult: Sendable, Hashable {
    /// The vendor answered 2xx.
    case notified(status: Int)
    /// Not delivered; tried again at `next`.
    case retry(status: Int?, error: String, next: Timestamp)
    /// Not delivered within the retry window.
    case failed(status: Int?, error: String)
}

/// Subjects whose shares are refused, by ref.
public struct SubjectBlocks: Sendable, Hashable {
    public var erased: Set<String> = []
    public var restricted: Set<String> = []

    public init(erased: Set<String> = [], restricted: Set<String> = []) {
        self.erased = erased
        self.restricted = restricted
    }

    public var isEmpty: Bool { erased.isEmpty && restricted.isEmpty }
}

/// Where rights requests are kept: requests, recipients and their attempts, the identifiers kept for
/// pending notices (deleted when the request is done), and the erased and restricted subjects (by ref).
public protocol RightsStore: Sendable {
    /// Stores a request, its recipients, the identifiers its notices will carry and its effect, atomically.
    /// When an open request with the same subject ref and fingerprint exists, stores nothing and returns that
    /// one (`created` false).
    func fileRightsRequest(
        _ request: RightsRequest,
        identifiers: [String: [NoticeIdentifier]],
        effect: RightsEffect
    ) async throws -> (request: RightsRequest, created: Bool)
    func rightsRequest(id: String) async throws -> RightsRequest?
    /// Requests matching `query`, newest first.
    func rightsRequests(_ query: RightsRequestQuery) async throws -> [RightsRequest]
    /// Pending notices due at `now`, each leased until `leaseUntil` (so one instance sends each attempt).
    func claimDueNotices(now: Timestamp, leaseUntil: Timestamp, limit: Int) async throws -> [DueNotice]
    /// Records an attempt; a request whose recipients are all notified or confirmed becomes `done`, and its
    /// kept identifiers are deleted.
    func recordNoticeAttempt(
        requestID: String,
        vendor: String,
        result: NoticeAttemptResult,
        at time: Timestamp
    )
        async throws
    /// Marks a recipient confirmed (`nil` when the request or the recipient is unknown).
    func confirmRecipient(
        requestID: String,
        vendor: String,
        by principal: String,
        note: String?,
        at time: Timestamp
    )
        async throws -> RightsRequest?
    /// Lifts a restriction; false when the subject was not restricted.
    func liftRestriction(subjectRef: String) async throws -> Bool
    func subjectBlocks() async throws -> SubjectBlocks
}
