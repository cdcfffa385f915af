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
    /// A connection of the test's own, listening on `channel`; `heard` collects what it hears.
    final class Listener: Sendable {
        let connection: PostgresConnection
        let task: Task<Void, any Error>
        let heard = Heard()

        /// The payloads heard so far.
        final class Heard: Sendable {
            let payloads = Mutex<[String]>([])
        }

        init(database url: String, channel: String, id: Int) async throws {
            connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(),
                configuration: try PostgresURL(parsing: url).connectionConfiguration(),
                id: id,
                logger: Logger(label: "listen-test")
            )
            let connection = self.connection
            let heard = self.heard
            task = Task {
                try await connection.listen(on: channel) { notes in
                    for try await note in notes {
                        heard.payloads.withLock { $0.append(note.payload) }
                    }
                }
            }
            // LISTEN is issued by the task: give it a moment before the test changes anything.
            try await Task.sleep(for: .milliseconds(300))
        }

        /// What was heard, once `count` payloads arrived or two seconds passed; then stops listening.
        func stop(after count: Int) async throws -> [String] {
            for _ in 0..<40 where heard.payloads.withLock({ $0.count }) < count {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            try? await connection.close()
            return heard.payloads.withLock { $0 }
        }
    }

    @Test func consentNotificationsNameSubjectsByRefOnly() async throws {
        try await withGateway { gateway in
            let listener = try await Listener(
                database: try #require(gateway.database),
                channel: PostgresChangeListener.consentsChannel,
                id: 1
            )
            let subject = "jose\u{301}@example.com"
            try await gateway.grant(subject)
            try await gateway.grant("alice@example.com")
            let received = try await listener.stop(after: 2)
            #expect(received.count == 2, "\(received)")
            #expect(received.first == gateway.runtime.keys.subjectRef(subject))
            #expect(received.last == gateway.runtime.keys.subjectRef("alice@example.com"))
            #expect(received.allSatisfy { !$0.contains("@") && !$0.contains("jose") })
        }
    }

    @Test func aNotificationIsDeliveredOnlyWhenItsTransactionCommits() async throws {
        try await withGateway { gateway in
            let database = try #require(gateway.runtime.store as? Gateway.PostgresDatabase)
            let listener = try await Listener(
                database: try #require(gateway.database),
                channel: PostgresChangeListener.contractsChannel,
                id: 2
            )
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
            #expect(try await listener.stop(after: 1) == ["committed"])
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
