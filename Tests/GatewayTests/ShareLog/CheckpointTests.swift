import Foundation
import Testing

@testable import Gateway

@Suite struct CheckpointTests {
    static let origin = "test.example/eu-1"
    /// Seed 0x00, 0x01, ..., 0x1f.
    static let seed = (0..<32).map { UInt8($0) }
    static let ctRoot8 = LedgerTestSupport.bytes(
        hex: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )

    // Computed independently with Python `cryptography` (Ed25519 over the
    // body, key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4]).
    static let expectedVerifierKey = "test.example/eu-1+7fa5a54c+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
    static let expectedPrivateKey =
        "PRIVATE+KEY+test.example/eu-1+7fa5a54c+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"
    static let expectedNote = """
        test.example/eu-1
        8
        XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=

        \u{2014} test.example/eu-1 f6WlTK6rTRXVcrC/K51zhtXA2kmWrZywBUlPjY23xcQOJMaVZl5xyEgwv05zVFymJCd73ewrVVguI5XpU/9/xZ6qjw4=

        """

    // The example of Go's golang.org/x/mod/sumdb/note documentation.
    static let goPrivateKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let goVerifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let goText =
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let goNote =
        goText
        + "\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    func signer() throws -> CheckpointSigner { try CheckpointSigner(seed: Self.seed, name: Self.origin) }

    func expectError(
        _ code: CheckpointError.Code,
        _ body: () throws -> Void,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            try body()
            Issue.record("expected \(code.rawValue), got success", sourceLocation: sourceLocation)
        } catch let error as CheckpointError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func keysMatchIndependentlyComputedStrings() throws {
        let signer = try signer()
        #expect(signer.verifierKeyString == Self.expectedVerifierKey)
        #expect(signer.privateKeyString == Self.expectedPrivateKey)
        #expect(signer.verifierKey.keyID == 0x7fa5_a54c)
        let reparsed = try CheckpointSigner(privateKeyString: Self.expectedPrivateKey)
        #expect(reparsed.verifierKeyString == Self.expectedVerifierKey)
        #expect(try NoteVerifierKey(parsing: Self.expectedVerifierKey) == signer.verifierKey)
    }

    @Test func goReferenceNote() throws {
        let signer = try CheckpointSigner(privateKeyString: Self.goPrivateKey)
        #expect(signer.verifierKeyString == Self.goVerifierKey)
        #expect(try signer.signNote(text: Self.goText) == Self.goNote)  // Ed25519 is deterministic
        let verifier = try CheckpointVerifier(verifierKey: Self.goVerifierKey)
        #expect(try verifier.verifyNote(bytes: Array(Self.goNote.utf8)) == Self.goText)
        // Not a checkpoint, though.
        expectError(.malformedCheckpoint) { _ = try verifier.verify(Self.goNote) }
    }

    @Test func checkpointNoteMatchesIndependentlySignedNote() throws {
        let note = try signer().sign(size: 8, rootHash: Self.ctRoot8)
        #expect(note == Self.expectedNote)
        let checkpoint = try CheckpointVerifier(verifierKey: Self.expectedVerifierKey).verify(Self.expectedNote)
        #expect(checkpoint == Checkpoint(origin: Self.origin, size: 8, rootHash: Self.ctRoot8))
    }

    @Test func roundTrip() throws {
        let signer = try CheckpointSigner.generate(name: "gateway.example/eu-1")
        let verifier = try CheckpointVerifier(verifierKey: signer.verifierKeyString)
        for size in [0, 1, 1_000, Int.max] {
            let root = size == 0 ? MerkleTree.emptyRoot : MerkleTree.leafHash(Array(String(size).utf8))
            let note = try signer.sign(size: size, rootHash: root)
            #expect(try verifier.verify(note) == Checkpoint(origin: "gateway.example/eu-1", size: size, rootHash: root))
        }
    }

