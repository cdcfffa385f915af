import Contracts
import Crypto
import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Testing

@testable import Gateway

/// DESIGN, "Storage and scale": `storage.url` takes libpq's `sslmode` and `sslrootcert`, and the default is
/// `verify-full` for any host but loopback. Tested against a real server that takes TLS connections only,
/// with a certificate made by the test.
@Suite(
    "PostgreSQL over TLS",
    .serialized,
    .timeLimit(.minutes(2)),
    .enabled(if: TestPostgresCluster.binaries != nil, "needs PostgreSQL server binaries")
)
struct PostgresTLSTests {
    @Test func sslModeDefaultsAndParsing() throws {
        #expect(try PostgresURL(parsing: "postgres://u@db.example/gw").sslMode == .verifyFull)
        #expect(try PostgresURL(parsing: "postgres://u@10.1.2.3:5433/gw").sslMode == .verifyFull)
        #expect(try PostgresURL(parsing: "postgres://u@127.0.0.1/gw").sslMode == .prefer)
        #expect(try PostgresURL(parsing: "postgres://u@localhost/gw").sslMode == .prefer)
        #expect(try PostgresURL(parsing: "postgres://u@[::1]/gw").sslMode == .prefer)
        let explicit = try PostgresURL(parsing: "postgres://u:p@db.example:6000/gw?sslmode=require&sslrootcert=/ca.pem")
        #expect(explicit.sslMode == .require && explicit.sslRootCert == "/ca.pem" && explicit.port == 6000)
        #expect(explicit.database == "gw" && explicit.password == "p")
        for bad in ["postgres://u@db/gw?sslmode=verify-ca", "postgres://u@db/gw?sslmode=", "postgres://u@db/gw?x=1"] {
            #expect(throws: StorageError.self) { try PostgresURL(parsing: bad) }
        }
        #expect(try PostgresURL(parsing: "postgres://u@db/gw?sslmode=disable").tlsConfiguration() == nil)
        #expect(
            try PostgresURL(parsing: "postgres://u@db/gw").tlsConfiguration()?.certificateVerification
                == .fullVerification
        )
    }

    @Test func verifyFullTrustsOnlyItsRootsAndPlainConnectionsAreRefused() async throws {
        let authority = try CertificateAuthority.make(commonName: "test database CA")
        let issued = try authority.issue(commonName: "127.0.0.1", hosts: ["127.0.0.1", "localhost"], usage: .server)
        let cluster = try TestPostgresCluster(
            tls: (try issued.certificate.pemString(), issued.privateKey.pemRepresentation)
        )
        defer { cluster.destroy() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgtls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let trusted = directory.appendingPathComponent("ca.pem")
        try Data(try authority.certificate.pemString().utf8).write(to: trusted)
        let other = directory.appendingPathComponent("other-ca.pem")
        let otherAuthority = try CertificateAuthority.make(commonName: "another CA")
        try Data(try otherAuthority.certificate.pemString().utf8).write(to: other)
        let base = "postgres://postgres@127.0.0.1:\(cluster.port)/postgres"
        let logger = Logger(label: "pg-tls-test")

        // Verified TLS: connects, migrates, and works.
        let database = try await PostgresDatabase(
            url: base + "?sslmode=verify-full&sslrootcert=\(trusted.path)",
            operationTimeout: .seconds(10),
            logger: logger
        )
        let listener = try PostgresChangeListener(
            database: database,
            consents: ConsentCache(store: database, ref: { $0 }),
            registry: ContractRegistry(store: database, validator: .init(), logger: logger),
            blocks: SubjectBlockCache(store: database),
            logger: logger
        )
        #expect(listener.configuration.tls.isEnforced)
        try await database.probeWrite()
        database.close()

        // Refusals come within the start-up deadline, not after the pool's lease timeout.
        let started = ContinuousClock.now
        // A certificate from a CA that is not trusted is refused.
        await #expect(throws: (any Error).self) {
            let wrong = try await PostgresDatabase(
                url: base + "?sslmode=verify-full&sslrootcert=\(other.path)",
                operationTimeout: .seconds(3),
                logger: logger
            )
            wrong.close()
        }
        // With the system's roots (the default for a non-loopback host), the test CA is not trusted either.
        await #expect(throws: (any Error).self) {
            let system = try await PostgresDatabase(
                url: base + "?sslmode=verify-full",
                operationTimeout: .seconds(3),
                logger: logger
            )
            system.close()
        }
        // The server takes TLS only: without it, no connection.
        await #expect(throws: (any Error).self) {
            let plain = try await PostgresDatabase(
                url: base + "?sslmode=disable",
                operationTimeout: .seconds(3),
                logger: logger
            )
            plain.close()
        }
        // Three refusals, each within the 10 s start-up deadline.
        #expect(ContinuousClock.now - started < .seconds(45))
        // `require` encrypts without checking the certificate (libpq's meaning).
        let unverified = try await PostgresDatabase(
            url: base + "?sslmode=require",
            operationTimeout: .seconds(10),
            logger: logger
        )
        try await unverified.probeWrite()
        unverified.close()
    }
}
