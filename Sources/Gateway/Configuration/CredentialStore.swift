import Configuration
import Synchronization

/// Vendor credentials, looked up by the name an agreement's endpoint gives (`credential="acme-api-key"`),
/// from `credential.NAME` (environment `GATEWAY_CREDENTIAL_ACME_API_KEY`). Internal services never hold them.
public struct CredentialStore: Sendable {
    private let reader: ConfigReader?
    private let fixed: [String: String]
    /// What the reader answered, by name: the providers (environment, a configuration file read at start)
    /// do not change while the gateway runs, and a lookup through them costs more than the rest of a
    /// request's routing (measured: 3.6% of the gateway's CPU under load).
    private let looked = CredentialCache()

    public init(reader: ConfigReader) {
        self.reader = reader
        self.fixed = [:]
    }

    /// Fixed credentials, for tests.
    public init(_ credentials: [String: String]) {
        self.reader = nil
        self.fixed = credentials
    }

    /// The credential named `name`, when one is configured.
    public func credential(named name: String) -> String? {
        if let value = fixed[name] { return value }
        guard let reader else { return nil }
        if let known = looked.values.withLock({ $0[name] }) { return known }
        let value = reader.string(forKey: ConfigKey(name), isSecret: true)
        looked.values.withLock { $0[name] = value }
        return value
    }
}

/// The credentials already read, by name (`nil` when none is configured).
private final class CredentialCache: Sendable {
    let values = Mutex<[String: String?]>([:])
}
