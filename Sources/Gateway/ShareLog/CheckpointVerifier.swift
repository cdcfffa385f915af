import Crypto
import Foundation

/// Verifies checkpoints (C2SP signed notes) against one log's verifier key.
///
/// `verify(_:)` parses the note, looks for the first signature line
/// whose key name and key ID are this key's (lines of other signers, such as
/// witnesses, are ignored), verifies its Ed25519 signature over the note text,
/// parses the text as a checkpoint and checks that its origin is the key name.
public struct CheckpointVerifier: Sendable {
    /// The log's verifier key.
    public let key: NoteVerifierKey
    private let publicKey: Curve25519.Signing.PublicKey

    /// A verifier for `key`.
    public init(key: NoteVerifierKey) throws {
        self.key = key
        do {
            self.publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: key.publicKey)
        } catch {
            throw CheckpointError(.malformedKey, "not an Ed25519 public key")
        }
    }

    /// A verifier for the verifier key string `verifierKey`
    /// (`<name>+<hex id>+<base64(0x01 || public key)>`).
    public init(verifierKey: String) throws {
        try self.init(key: NoteVerifierKey(parsing: verifierKey))
    }

    /// The checkpoint in `note`, once its signature by this key verifies.
    ///
    /// Throws ``CheckpointError`` with code `malformedNote`, `unknownKey`
    /// (no signature line for this key name and ID), `badSignature`,
    /// `malformedCheckpoint` or `originMismatch`, in that order of checks.
    public func verify(_ note: String) throws -> Checkpoint {
        try verify(bytes: Array(note.utf8))
    }

    /// Like `verify(_:)`, from the note's bytes (as read from a file).
    public func verify(bytes note: [UInt8]) throws -> Checkpoint {
        let text = try verifyNote(bytes: note)
        let checkpoint = try Checkpoint(body: text)
        guard checkpoint.origin == key.name else {
            throw CheckpointError(
                .originMismatch,
                "the checkpoint is for origin \"\(checkpoint.origin)\", the key is for \"\(key.name)\""
            )
        }
        return checkpoint
    }

    /// The text of a signed note whose signature by this key verifies.
    public func verifyNote(bytes note: [UInt8]) throws -> String {
        let parsed = try SignedNote(parsing: note)
        guard let line = parsed.signatures.first(where: { $0.name == key.name && $0.keyID == key.keyID }) else {
            throw CheckpointError(
                .unknownKey,
                "the note has no signature by key \(key.name)+\(NoteVerifierKey.hex(key.keyID))"
            )
        }
        guard line.signature.count == 64,
            publicKey.isValidSignature(line.signature, for: Array(parsed.text.utf8))
        else {
            throw CheckpointError(.badSignature, "the signature by \(key.name) does not verify")
        }
        return parsed.text
    }
}
