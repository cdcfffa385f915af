import Contracts
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// The store for more than one gateway instance: a PostgreSQL server shared by every instance.
///
/// Instances keep one log each (by `origin`), share consent, contracts, tokens and the subject-ref and
/// vendor-hash secrets, and hear one another's changes through LISTEN/NOTIFY (``PostgresChangeListener``).
/// Migrations run at start, under an advisory lock, so instances may start at once.
public final class PostgresDatabase: Sendable {
    let client: PostgresClient
    let logger: Logger
    private let runTask: Mutex<Task<Void, Never>?> = Mutex(nil)
    /// The connection settings, for the change listener's own connection.
    let configuration: PostgresClient.Configuration
    /// How consent notifications name a subject: its keyed digest (`subjectRef`), never its id, since a
    /// notification travels beyond the row it describes (a server or driver log at trace level prints it).
    /// Until it is set, a consent change is announced as "everything changed".
    private let subjectDigest = Mutex<(@Sendable (String) -> String)?>(nil)

    public func setSubjectDigest(_ digest: @escaping @Sendable (String) -> String) {
        subjectDigest.withLock { $0 = digest }
    }

    /// The keys that announce a change of `subjects` on the consent channel.
    func consentChangeKeys(_ subjects: [String]) -> [String] {
        guard let digest = subjectDigest.withLock({ $0 }) else { return [] }
        return subjects.uniquedByBytes().map(digest)
    }

    /// The parsed `storage.url` (TLS mode and roots included), for the change listener's own connection.
    let settings: PostgresURL
    /// How long an operation may wait for the database before it fails (fail fast when the server is down).
    let operationTimeout: Duration

    /// Connects to `url` (see ``PostgresURL``: TLS per `sslmode`, `verify-full` off loopback) and migrates.
    public init(url: String, operationTimeout: Duration = .seconds(5), logger: Logger) async throws {
        self.operationTimeout = operationTimeout
        let settings = try PostgresURL(parsing: url)
        self.settings = settings
        var configuration = settings.clientConfiguration()
        configuration.options.maximumConnections = 16
        self.configuration = configuration
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        let client = self.client
        runTask.withLock { $0 = Task { await client.run() } }
        // Let the pool start before the first lease.
        try? await Task.sleep(for: .milliseconds(20))
        do {
            // The first connection within a start-up deadline (the operation deadline, at least 10 s: a server
            // that has just started may be slow): an unreachable server, refused TLS or refused credentials
            // fail start-up then, not after the pool's own lease timeout (about a minute).
            try await withDeadline(max(operationTimeout, .seconds(10))) {
                try await client.withConnection { _ in }
            }
            try await migrate()
        } catch {
            logger.error("database migration failed", metadata: ["error": "\(String(reflecting: error))"])
            close()
            throw Self.map(error)
        }
    }

    /// Stops the connection pool.
    public func close() {
        runTask.withLock { task in
            task?.cancel()
            task = nil
        }
    }

    deinit {
        runTask.withLock { $0?.cancel() }
    }

    /// Runs `body` in a transaction, mapping PostgreSQL's failures to ``StorageError``.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T
    {
        let client = self.client
        return try await withDeadline {
            try await client.withConnection { connection in
                try await connection.withTransaction(logger: self.logger) { connection in
                    try await body(connection)
                }
            }
        }
    }

    /// Runs `body` on a pooled connection.
    func connection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let client = self.client
        return try await withDeadline {
            try await client.withConnection { connection in try await body(connection) }
        }
    }

    /// Runs `body`, failing with `unavailable` when the database does not answer within `operationTimeout`.
    /// The caller is answered at the deadline even when the work ignores cancellation (a lease waiting for a
    /// server that has gone); the abandoned work is cancelled and ends on its own.
    private func withDeadline<T: Sendable>(
        _ timeout: Duration? = nil,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        do {
            return try await Gateway.withDeadline(
                timeout ?? operationTimeout,
                timeoutError: { StorageError(.unavailable, "the database did not answer in time") },
                body
            )
        } catch {
            throw Self.map(error)
        }
    }

    static func map(_ error: any Error) -> StorageError {
        if let storage = error as? StorageError { return storage }
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError {
                return map(inner)
            }
        }
        if let psql = error as? PSQLError {
            if let state = psql.serverInfo?[.sqlState] {
                switch state {
                case "23505", "23514", "23503":
                    return StorageError(.conflict, "the change conflicts with what is stored", underlying: error)
                case "P0001":
                    return StorageError(.conflict, "the change is not allowed (append-only)", underlying: error)
                default:
                    return StorageError(
                        .unavailable,
                        "the database refused the operation (\(state))",
                        underlying: error
                    )
                }
            }
            return StorageError(.unavailable, "the database cannot be reached", underlying: error)
        }
        if error is CancellationError {
            return StorageError(.unavailable, "the operation was cancelled", underlying: error)
        }
        return StorageError(.unavailable, "the database cannot be reached", underlying: error)
    }
}

extension PostgresDatabase: GatewayStore, SharedSecretStore {
    public var sharedSecrets: (any SharedSecretStore)? { self }

    public func ping() async throws {
        try await connection { connection in
            _ = try await connection.query("SELECT 1", logger: self.logger).collect()
        }
    }

    public func probeWrite() async throws {
        let now = Timestamp.now().epochMilliseconds
        _ = try await connection { connection in
            try await connection.query(
                "INSERT INTO health_probe (id, time) VALUES (1, \(now)) ON CONFLICT (id) DO UPDATE SET time = EXCLUDED.time",
                logger: self.logger
            )
        }
    }

    public func secret(named name: String) async throws -> [UInt8] {
        var random = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in random.indices { random[index] = generator.next() }
        let candidate = ByteBuffer(bytes: random)
        return try await transaction { connection in
            try await connection.query(
                "INSERT INTO gateway_secrets (name, value) VALUES (\(name), \(candidate)) ON CONFLICT (name) DO NOTHING",
                logger: self.logger
            )
            for try await value in try await connection.query(
                "SELECT value FROM gateway_secrets WHERE name = \(name)",
                logger: self.logger
            ).decode(ByteBuffer.self) {
                return Array(buffer: value)
            }
            throw StorageError(.corrupt, "the shared secret \(name) is missing")
        }
    }
}
