import Contracts

/// The agreement that governs a vendor's shares right now, and where it stands.
public struct ActiveContract: Sendable {
    public var vendor: VendorRecord
    /// The latest approved version, or the latest pending one when none is approved yet.
    public var version: AgreementVersionRecord
    public var compiled: CompiledAgreement
    public var standing: ContractStanding
    /// The parsed endpoint URL.
    public var endpoint: EndpointURL
}
