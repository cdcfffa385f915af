/// What happens to one field.
public enum FieldAction: String, Sendable, Hashable {
    case sent
    case removed
    case hash
    case mask
    case generalize
}

/// Why a field leaves the way it does. Stable strings: they appear in the share log and in previews.
public struct FieldReason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The agreement and the consent allow the category.
    public static let allowed = FieldReason(rawValue: "allowed")
    /// Not personal data (outside `user`), e.g. `system.operations`.
    public static let nonPersonal = FieldReason(rawValue: "non-personal")
    /// The agreement asks for this transform (`hash`, `mask`, `generalize`, `remove`).
    public static let contractTransform = FieldReason(rawValue: "contract-transform")
    /// The data map does not know the field.
    public static let unmapped = FieldReason(rawValue: "unmapped")
    /// The agreement does not allow the category for the purpose.
    public static let notInContract = FieldReason(rawValue: "not-in-contract")
    /// The agreement prohibits the category.
    public static let prohibited = FieldReason(rawValue: "prohibited")
    /// The subject's consent names categories, and not this one.
    public static let notConsented = FieldReason(rawValue: "not-consented")
    /// A special (Art. 9) category that the consent does not name explicitly.
    public static let sensitiveNeedsExplicitConsent = FieldReason(rawValue: "sensitive-needs-explicit-consent")
    /// The value cannot be generalised or masked, so it is removed.
    public static let cannotTransform = FieldReason(rawValue: "cannot-transform")
    /// The field's value has a shape the data map does not expect (an object where a list is mapped...).
    public static let unexpectedShape = FieldReason(rawValue: "unexpected-shape")
    /// A mapped field held an object or array, not one JSON scalar: removed whole (decision rule 3).
    public static let notAScalar = FieldReason(rawValue: "not-a-scalar")

    public var description: String { rawValue }
}

/// The aggregated outcome of one field path across the request's records.
public struct FieldOutcome: Sendable, Hashable {
    /// The data-map path (`@.email`, `$.batch_id`, `?campaign` for a query parameter).
    public var path: String
    /// The category, when the data map knows the field.
    public var category: String?
    public var action: FieldAction
    public var reason: FieldReason
    /// How many values took this outcome.
    public var count: Int
}

/// Why a record has no lawful basis. Stable strings, shared with problem types.
public struct RecordReason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let consentMissing = RecordReason(rawValue: "consent-missing")
    public static let consentWithdrawn = RecordReason(rawValue: "consent-withdrawn")
    public static let consentExpired = RecordReason(rawValue: "consent-expired")
    public static let objection = RecordReason(rawValue: "objection")
    public static let gpcOptOut = RecordReason(rawValue: "gpc-opt-out")
    public static let subjectMissing = RecordReason(rawValue: "subject-missing")
    public static let recordMalformed = RecordReason(rawValue: "record-malformed")

    public var description: String { rawValue }
}

/// The outcome of one record.
public struct RecordOutcome: Sendable, Hashable {
    public var index: Int
    /// The subject id (personal: never logged as is).
    public var subject: String?
    public var kept: Bool
    public var reason: RecordReason?
    /// The consent records the decision relied on.
    public var consentRefs: [Int64]
}

/// A refusal of the whole request, with a stable code (the problem type's last segment).
public struct ShareRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    /// A human explanation; never holds a personal value.
    public var detail: String

    public init(_ code: String, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public static func purposeMissing() -> ShareRefusal {
        ShareRefusal("purpose-missing", "the Share-Purpose header is required")
    }

    public var description: String { "\(code): \(detail)" }
}

/// What the policy allows to leave for one request.
public struct ShareDecision: Sendable {
    /// Set when nothing may be sent.
    public var refusal: ShareRefusal?
    /// The body to send (re-serialised from what was inspected), when there is one.
    public var body: JSONValue?
    /// The query parameters to send, in request order.
    public var query: [JSONMember]
    public var records: [RecordOutcome]
    public var fields: [FieldOutcome]
    public var lawfulBasis: LawfulBasis?
    /// Values not sent as they came (removed or transformed), across all records.
    public var redactions: Int

    public var recordsReceived: Int { records.count }
    public var recordsSent: Int { refusal == nil ? records.lazy.filter(\.kept).count : 0 }

    /// Every consent record the decision relied on, without repeats, in ascending order.
    public var consentRefs: [Int64] {
        Array(Set(records.flatMap(\.consentRefs))).sorted()
    }

    /// Every subject named by the request, without repeats, in first-seen order.
    public var subjects: [String] {
        records.compactMap(\.subject).uniquedByBytes()
    }
}
