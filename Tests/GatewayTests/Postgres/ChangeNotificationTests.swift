import Contracts
import Foundation
import Logging
import NIOPosix
import PostgresNIO
import Synchronization
import Testing

@testable import Gateway

/// What a change notification carries: a consent change names its subjects by keyed digest (`subjectRef`),
/// never by id, and it is sent inside the changing transaction (so it arrives only for a committed change).
@Suite(
    "PostgreSQL change notifications",
    .serialized,
    .timeLimit(.minutes(2)),
    .enabled(if: TestPostgres.enabled, "needs GATEWAY_TEST_POSTGRES_URL")
)
struct ChangeNotificationTests {
    @Test func consentNotificationsNameSubjectsByRefOnly() async throws {
        try await withGateway { gateway in
            let database = try #require(gateway.database)
            let settings = try PostgresURL(parsing: database)
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(),
                configuration: PostgresConnection.Configuration(
                    host: settings.host,
                    port: settings.port,
                    username: settings.username,
                    password: settings.password,
                    database: settings.database,
                    tls: .disable
                ),
                id: 1,
                logger: Logger(label: "listen-test")
            )
            let payloads = Mutex<[String]>([])
            let listening = Task {
                try await connection.listen(on: PostgresChangeListener.consentsChannel) { notes in
                    for try await note in notes {
                        payloads.withLock { $0.append(note.payload) }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            let subject = "jose\u{301}@example.com"
            try await gateway.grant(subject)
            try await gateway.grant("alice@example.com")
            for _ in 0..<50 where payloads.withLock({ $0.count }) < 2 {
                try await Task.sleep(for: .milliseconds(50))
            }
            listening.cancel()
            try? await connection.close()
            let received = payloads.withLock { $0 }
            #expect(received.count == 2, "\(received)")
            #expect(received.first == gateway.runtime.keys.subjectRef(subject))
            #expect(received.last == gateway.runtime.keys.subjectRef("alice@example.com"))
            #expect(received.allSatisfy { !$0.contains("@") && !$0.contains("jose") })
        }
    }

    @Test func aNotificationIsDeliveredOnlyWhenItsTransactionCommits() async throws {
        try await withGateway { gateway in
            let database = try #require(gateway.runtime.store as? Gateway.PostgresDatabase)
            let settings = try PostgresURL(parsing: try #require(gateway.database))
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(),
                configuration: PostgresConnection.Configuration(
                    host: settings.host,
                    port: settings.port,
                    username: settings.username,
                    password: settings.password,
                    database: settings.database,
                    tls: .disable
                ),
                id: 2,
                logger: Logger(label: "listen-test")
            )
            let payloads = Mutex<[String]>([])
            let listening = Task {
                try await connection.listen(on: PostgresChangeListener.contractsChannel) { notes in
                    for try await note in notes {
                        payloads.withLock { $0.append(note.payload) }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            let logger = Logger(label: "notify-test")
            // A change that fails after its notification was queued: nothing is delivered.
            await #expect(throws: (any Error).self) {
                try await database.transaction { connection in
                    try await Gateway.PostgresDatabase.notify(
                        connection,
                        PostgresChangeListener.contractsChannel,
                        keys: ["rolled-back"],
                        logger: logger
                    )
                    throw StorageError(.conflict, "the change failed")
                }
            }
            // The same, committed: delivered.
            try await database.transaction { connection in
                try await Gateway.PostgresDatabase.notify(
                    connection,
                    PostgresChangeListener.contractsChannel,
                    keys: ["committed"],
                    logger: logger
                )
            }
            for _ in 0..<40 where payloads.withLock({ $0.isEmpty }) {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .milliseconds(200))
            listening.cancel()
            try? await connection.close()
            #expect(payloads.withLock { $0 } == ["committed"])
        }
    }

    @Test func payloadsSplitOnBytesAndFallBackToEverything() {
        #expect(ChangePayload.payloads(["a", "b"]) == ["a\nb"])
        #expect(ChangePayload.payloads(["a\r\nb"]) == [""])
        #expect(ChangePayload.payloads([]) == [""])
        let many = (0..<300).map { _ in String(repeating: "f", count: 64) }
        let packed = ChangePayload.payloads(many)
        #expect(packed.count > 1 && packed.allSatisfy { $0.utf8.count <= ChangePayload.maxBytes })
        #expect(packed.flatMap { ChangePayload.keys($0) ?? [] } == many)
        #expect(ChangePayload.keys("") == nil)
        #expect(ChangePayload.keys("x\r\ny") == ["x\r", "y"])
    }
}
