/// Everything the gateway keeps, behind the small protocols; SQLite and PostgreSQL implement it whole.
public protocol GatewayStore: ContractRegistryStore, ConsentStore, TokenStore, AdminCallStore, LedgerStore, RightsStore
{
    /// A cheap check that the database answers.
    func ping() async throws
    /// A small durable write, for readiness: fails when the database cannot be written.
    func probeWrite() async throws
    /// Secrets every instance on this store shares (PostgreSQL); nil keeps them in `data.dir` (SQLite).
    var sharedSecrets: (any SharedSecretStore)? { get }
}

extension SQLiteDatabase: GatewayStore {
    public var sharedSecrets: (any SharedSecretStore)? { nil }
}
