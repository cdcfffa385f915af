import Contracts
import Crypto
import Foundation
import Synchronization

/// The gateway's secrets, made on first start.
///
/// - the log signing key (Ed25519), one per instance: `log-signing.key` in `data.dir`, mode 0600;
/// - the subject-ref key: HMAC-SHA256 key turning subject ids into the log's `subjectRef`s;
/// - the vendor-hash key: the root of the per-vendor keys the `hash` transform uses.
///
/// The last two must be the same on every instance that shares a database: with SQLite they live in
/// `data.dir`; with PostgreSQL in the database (see ``SharedSecretStore``).
public struct GatewayKeys: Sendable {
    public let signer: CheckpointSigner
    public let subjectRefKey: SymmetricKey
    public let vendorHashKey: SymmetricKey
    private let vendorKeys = VendorKeyCache()

    public init(signer: CheckpointSigner, subjectRefKey: SymmetricKey, vendorHashKey: SymmetricKey) {
        self.signer = signer
        self.subjectRefKey = subjectRefKey
        self.vendorHashKey = vendorHashKey
    }

    /// Loads (or makes) the keys in `directory`; the signer is named after the log's `origin`.
    public static func load(
        directory: String,
        origin: String,
        shared: (any SharedSecretStore)? = nil
    ) async throws -> GatewayKeys {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let signingPath = directory + "/log-signing.key"
        let seed: [UInt8]
        if let text = try? String(contentsOfFile: signingPath, encoding: .utf8) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            _ = try CheckpointSigner(privateKeyString: trimmed)  // well-formed
            // PRIVATE+KEY+<name>+<hex id>+<base64>: the base64 part may itself hold `+`.
            let parts = trimmed.split(separator: "+", omittingEmptySubsequences: false)
            guard parts.count >= 5, let decoded = Data(base64Encoded: parts[4...].joined(separator: "+")),
                decoded.count == 33
            else {
                throw StorageError(.corrupt, "the log signing key in \(signingPath) is malformed")
            }
            seed = Array(decoded.dropFirst())
        } else {
            let key = Curve25519.Signing.PrivateKey()
            seed = Array(key.rawRepresentation)
            let signer = try CheckpointSigner(seed: seed, name: origin)
            try writeSecret(signer.privateKeyString + "\n", to: signingPath)
        }
        let signer = try CheckpointSigner(seed: seed, name: origin)
        let subjectRefKey: [UInt8]
        let vendorHashKey: [UInt8]
        if let shared {
            subjectRefKey = try await shared.secret(named: "subject-ref-key")
            vendorHashKey = try await shared.secret(named: "vendor-hash-key")
        } else {
            subjectRefKey = try fileSecret(directory + "/subject-ref.key")
            vendorHashKey = try fileSecret(directory + "/vendor-hash.key")
        }
        return GatewayKeys(
            signer: signer,
            subjectRefKey: SymmetricKey(data: subjectRefKey),
            vendorHashKey: SymmetricKey(data: vendorHashKey)
        )
    }

    /// The `subjectRef` of a subject id: lowercase hex HMAC-SHA256 under the subject-ref key.
    public func subjectRef(_ subject: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(subject.utf8), using: subjectRefKey)
        return Hex.encode(Array(mac))
    }

    /// The key the `hash` transform uses for `vendor`: HKDF from the vendor-hash key, so the same value
    /// hashes differently for each vendor.
    public func hashKey(forVendor vendor: String) -> SymmetricKey {
        if let key = vendorKeys.keys.withLock({ $0[vendor] }) { return key }
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: vendorHashKey,
            info: Array("vendor-gateway hash transform v1 \(vendor)".utf8),
            outputByteCount: 32
        )
        vendorKeys.keys.withLock { $0[vendor] = key }
        return key
    }

    /// The key paging cursors are authenticated with.
    public var cursorKey: SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: subjectRefKey,
            info: Array("vendor-gateway cursor v1".utf8),
            outputByteCount: 32
        )
    }

    static func fileSecret(_ path: String) throws -> [UInt8] {
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
            let bytes = Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)),
            bytes.count == 32
        {
            return bytes
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        try writeSecret(Hex.encode(bytes) + "\n", to: path)
        return bytes
    }

    static func writeSecret(_ text: String, to path: String) throws {
        guard
            FileManager.default.createFile(
                atPath: path,
                contents: Data(text.utf8),
                attributes: [.posixPermissions: 0o600]
            )
        else {
            throw StorageError(.unavailable, "cannot write the key file \(path)")
        }
    }
}

/// Derived per-vendor keys, kept once made.
final class VendorKeyCache: Sendable {
    let keys = Mutex<[String: SymmetricKey]>([:])
}

/// Secrets shared by every instance on one database (PostgreSQL).
public protocol SharedSecretStore: Sendable {
    /// The secret named `name`, made (32 random bytes) by whichever instance asks first.
    func secret(named name: String) async throws -> [UInt8]
}

/// Lowercase hexadecimal.
public enum Hex {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 2 == 0 else { return nil }
        func value(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 2)
        var index = 0
        while index < bytes.count {
            guard let high = value(bytes[index]), let low = value(bytes[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
