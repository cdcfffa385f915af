import Contracts
import Crypto
import Logging
import Synchronization

/// Registers, approves and suspends agreements, and serves the one in force for each vendor from a cache.
///
/// Rules: a version is registered pending; a principal other than its registrant approves it; approving a
/// later version supersedes the earlier; suspension stops every share from the next request until a
/// reinstatement (approval by a principal other than the suspender); termination is final.
public final class ContractRegistry: Sendable {
    let store: any ContractRegistryStore
    let validator: ContractValidator
    let logger: Logger
    private let cache = Mutex<Cache>(Cache())

    private struct Cache {
        var generation = 0
        var entries: [Identifier: ActiveContract?] = [:]
        /// Off while changes from other instances cannot be heard.
        var enabled = true
    }

    public init(store: any ContractRegistryStore, validator: ContractValidator, logger: Logger) {
        self.store = store
        self.validator = validator
        self.logger = logger
    }

    public var taxonomy: Taxonomy { validator.taxonomy }

    /// `sha256:<hex>` of registered bytes.
    public static func digest(_ bytes: [UInt8]) -> String {
        "sha256:" + Hex.encode(SHA256.hash(data: bytes))
    }

    /// Validates and registers an agreement version as `principal`; returns the version record.
    public func register(
        xml: [UInt8],
        by principal: String,
        at time: Timestamp = .now()
    ) async throws -> AgreementVersionRecord {
        let agreement = try validator.validate(xml)
        if let vendor = try await store.vendor(agreement.vendor.id), vendor.status == .terminated {
            throw StorageError(.conflict, "vendor \(vendor.id) is terminated")
        }
        let record = AgreementVersionRecord(
            vendorID: agreement.vendor.id,
            version: agreement.version,
            agreementID: agreement.id,
            digest: Self.digest(xml),
            status: .pending,
            registeredBy: principal,
            registeredAt: time,
            effective: agreement.term.effective,
            expires: agreement.term.expires
        )
        try await store.insertVersion(record, xml: xml)
        invalidate(vendor: record.vendorID)
        logger.info(
            "agreement registered",
            metadata: ["vendor.id": "\(record.vendorID)", "agreement.version": "\(record.version)"]
        )
        return record
    }

    /// Approves the vendor's latest pending version, or reinstates a suspended vendor. `principal` must not
    /// be the version's registrant (nor, for a reinstatement, the principal who suspended it).
    public func approve(
        vendorID: String,
        by principal: String,
        at time: Timestamp = .now()
    ) async throws -> AgreementVersionRecord {
        guard let vendor = try await store.vendor(vendorID) else {
            throw StorageError(.notFound, "no vendor \(vendorID)")
        }
        guard vendor.status != .terminated else { throw StorageError(.conflict, "vendor \(vendorID) is terminated") }
        let versions = try await store.versions(vendorID: vendorID)
        if let pending = versions.last(where: { $0.status == .pending }) {
            guard pending.registeredBy != principal else {
                throw StorageError(
                    .conflict,
                    "version \(pending.version) must be approved by someone other than its registrant"
                )
            }
            try await store.approveVersion(vendorID: vendorID, version: pending.version, by: principal, at: time)
            if vendor.status == .suspended {
                try await store.setVendorStatus(vendorID, .active, by: principal, at: time)
            }
            invalidate(vendor: vendorID)
            logger.info(
                "agreement approved",
                metadata: ["vendor.id": "\(vendorID)", "agreement.version": "\(pending.version)"]
            )
            var approved = pending
            approved.status = .approved
            approved.approvedBy = principal
            approved.approvedAt = time
            return approved
        }
        guard vendor.status == .suspended, let current = versions.last(where: { $0.status == .approved }) else {
            throw StorageError(.conflict, "vendor \(vendorID) has no version waiting for approval")
        }
        guard vendor.statusChangedBy != principal else {
            throw StorageError(.conflict, "a suspension must be lifted by someone other than who suspended")
        }
        try await store.setVendorStatus(vendorID, .active, by: principal, at: time)
        invalidate(vendor: vendorID)
        logger.info("vendor reinstated", metadata: ["vendor.id": "\(vendorID)"])
        return current
    }

    /// Suspends or terminates a vendor; takes effect from the next request.
    public func setStatus(
        vendorID: String,
        _ status: VendorStatus,
        by principal: String,
        at time: Timestamp = .now()
    ) async throws -> VendorRecord {
        guard var vendor = try await store.vendor(vendorID) else {
            throw StorageError(.notFound, "no vendor \(vendorID)")
        }
        if vendor.status == .terminated { throw StorageError(.conflict, "vendor \(vendorID) is terminated") }
        try await store.setVendorStatus(vendorID, status, by: principal, at: time)
        invalidate(vendor: vendorID)
        logger.info(
            "vendor status changed",
            metadata: ["vendor.id": "\(vendorID)", "vendor.status": "\(status.rawValue)"]
        )
        vendor.status = status
        vendor.statusChangedBy = principal
        vendor.statusChangedAt = time
        return vendor
    }

    /// The contract in force for `vendorID`, from the cache.
    public func active(vendorID: String) async throws -> ActiveContract? {
        let (cached, generation) = cache.withLock { cache in
            (cache.enabled ? cache.entries[Identifier(vendorID)] : nil, cache.generation)
        }
        if let cached { return cached }
        let loaded = try await load(vendorID: vendorID)
        cache.withLock { cache in
            if cache.enabled, cache.generation == generation { cache.entries[Identifier(vendorID)] = .some(loaded) }
        }
        return loaded
    }

    /// Turns caching on or off; either way the cache starts empty.
    public func setCaching(_ enabled: Bool) {
        cache.withLock { cache in
            cache.enabled = enabled
            cache.generation += 1
            cache.entries = [:]
        }
    }

    /// Forgets cached contracts (after a change here or on another instance).
    public func invalidate(vendor: String? = nil) {
        cache.withLock { cache in
            cache.generation += 1
            if let vendor { cache.entries[Identifier(vendor)] = nil } else { cache.entries = [:] }
        }
    }

    private func load(vendorID: String) async throws -> ActiveContract? {
        guard RequestTarget.isIdentifier(vendorID), let vendor = try await store.vendor(vendorID) else { return nil }
        let versions = try await store.versions(vendorID: vendorID)
        guard
            let version = versions.last(where: { $0.status == .approved })
                ?? versions.last(where: { $0.status == .pending }),
            let xml = try await store.xml(vendorID: vendorID, version: version.version)
        else { return nil }
        // Stored versions were valid when registered; they are checked again, so a changed taxonomy or setting
        // can only make the gateway refuse more.
        let agreement: Agreement
        do {
            agreement = try validator.validate(xml)
        } catch {
            logger.error(
                "stored agreement no longer valid",
                metadata: ["vendor.id": "\(vendorID)", "error": "\(error)"]
            )
            return nil
        }
        guard let endpoint = EndpointURL(agreement.endpoint.baseURL) else { return nil }
        let standing: ContractStanding
        switch vendor.status {
        case .terminated: standing = .terminated
        case .suspended: standing = .suspended
        case .active: standing = version.status == .approved ? .approved : .pending
        }
        return ActiveContract(
            vendor: vendor,
            version: version,
            compiled: CompiledAgreement(agreement: agreement, digest: version.digest, taxonomy: validator.taxonomy),
            standing: standing,
            endpoint: endpoint
        )
    }
}
