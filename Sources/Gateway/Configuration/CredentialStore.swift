import Configuration

/// Vendor credentials, looked up by the name an agreement's endpoint gives (`credential="acme-api-key"`),
/// from `credential.NAME` (environment `GATEWAY_CREDENTIAL_ACME_API_KEY`). Internal services never hold them.
public struct CredentialStore: Sendable {
    private let reader: ConfigReader?
    private let fixed: [String: String]

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
        return reader?.string(forKey: ConfigKey(name), isSecret: true)
    }
}
