import Contracts
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The gateway's parts, wired from its configuration. Every command builds one, so offline commands act on
/// the same database, keys and taxonomy as `serve`.
public final class GatewayRuntime: Sendable {
    public let configuration: GatewayConfiguration
    public let store: any GatewayStore
    public let keys: GatewayKeys
    public let taxonomy: Taxonomy
    public let registry: ContractRegistry
    public let consents: ConsentService
    public let shareLog: ShareLog
    /// Rights requests: recipients from the log, notices, and their effect on the data plane.
    public let rights: RightsService
    public let metrics: GatewayMetrics
    public let logger: Logger

    /// The principal that registers the agreements found on a fresh database, and `contracts import`.
    public static let bootstrapPrincipal = "bootstrap"
    /// The principal that approves them (the two-person rule does not apply to the bootstrap).
    public static let bootstrapApprover = "bootstrap-approval"

    /// Hears other instances' changes (PostgreSQL only); run it as a service.
    public let changeListener: PostgresChangeListener?

    public init(configuration: GatewayConfiguration, store: (any GatewayStore)? = nil, logger: Logger) async throws {
        self.configuration = configuration
        self.logger = logger
        let chosen: any GatewayStore
        if let store {
            chosen = store
        } else if configuration.usesPostgres, let url = configuration.storageURL {
            chosen = try await PostgresDatabase(
                url: url,
                operationTimeout: .seconds(Int64(configuration.storageTimeoutSeconds)),
                logger: logger
            )
        } else {
            chosen = try SQLiteDatabase(path: configuration.sqlitePath)
        }
        let store = chosen
        self.store = store
        self.taxonomy = try TaxonomyLoader.load(contractsDirectory: configuration.contractsDirectory)
        self.keys = try await GatewayKeys.load(
            directory: configuration.dataDirectory,
            origin: configuration.logOrigin,
            shared: store.sharedSecrets
        )
        self.metrics = GatewayMetrics()
        self.registry = ContractRegistry(
            store: store,
            validator: ContractValidator(taxonomy: taxonomy, options: configuration.contractValidationOptions),
            logger: logger
        )
        let keys = self.keys
        self.consents = ConsentService(
            store: store,
            cache: ConsentCache(store: store, ref: { keys.subjectRef($0) })
        )
        (store as? PostgresDatabase)?.setSubjectDigest { keys.subjectRef($0) }
        self.shareLog = ShareLog(origin: configuration.logOrigin, store: store, signer: keys.signer, logger: logger)
        self.rights = RightsService(
            store: store,
            registry: registry,
            consents: consents,
            keys: keys,
            shareLog: shareLog,
            credentials: configuration.credentials,
            settings: configuration.rights,
            logger: logger
        )
        if let database = store as? PostgresDatabase {
            self.changeListener = try PostgresChangeListener(
                database: database,
                consents: consents.cache,
                registry: registry,
                blocks: rights.blocks,
                logger: logger
            )
        } else {
            self.changeListener = nil
        }
    }

    /// Releases the database connections (PostgreSQL).
    public func close() {
        (store as? PostgresDatabase)?.close()
    }

    /// On a database with no vendor, registers and approves every agreement in `contracts/agreements/`.
    @discardableResult
    public func bootstrapAgreements() async throws -> [AgreementVersionRecord] {
        guard try await store.vendors().isEmpty else { return [] }
        let directory = configuration.contractsDirectory + "/agreements"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var registered: [AgreementVersionRecord] = []
        for name in names.sorted() where name.hasSuffix(".xml") {
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
            do {
                registered.append(try await importAgreement(bytes, approve: true))
            } catch {
                logger.error("bootstrap agreement refused", metadata: ["file": "\(name)", "error": "\(error)"])
            }
        }
        logger.info("bootstrap agreements registered", metadata: ["count": "\(registered.count)"])
        return registered
    }

    /// Registers an agreement as the bootstrap principal, and approves it when asked.
    public func importAgreement(_ bytes: [UInt8], approve: Bool) async throws -> AgreementVersionRecord {
        let record = try await registry.register(xml: bytes, by: Self.bootstrapPrincipal)
        guard approve else { return record }
        return try await registry.approve(vendorID: record.vendorID, by: Self.bootstrapApprover)
    }

    /// The consent reader, checking vendors against the registry.
    public func consentInput() async throws -> ConsentInput {
        let vendors = Set(try await store.vendors().map(\.id))
        return ConsentInput(taxonomy: taxonomy, isKnownVendor: { vendors.contains($0) })
    }

    /// Runs `body` with the share log taking appends (offline commands that append).
    public func withShareLog<T: Sendable>(_ body: @Sendable (ShareLog) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.shareLog.run() }
            try await shareLog.waitUntilAccepting()
            do {
                let result = try await body(shareLog)
                shareLog.stop()
                try await group.waitForAll()
                return result
            } catch {
                shareLog.stop()
                try? await group.waitForAll()
                throw error
            }
        }
    }
}
