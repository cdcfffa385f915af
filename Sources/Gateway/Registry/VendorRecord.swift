import Contracts

/// Where a vendor stands: active (its latest approved agreement applies), suspended (nothing is sent until it
/// is reinstated) or terminated (final).
public enum VendorStatus: String, Sendable, Hashable, Codable {
    case active
    case suspended
    case terminated
}

/// Where one agreement version stands.
public enum AgreementVersionStatus: String, Sendable, Hashable, Codable {
    /// Registered, awaiting approval by a different principal.
    case pending
    /// Approved: the version in force unless a later one is approved.
    case approved
    /// Approved once, replaced by a later approved version.
    case superseded
}

/// A registered vendor.
public struct VendorRecord: Sendable, Hashable {
    public var id: String
    public var agreementID: String
    public var status: VendorStatus
    public var statusChangedBy: String?
    public var statusChangedAt: Timestamp?
    public var createdAt: Timestamp

    public init(
        id: String,
        agreementID: String,
        status: VendorStatus,
        statusChangedBy: String? = nil,
        statusChangedAt: Timestamp? = nil,
        createdAt: Timestamp
    ) {
        self.id = id
        self.agreementID = agreementID
        self.status = status
        self.statusChangedBy = statusChangedBy
        self.statusChangedAt = statusChangedAt
        self.createdAt = createdAt
    }
}

/// One registered version of a vendor's agreement.
public struct AgreementVersionRecord: Sendable, Hashable {
    public var vendorID: String
    public var version: Int
    public var agreementID: String
    /// `sha256:<hex>` of the registered XML bytes.
    public var digest: String
    public var status: AgreementVersionStatus
    public var registeredBy: String
    public var registeredAt: Timestamp
    public var approvedBy: String?
    public var approvedAt: Timestamp?
    public var effective: CivilDate
    public var expires: CivilDate

    public init(
        vendorID: String,
        version: Int,
        agreementID: String,
        digest: String,
        status: AgreementVersionStatus,
        registeredBy: String,
        registeredAt: Timestamp,
        approvedBy: String? = nil,
        approvedAt: Timestamp? = nil,
        effective: CivilDate,
        expires: CivilDate
    ) {
        self.vendorID = vendorID
        self.version = version
        self.agreementID = agreementID
        self.digest = digest
        self.status = status
        self.registeredBy = registeredBy
        self.registeredAt = registeredAt
        self.approvedBy = approvedBy
        self.approvedAt = approvedAt
        self.effective = effective
        self.expires = expires
    }
}
