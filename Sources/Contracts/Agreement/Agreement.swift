/// One version of a vendor's data-processing agreement (DPA), as read from its XML.
public struct Agreement: Sendable {
    public var id: String
    public var version: Int
    public var vendor: Vendor
    public var subjectMatter: String?
    public var term: Term
    public var vetting: Vetting
    public var dataSubjects: [String]
    public var purposes: [PurposeGrant]
    public var prohibited: [String]
    public var retentionDays: Int
    public var deletion: Deletion?
    public var transfers: Transfers
    public var subprocessors: [Subprocessor]
    public var breachNotification: BreachNotification
    public var auditRights: AuditRights?
    public var endpoint: Endpoint
    /// Where the vendor takes rights notices, when the agreement says.
    public var rights: Rights?
    public var operations: [Operation]

    /// The vendor party.
    public struct Vendor: Sendable, Hashable {
        public var id: String
        public var name: String
        public var country: String
        public var contact: String
    }

    /// The agreement's duration: shares are allowed from `effective` to `expires`, both inclusive.
    public struct Term: Sendable, Hashable {
        public var effective: CivilDate
        public var expires: CivilDate

        /// Whether `date` lies within the term.
        public func contains(_ date: CivilDate) -> Bool {
            effective <= date && date <= expires
        }
    }

    /// How the vendor was assessed (security measures and certifications, Art. 28(3)(c)).
    public struct Vetting: Sendable, Hashable {
        public var assessedOn: CivilDate
        public var riskTier: String
        public var certifications: [String]
        public var securityMeasures: [String]
    }

    /// A purpose the vendor may process data for, and the categories it may receive for it.
    public struct PurposeGrant: Sendable, Hashable {
        public var ref: String
        /// The basis the agreement states; `nil` means the taxonomy's default for the purpose.
        public var basis: LawfulBasis?
        public var categories: [CategoryGrant]
        public var line: Int
    }

    /// A category allowed for a purpose, and how it leaves.
    public struct CategoryGrant: Sendable, Hashable {
        public var ref: String
        public var transform: Transform?
        public var line: Int
    }

    public struct Deletion: Sendable, Hashable {
        public var onTermination: String
        public var withinDays: Int
    }

    public struct Transfers: Sendable, Hashable {
        public var regions: [String]
        public var mechanisms: [String]
    }

    public struct Subprocessor: Sendable, Hashable {
        public var name: String
        public var country: String
        public var service: String
    }

    public struct BreachNotification: Sendable, Hashable {
        public var hours: Int
        public var contact: String
    }

    public struct AuditRights: Sendable, Hashable {
        public var noticeDays: Int
        public var onSite: Bool
    }

    /// Where shares go, with which credential, from which services.
    public struct Endpoint: Sendable, Hashable {
        public var baseURL: String
        public var credential: String?
        public var allowedServices: [String]
        public var line: Int
    }

    /// Where the vendor takes data-subject rights notices (GDPR Art. 17(2), 19), and which request types.
    public struct Rights: Sendable, Hashable {
        public var endpoint: String
        public var credential: String?
        /// Days the vendor has to answer a notice (1 to 90; 30 when the agreement does not say).
        public var respondWithinDays: Int
        /// `erasure`, `rectification`, `restriction`, `objection`, as listed.
        public var requestTypes: [String]
        public var line: Int

        /// The request types a rights notice can carry.
        public static let knownRequestTypes = ["erasure", "rectification", "restriction", "objection"]
    }

    /// An operation the vendor's API offers, with the classification of everything it may carry.
    public struct Operation: Sendable, Hashable {
        public var method: String
        public var path: String
        public var records: DataPath?
        public var subject: DataPath?
        public var fields: [FieldMapping]
        public var queries: [QueryMapping]
        public var line: Int
    }

    public struct FieldMapping: Sendable, Hashable {
        public var path: DataPath
        public var category: String
        public var line: Int
    }

    public struct QueryMapping: Sendable, Hashable {
        public var name: String
        public var category: String
        public var line: Int
    }
}

/// How a field leaves when the agreement allows it.
public enum Transform: String, Sendable, Hashable, CaseIterable {
    case remove
    case hash
    case mask
    case generalize
}

extension Agreement {
    /// The grant for `purpose`, when the agreement lists it.
    public func grant(for purpose: String) -> PurposeGrant? {
        purposes.first { $0.ref == purpose }
    }

    /// The declared operation for `method` and `path`.
    public func operation(method: String, path: String) -> Operation? {
        operations.first { $0.method == method && $0.path == path }
    }
}
