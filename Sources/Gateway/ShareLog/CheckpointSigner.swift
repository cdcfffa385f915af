import Crypto
import Foundation

/// Signs checkpoints as C2SP signed notes with the log's Ed25519 key.
///
/// The key name is the log's origin. The signature covers the note text
/// exactly (the checkpoint body, final newline included, not the blank line).
/// Its keys print in the Go `note` package's formats: ``verifierKey`` (public,
/// `<name>+<hex id>+<base64(0x01 || public key)>`) and ``privateKeyString``
/// (secret, `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`).
public struct CheckpointSigner: Sendable {
    /// The key name: the log's origin.
    public var name: String { verifierKey.name }
    /// The public half, as verifiers need it.
    public let verifierKey: NoteVerifierKey
    private let privateKey: Curve25519.Signing.PrivateKey

    /// A signer for the log `name` with `privateKey`.
    public init(privateKey: Curve25519.Signing.PrivateKey, name: String) throws {
        self.privateKey = privateKey
        self.verifierKey = try NoteVerifierKey(name: name, publicKey: Array(privateKey.publicKey.rawRepresentation))
    }

    /// A signer from a 32-byte Ed25519 seed (RFC 8032 private key).
    public init(seed: [UInt8], name: String) throws {
        guard seed.count == 32 else {
            throw CheckpointError(.malformedKey, "an Ed25519 seed is 32 bytes, not \(seed.count)")
        }
        try self.init(privateKey: Curve25519.Signing.PrivateKey(rawRepresentation: seed), name: name)
    }

    /// A signer from a private key string `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`.
    public init(privateKeyString text: String) throws {
        let parts = text.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else {
            throw CheckpointError(.malformedKey, "a private key has the form PRIVATE+KEY+<name>+<key id>+<key>")
        }
        guard parts[3].utf8.count == 8, let keyID = UInt32(parts[3], radix: 16) else {
            throw CheckpointError(.malformedKey, "the key ID of a private key is 8 hex digits")
        }
        guard let key = Base64.decode(parts[4]), key.count == 33,
            key[0] == NoteVerifierKey.ed25519SignatureType
        else { throw CheckpointError(.malformedKey, "the key of a private key is base64 of 0x01 and a 32-byte seed") }
        try self.init(seed: Array(key[1...]), name: String(parts[2]))
        guard verifierKey.keyID == keyID else {
            throw CheckpointError(.malformedKey, "the key ID does not match the key name and key")
        }
    }

    /// A signer with a new random key.
    public static func generate(name: String) throws -> CheckpointSigner {
        try CheckpointSigner(privateKey: Curve25519.Signing.PrivateKey(), name: name)
    }

    /// The verifier key string (``NoteVerifierKey/description``).
    public var verifierKeyString: String { verifierKey.description }

    /// The secret key string, to store where only the gateway can read it.
    public var privateKeyString: String {
        let seed = [NoteVerifierKey.ed25519SignatureType] + Array(privateKey.rawRepresentation)
        return "PRIVATE+KEY+\(name)+\(NoteVerifierKey.hex(verifierKey.keyID))+\(Base64.encode(seed))"
    }

    /// The signed note of `checkpoint`, whose origin must be this signer's name.
    public func sign(_ checkpoint: Checkpoint) throws -> String {
        try checkpoint.validate()
        guard checkpoint.origin == name else {
            throw CheckpointError(
                .originMismatch,
                "checkpoint origin \"\(checkpoint.origin)\" is not the key name \"\(name)\""
            )
        }
        return try signNote(text: checkpoint.body)
    }

    /// The signed note of the checkpoint of this log at `size` with `rootHash`.
    public func sign(size: Int, rootHash: [UInt8]) throws -> String {
        try sign(Checkpoint(origin: name, size: size, rootHash: rootHash))
    }

    /// A signed note of arbitrary `text` (non-empty, ending in a newline, no
    /// control characters other than newline).
    public func signNote(text: String) throws -> String {
        guard text.utf8.last == 0x0a else {
            throw CheckpointError(.malformedNote, "note text must end with a newline")
        }
        guard !text.utf8.contains(where: { $0 < 0x20 && $0 != 0x0a }) else {
            throw CheckpointError(.malformedNote, "note text contains a control character")
        }
        let signature = try privateKey.signature(for: Array(text.utf8))
        let line = SignedNote.Signature(name: name, keyID: verifierKey.keyID, signature: Array(signature))
        return SignedNote(text: text, signatures: [line]).formatted
    }
}
