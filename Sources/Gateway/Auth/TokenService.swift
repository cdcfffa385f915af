import Contracts
import Crypto
import Foundation

/// A caller of the admin API, as its token names it.
public struct Principal: Sendable, Hashable {
    /// The token's name (the person or system), used as the principal in approvals and the call log.
    public var name: String
    public var role: Role
    public var tokenID: String
}

/// Issues, checks and revokes admin-API bearer tokens. Tokens are 256 random bits; only their SHA-256 is
/// stored, so a database copy holds no usable token.
public struct TokenService: Sendable {
    let store: any TokenStore

    public init(store: any TokenStore) {
        self.store = store
    }

    public static let prefix = "gwt_"

    /// Makes a token; the token itself is returned once and never stored.
    public func issue(
        role: Role,
        name: String,
        at time: Timestamp = .now()
    ) async throws -> (token: String, record: TokenRecord) {
        guard !name.isEmpty, name.utf8.count <= 64, name.utf8.allSatisfy(DataPathByte.isServiceNameByte) else {
            throw StorageError(.invalid, "a token name is 1 to 64 characters of a-z, A-Z, 0-9, '-', '_' and '.'")
        }
        var secret = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in secret.indices { secret[index] = generator.next() }
        let token = Self.prefix + Base64URL.encode(secret)
        let record = TokenRecord(
            id: "tok_" + String(UUID().uuidString.lowercased().prefix(13)),
            name: name,
            role: role,
            createdAt: time
        )
        try await store.insertToken(record, hash: Self.hash(token))
        return (token, record)
    }

    /// The principal a presented token stands for, or nil.
    public func principal(for token: String) async throws -> Principal? {
        guard token.hasPrefix(Self.prefix), token.utf8.count < 200 else { return nil }
        guard let record = try await store.token(hash: Self.hash(token)) else { return nil }
        return Principal(name: record.name, role: record.role, tokenID: record.id)
    }

    public func revoke(_ idOrName: String) async throws -> Bool {
        try await store.revokeToken(idOrName, at: .now())
    }

    static func hash(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }
}

/// Base64url without padding.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("="), !base64.contains("\n") else { return nil }
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
