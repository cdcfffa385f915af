import Contracts

/// An admin-API role. Each token has exactly one.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    case admin
    case procurement
    case consent
    case auditor
}

/// A token's record; the token itself is never stored, only its SHA-256.
public struct TokenRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    public var role: Role
    public var createdAt: Timestamp
    public var revokedAt: Timestamp?

    public init(id: String, name: String, role: Role, createdAt: Timestamp, revokedAt: Timestamp? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// Where admin-API tokens are kept, as hashes.
public protocol TokenStore: Sendable {
    func insertToken(_ record: TokenRecord, hash: [UInt8]) async throws
    /// The unrevoked token whose hash is `hash`.
    func token(hash: [UInt8]) async throws -> TokenRecord?
    func tokens() async throws -> [TokenRecord]
    /// Revokes the token with `id` or `name`; returns whether one was revoked.
    func revokeToken(_ idOrName: String, at time: Timestamp) async throws -> Bool
}

/// One admin-API call, as recorded for auditors: who, what, when, outcome. Never a body or a query value.
public struct AdminCallRecord: Sendable, Hashable {
    public var id: Int64
    public var time: Timestamp
    public var principal: String
    public var role: String
    public var method: String
    /// The route pattern (`/v1/subjects/{id}/consents`), never a subject id.
    public var route: String
    public var status: Int
    public var outcome: String

    public init(
        id: Int64 = 0,
        time: Timestamp,
        principal: String,
        role: String,
        method: String,
        route: String,
        status: Int,
        outcome: String
    ) {
        self.id = id
        self.time = time
        self.principal = principal
        self.role = role
        self.method = method
        self.route = route
        self.status = status
        self.outcome = outcome
    }
}

/// Where admin calls are recorded.
public protocol AdminCallStore: Sendable {
    func recordCall(_ call: AdminCallRecord) async throws
    func calls(after cursor: Int64, limit: Int) async throws -> [AdminCallRecord]
}
