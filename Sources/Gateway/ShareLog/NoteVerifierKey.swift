import Crypto

/// An Ed25519 note verifier key, as in C2SP signed-note and Go's
/// `golang.org/x/mod/sumdb/note`: `<name>+<key ID, 8 hex>+<base64(0x01 || public key)>`.
///
/// The key ID is the first 4 bytes (big-endian) of
/// `SHA-256(name || 0x0A || 0x01 || public key)`, 0x01 being the Ed25519
/// signature type.
public struct NoteVerifierKey: Hashable, Sendable, CustomStringConvertible {
    /// The signature type byte of Ed25519 in signed notes.
    public static let ed25519SignatureType: UInt8 = 0x01

    /// The key name; for a log, its origin.
    public let name: String
    /// The 4-byte key ID, big-endian.
    public let keyID: UInt32
    /// The raw 32-byte Ed25519 public key.
    public let publicKey: [UInt8]

    /// The key for `publicKey` under `name`.
    public init(name: String, publicKey: [UInt8]) throws {
        try Self.validate(name: name)
        guard publicKey.count == 32 else {
            throw CheckpointError(.malformedKey, "an Ed25519 public key is 32 bytes, not \(publicKey.count)")
        }
        self.name = name
        self.publicKey = publicKey
        self.keyID = Self.keyID(name: name, publicKey: publicKey)
    }

    /// Parses a verifier key string `<name>+<hex key ID>+<base64(0x01 || key)>`.
    ///
    /// The key ID must match the name and key; only Ed25519 keys are accepted.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw CheckpointError(.malformedKey, "a verifier key has the form <name>+<key id>+<key>")
        }
        let name = String(parts[0])
        try Self.validate(name: name)
        guard parts[1].utf8.count == 8, let keyID = UInt32(parts[1], radix: 16) else {
            throw CheckpointError(.malformedKey, "the key ID of a verifier key is 8 hex digits")
        }
        guard let key = Base64.decode(parts[2]), key.count == 33 else {
            throw CheckpointError(.malformedKey, "the key of a verifier key is base64 of 33 bytes")
        }
        guard key[0] == Self.ed25519SignatureType else {
            throw CheckpointError(.malformedKey, "unsupported signature type \(key[0]) (only Ed25519, 1)")
        }
        try self.init(name: name, publicKey: Array(key[1...]))
        guard self.keyID == keyID else {
            throw CheckpointError(.malformedKey, "the key ID does not match the key name and public key")
        }
    }

    /// The verifier key string, key ID in lowercase hex.
    public var description: String {
        "\(name)+\(Self.hex(keyID))+\(Base64.encode([Self.ed25519SignatureType] + publicKey))"
    }

    /// `SHA-256(name || 0x0A || 0x01 || publicKey)[0..<4]`, big-endian.
    public static func keyID(name: String, publicKey: [UInt8]) -> UInt32 {
        var hasher = SHA256()
        let prefix = Array(name.utf8) + [0x0a, ed25519SignatureType] + publicKey
        prefix.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize().withUnsafeBytes { digest in
            digest.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
    }

    /// Whether `name` may be a key name: non-empty, no Unicode white space, no `+`
    /// (the rules of Go's note package); throws ``CheckpointError/Code/invalidName``.
    public static func validate(name: String) throws {
        guard !name.isEmpty,
            !name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0 == "+" || $0.value < 0x20 })
        else {
            throw CheckpointError(
                .invalidName,
                "a key name must be non-empty, without spaces, control characters or '+'"
            )
        }
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