    @Test func tamperedNotesFail() throws {
        let verifier = try CheckpointVerifier(verifierKey: Self.expectedVerifierKey)
        let note = Self.expectedNote
        expectError(.badSignature) { _ = try verifier.verify(note.replacingOccurrences(of: "\n8\n", with: "\n9\n")) }
        expectError(.badSignature) {
            _ = try verifier.verify(note.replacingOccurrences(of: "XcnaeacG", with: "XcnaeacH"))
        }
        expectError(.badSignature) {
            _ = try verifier.verify(note.replacingOccurrences(of: "test.example/eu-1\n8", with: "test.example/eu-2\n8"))
        }
        expectError(.badSignature) {
            _ = try verifier.verify(note.replacingOccurrences(of: "f6WlTK6r", with: "f6WlTK6s"))
        }
        // A changed key ID or name is no longer this key's signature.
        expectError(.unknownKey) {
            _ = try verifier.verify(note.replacingOccurrences(of: "f6WlTK6r", with: "f6XlTK6r"))
        }
        expectError(.unknownKey) {
            _ = try verifier.verify(
                note.replacingOccurrences(of: "\u{2014} test.example/eu-1", with: "\u{2014} test.example/eu-2")
            )
        }
    }

    @Test func signatureByAnotherKeyFails() throws {
        let other = try CheckpointSigner(seed: [UInt8](repeating: 7, count: 32), name: Self.origin)
        let note = try other.sign(size: 8, rootHash: Self.ctRoot8)
        expectError(.unknownKey) { _ = try CheckpointVerifier(verifierKey: Self.expectedVerifierKey).verify(note) }
        // Same key ID and name forged onto another key's signature: bad signature.
        let otherLine = try SignedNote(parsing: note).signatures[0]
        let forged = SignedNote(
            text: Checkpoint(origin: Self.origin, size: 8, rootHash: Self.ctRoot8).body,
            signatures: [SignedNote.Signature(name: Self.origin, keyID: 0x7fa5_a54c, signature: otherLine.signature)]
        )
        expectError(.badSignature) {
            _ = try CheckpointVerifier(verifierKey: Self.expectedVerifierKey).verify(forged.formatted)
        }
    }

    @Test func extraUnknownSignerLinesAreIgnored() throws {
        let witness = try CheckpointSigner(seed: [UInt8](repeating: 9, count: 32), name: "witness.example")
        let body = Checkpoint(origin: Self.origin, size: 8, rootHash: Self.ctRoot8).body
        let witnessLine = try SignedNote(parsing: witness.signNote(text: body)).signatures[0]
        let ours = try SignedNote(parsing: Self.expectedNote).signatures[0]
        let verifier = try CheckpointVerifier(verifierKey: Self.expectedVerifierKey)
        for order in [[witnessLine, ours], [ours, witnessLine]] {
            let note = SignedNote(text: body, signatures: order).formatted
            #expect(try verifier.verify(note).size == 8)
        }
        // Only the witness signed: unknown key.
        expectError(.unknownKey) {
            _ = try verifier.verify(SignedNote(text: body, signatures: [witnessLine]).formatted)
        }
    }

    @Test func originMustBeTheKeyName() throws {
        // Signed with the right key and key name, but for another origin.
        let signer = try signer()
        let body = Checkpoint(origin: "other.example/eu-1", size: 8, rootHash: Self.ctRoot8).body
        let note = try signer.signNote(text: body)
        expectError(.originMismatch) { _ = try CheckpointVerifier(verifierKey: Self.expectedVerifierKey).verify(note) }
        expectError(.originMismatch) {
            _ = try signer.sign(Checkpoint(origin: "other.example/eu-1", size: 8, rootHash: Self.ctRoot8))
        }
        // The same key under another name has another key ID.
        let renamed = try CheckpointSigner(seed: Self.seed, name: "other.example/eu-1")
        expectError(.unknownKey) {
            _ = try CheckpointVerifier(verifierKey: Self.expectedVerifierKey).verify(
                renamed.sign(size: 8, rootHash: Self.ctRoot8)
            )
        }
    }

