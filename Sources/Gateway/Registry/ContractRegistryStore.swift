import Contracts

/// Where agreements and vendors are kept. Rules about who may do what live in ``ContractRegistry``;
/// implementations keep the data consistent (one writer at a time, constraints in the schema).
public protocol ContractRegistryStore: Sendable {
    /// Adds a version (and the vendor, on its first agreement). Throws `conflict` when the version is not
    /// greater than every registered one, or the vendor is bound to another agreement id.
    func insertVersion(_ record: AgreementVersionRecord, xml: [UInt8]) async throws

    /// Marks `version` approved and every earlier approved version superseded.
    func approveVersion(vendorID: String, version: Int, by principal: String, at time: Timestamp) async throws

    /// Sets the vendor's status.
    func setVendorStatus(
        _ vendorID: String,
        _ status: VendorStatus,
        by principal: String,
        at time: Timestamp
    ) async throws

    func vendors() async throws -> [VendorRecord]
    func vendor(_ id: String) async throws -> VendorRecord?
    func versions(vendorID: String) async throws -> [AgreementVersionRecord]
    /// The XML of one version, exactly as registered.
    func xml(vendorID: String, version: Int) async throws -> [UInt8]?
}
