import Configuration
import Contracts

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything the gateway reads from its configuration.
///
/// Keys (file key, environment variable, default):
/// - `proxy.host`, `proxy.port` (`GATEWAY_PROXY_HOST`, `GATEWAY_PROXY_PORT`): `127.0.0.1`, `8443`
/// - `admin.host`, `admin.port`: `127.0.0.1`, `9443`
/// - `data.dir`: `./var`; `certs.dir`: `./certs`; `contracts.dir`: `./contracts`
/// - `storage.url`: the SQLite file `gateway.sqlite` in `data.dir`; `postgres://...` for PostgreSQL
/// - `storage.timeoutSeconds`: how long a PostgreSQL operation may wait before failing (5)
/// - `upstream.trustRoots`: a PEM file that replaces the system roots
/// - `upstream.allowPrivateAddresses`: `false` (development only: IP-literal and private vendor endpoints)
/// - `upstream.allowPlainHTTP`: `false` (development only: `http://` vendor endpoints)
/// - `log.origin`: the share log's origin, derived from the host name
/// - `credential.NAME` (`GATEWAY_CREDENTIAL_NAME`, `-` as `_`): a vendor credential (secret)
/// - `limits.*`: see ``GatewayLimits``
/// - `console.dir`: serve the console from this directory instead of the copy built into the binary
///   (development of the console only)
/// - `rights.retryBaseSeconds` (30), `rights.retryWindowSeconds` (86400), `rights.pollSeconds` (5): rights
///   notices are retried with exponential backoff from the base (at most an hour apart) for the window, then
///   marked `failed`; due notices are looked for every poll interval (and at once when a request is filed)
public struct GatewayConfiguration: Sendable {
    public var proxyHost: String
    public var proxyPort: Int
    public var adminHost: String
    public var adminPort: Int
    public var dataDirectory: String
    public var certsDirectory: String
    public var contractsDirectory: String
    /// `nil` means the embedded SQLite database in `dataDirectory`.
    public var storageURL: String?
    /// How long a PostgreSQL operation may wait before it fails (`storage.timeoutSeconds`, default 5).
    public var storageTimeoutSeconds: Int
    public var upstreamTrustRoots: String?
    public var allowPrivateAddresses: Bool
    public var allowPlainHTTP: Bool
    public var logOrigin: String
    public var limits: GatewayLimits
    /// Looks up vendor credentials by the name an agreement gives.
    public var credentials: CredentialStore
    /// How rights notices are retried.
    public var rights: RightsSettings
    /// `console.dir`: the console's files from disk (development), else the embedded copy.
    public var consoleDirectory: String?

    public init(reader: ConfigReader, hostName: String = GatewayConfiguration.currentHostName()) {
        proxyHost = reader.string(forKey: "proxy.host", default: "127.0.0.1")
        proxyPort = reader.int(forKey: "proxy.port", default: 8443)
        adminHost = reader.string(forKey: "admin.host", default: "127.0.0.1")
        adminPort = reader.int(forKey: "admin.port", default: 9443)
        dataDirectory = reader.string(forKey: "data.dir", default: "./var")
        certsDirectory = reader.string(forKey: "certs.dir", default: "./certs")
        contractsDirectory = reader.string(forKey: "contracts.dir", default: "./contracts")
        storageURL = reader.string(forKey: "storage.url")
        storageTimeoutSeconds = reader.int(forKey: "storage.timeoutSeconds", default: 5)
        upstreamTrustRoots = reader.string(forKey: "upstream.trustRoots")
        allowPrivateAddresses = reader.bool(forKey: "upstream.allowPrivateAddresses", default: false)
        allowPlainHTTP = reader.bool(forKey: "upstream.allowPlainHTTP", default: false)
        logOrigin = reader.string(forKey: "log.origin", default: "\(hostName)/gateway")
        limits = GatewayLimits(reader: reader.scoped(to: "limits"))
        credentials = CredentialStore(reader: reader.scoped(to: "credential"))
        consoleDirectory = reader.string(forKey: "console.dir")
        rights = RightsSettings(
            retryBaseSeconds: max(1, reader.int(forKey: "rights.retryBaseSeconds", default: 30)),
            retryWindowSeconds: max(1, reader.int(forKey: "rights.retryWindowSeconds", default: 86_400)),
            pollSeconds: max(1, reader.int(forKey: "rights.pollSeconds", default: 5))
        )
    }

    /// The settings for the contract checks.
    public var contractValidationOptions: ContractValidationOptions {
        ContractValidationOptions(allowPrivateAddresses: allowPrivateAddresses, allowPlainHTTP: allowPlainHTTP)
    }

    /// The SQLite database file: `storage.url` when it is `sqlite:PATH`, else `gateway.sqlite` in `data.dir`.
    public var sqlitePath: String {
        if let storageURL, storageURL.hasPrefix("sqlite:") {
            return String(storageURL.dropFirst("sqlite:".count))
        }
        return dataDirectory + "/gateway.sqlite"
    }

    /// Whether `storage.url` names a PostgreSQL server.
    public var usesPostgres: Bool {
        storageURL.map { $0.hasPrefix("postgres://") || $0.hasPrefix("postgresql://") } ?? false
    }

    /// The host name, lower-cased, for the default log origin.
    public static func currentHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).lowercased()
        return name.isEmpty ? "localhost" : name
    }
}

/// How rights notices are retried (see ``GatewayConfiguration``).
public struct RightsSettings: Sendable, Hashable {
    public var retryBaseSeconds: Int
    public var retryWindowSeconds: Int
    public var pollSeconds: Int

    public init(retryBaseSeconds: Int = 30, retryWindowSeconds: Int = 86_400, pollSeconds: Int = 5) {
        self.retryBaseSeconds = retryBaseSeconds
        self.retryWindowSeconds = retryWindowSeconds
        self.pollSeconds = pollSeconds
    }

    /// The wait before attempt `attempt + 1` (attempts counted from 1): base, 2 x base, 4 x base ... at most
    /// an hour.
    public func backoff(afterAttempt attempt: Int) -> Int {
        let exponent = min(max(attempt - 1, 0), 20)
        return min(3600, retryBaseSeconds << exponent)
    }
}
