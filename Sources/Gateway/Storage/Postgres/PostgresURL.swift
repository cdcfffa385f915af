import Foundation
import NIOSSL
import PostgresNIO

/// `storage.url` for PostgreSQL: `postgres://user[:password]@host[:port]/database[?sslmode=...&sslrootcert=...]`.
///
/// `sslmode` takes libpq's `disable`, `prefer`, `require` and `verify-full` (`verify-ca` is refused: it checks
/// the chain but not the name, which is never what a gateway wants). The default is `verify-full` for every host
/// but loopback (`localhost`, 127.0.0.0/8, `::1`), where it is `prefer`. `sslrootcert` is a PEM file of the CAs
/// to trust (default: the system's roots).
struct PostgresURL: Sendable, Equatable {
    enum SSLMode: String, Sendable, Equatable {
        case disable
        case prefer
        case require
        case verifyFull = "verify-full"
    }

    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String?
    var sslMode: SSLMode
    var sslRootCert: String?

    init(parsing url: String) throws(StorageError) {
        let usage = "storage.url must be postgres://user[:password]@host[:port]/database[?sslmode=...]"
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty,
            components.scheme == "postgres" || components.scheme == "postgresql"
        else {
            throw StorageError(.invalid, usage)
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.user ?? "postgres"
        self.password = components.password
        let name = String(components.path.dropFirst())
        self.database = name.isEmpty ? nil : name
        var mode: SSLMode?
        var rootCert: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let parsed = SSLMode(rawValue: value) else {
                    throw StorageError(.invalid, "storage.url: sslmode is disable, prefer, require or verify-full")
                }
                mode = parsed
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else {
                    throw StorageError(.invalid, "storage.url: sslrootcert names a PEM file")
                }
                rootCert = value
            default:
                throw StorageError(.invalid, "storage.url: unknown parameter `\(item.name)` (sslmode, sslrootcert)")
            }
        }
        self.sslMode = mode ?? (Self.isLoopback(host) ? .prefer : .verifyFull)
        self.sslRootCert = rootCert
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The settings of the connection pool.
    func clientConfiguration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch (sslMode, tlsConfiguration()) {
        case (.prefer, let configuration?): tls = .prefer(configuration)
        case (_, let configuration?): tls = .require(configuration)
        case (_, nil): tls = .disable
        }
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: tls
        )
        configuration.options.connectTimeout = .seconds(3)
        return configuration
    }

    /// The settings of a single connection (the change listener's), with the same TLS.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        if let configuration = tlsConfiguration() {
            let context = try NIOSSLContext(configuration: configuration)
            tls = sslMode == .prefer ? .prefer(context) : .require(context)
        } else {
            tls = .disable
        }
        var configuration = PostgresConnection.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: tls
        )
        configuration.options.connectTimeout = .seconds(3)
        return configuration
    }

    /// The TLS settings for the mode, or nil for `disable`.
    func tlsConfiguration() -> TLSConfiguration? {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        switch sslMode {
        case .disable:
            return nil
        case .prefer, .require:
            // libpq's meaning: encrypted, the certificate not checked.
            tls.certificateVerification = .none
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            if let sslRootCert { tls.trustRoots = .file(sslRootCert) }
        }
        return tls
    }
}
