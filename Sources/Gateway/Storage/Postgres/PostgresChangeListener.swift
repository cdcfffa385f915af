import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import ServiceLifecycle

/// Hears the changes other instances make (LISTEN/NOTIFY) and drops what this instance cached.
///
/// Caches are only trusted while the listening connection is up: until it is (and whenever it drops), both
/// caches are off and every lookup reads the database, so a change made anywhere takes effect on the next
/// request everywhere, notification or not.
public final class PostgresChangeListener: Service, Sendable {
    static let consentsChannel = "gateway_consents"
    static let contractsChannel = "gateway_contracts"
    /// Erased and restricted subjects changed (rights requests); the payload is always "everything".
    static let rightsChannel = "gateway_rights"

    let configuration: PostgresConnection.Configuration
    let consents: ConsentCache
    let registry: ContractRegistry
    let blocks: SubjectBlockCache
    let logger: Logger

    public init(
        database: PostgresDatabase,
        consents: ConsentCache,
        registry: ContractRegistry,
        blocks: SubjectBlockCache,
        logger: Logger
    ) throws {
        let configuration = try database.settings.connectionConfiguration()
        self.configuration = configuration
        self.consents = consents
        self.registry = registry
        self.blocks = blocks
        self.logger = logger
        setCaching(false)
    }

    private func setCaching(_ enabled: Bool) {
        consents.setEnabled(enabled)
        registry.setCaching(enabled)
        blocks.setEnabled(enabled)
    }

    public func run() async throws {
        // Nothing to finish on shutdown: stop listening at once (the service group shuts this service down
        // last, after the servers and the share log).
        try await cancelWhenGracefulShutdown {
            try await self.listen()
        }
    }

    private func listen() async throws {
        var attempt = 0
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.next(),
                    configuration: configuration,
                    id: 1,
                    logger: logger
                ).get()
                defer { _ = connection }
                do {
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: Self.consentsChannel) { consentNotes in
                            try await connection.listen(on: Self.contractsChannel) { contractNotes in
                                try await connection.listen(on: Self.rightsChannel) { rightsNotes in
                                    self.setCaching(true)
                                    attempt = 0
                                    logger.info("listening for changes from other instances")
                                    try await withThrowingTaskGroup(of: Void.self) { group in
                                        group.addTask {
                                            for try await note in consentNotes {
                                                self.consents.invalidate(refs: ChangePayload.keys(note.payload))
                                            }
                                        }
                                        group.addTask {
                                            for try await note in contractNotes {
                                                if let vendors = ChangePayload.keys(note.payload) {
                                                    for vendor in vendors { self.registry.invalidate(vendor: vendor) }
                                                } else {
                                                    self.registry.invalidate(vendor: nil)
                                                }
                                            }
                                        }
                                        group.addTask {
                                            for try await _ in rightsNotes { self.blocks.invalidate() }
                                        }
                                        try await group.next()
                                        group.cancelAll()
                                    }
                                }
                            }
                        }
                    } onCancel: {
                        let closing: EventLoopFuture<Void> = connection.close()
                        closing.whenComplete { _ in }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { break }
                logger.warning(
                    "change listener disconnected; caches off until it is back",
                    metadata: ["error": "\(error)"]
                )
            }
            setCaching(false)
            attempt += 1
            try? await Task.sleep(for: .milliseconds(min(2000, 100 * attempt)))
        }
    }
}