    @Test func malformedNotes() throws {
        let verifier = try CheckpointVerifier(verifierKey: Self.expectedVerifierKey)
        let note = Self.expectedNote
        expectError(.malformedNote) { _ = try verifier.verify("") }
        expectError(.malformedNote) { _ = try verifier.verify(String(note.dropLast())) }  // no final newline
        expectError(.malformedNote) { _ = try verifier.verify(note.replacingOccurrences(of: "\n\n", with: "\n")) }
        expectError(.malformedNote) { _ = try verifier.verify(note.replacingOccurrences(of: "\u{2014}", with: "-")) }
        expectError(.malformedNote) { _ = try verifier.verify(note.replacingOccurrences(of: "\n8\n", with: "\n8\r\n")) }
        expectError(.malformedNote) { _ = try verifier.verify(note.replacingOccurrences(of: "qjw4=", with: "qjw4")) }
        expectError(.malformedNote) { _ = try verifier.verify(note + "\n") }
        expectError(.malformedNote) { _ = try verifier.verify(bytes: Array(note.utf8) + [0xff, 0x0a]) }
        // 101 signature lines.
        let line = try SignedNote(parsing: note).signatures[0]
        let many = SignedNote(
            text: Checkpoint(origin: Self.origin, size: 8, rootHash: Self.ctRoot8).body,
            signatures: Array(repeating: line, count: 101)
        )
        expectError(.malformedNote) { _ = try verifier.verify(many.formatted) }
    }

    @Test func malformedCheckpointBodies() throws {
        let signer = try signer()
        let verifier = try CheckpointVerifier(verifierKey: Self.expectedVerifierKey)
        let root = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="
        for body in [
            "test.example/eu-1\n8\n",  // no root
            "test.example/eu-1\n08\n\(root)\n",  // leading zero
            "test.example/eu-1\n-8\n\(root)\n",  // sign
            "test.example/eu-1\n+8\n\(root)\n",
            "test.example/eu-1\n 8\n\(root)\n",
            "test.example/eu-1\n99999999999999999999\n\(root)\n",  // overflow
            "test.example/eu-1\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQw==\n",  // 31 bytes
            "test.example/eu-1\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=\n",  // non-canonical
            "test.example/eu-1\n8\n\(root)\n\nextension\n",
            "\n8\n\(root)\n",
        ] {
            expectError(.malformedCheckpoint) { _ = try verifier.verify(signer.signNote(text: body)) }
        }
        // Extension lines are allowed, and signed like the rest.
        let withExtension = try signer.signNote(text: "test.example/eu-1\n8\n\(root)\nsome extension\n")
        #expect(try verifier.verify(withExtension).rootHash == Self.ctRoot8)
        #expect(try Checkpoint(body: "a\n0\n\(Base64.encode(MerkleTree.emptyRoot))\n").size == 0)
    }

    @Test func malformedKeys() throws {
        for key in [
            "", "test.example/eu-1", "test.example/eu-1+7fa5a54c",
            "test.example/eu-1+7fa5a54d+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4",  // wrong ID
            "test.example/eu-2+7fa5a54c+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4",  // wrong name
            "test.example/eu-1+7fa5a54+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4",  // short ID
            "test.example/eu-1+7fa5a54c+AgOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4",  // signature type 2
            "test.example/eu-1+7fa5a54c+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTE=",  // 32 bytes
        ] {
            #expect(throws: CheckpointError.self, "\(key)") { _ = try CheckpointVerifier(verifierKey: key) }
        }
        #expect(throws: CheckpointError.self) { _ = try CheckpointSigner(seed: Self.seed, name: "has space") }
        #expect(throws: CheckpointError.self) { _ = try CheckpointSigner(seed: Self.seed, name: "a+b") }
        #expect(throws: CheckpointError.self) { _ = try CheckpointSigner(seed: Self.seed, name: "") }
        #expect(throws: CheckpointError.self) { _ = try CheckpointSigner(seed: [1, 2, 3], name: "a") }
        #expect(throws: CheckpointError.self) {
            _ = try CheckpointSigner(
                privateKeyString: Self.expectedPrivateKey.replacingOccurrences(of: "7fa5a54c", with: "7fa5a54d")
            )
        }
        // Uppercase hex key IDs are accepted, as in Go.
        #expect(
            try NoteVerifierKey(
                parsing: Self.expectedVerifierKey.replacingOccurrences(of: "7fa5a54c", with: "7FA5A54C")
            )
            .description == Self.expectedVerifierKey
        )
    }
}
