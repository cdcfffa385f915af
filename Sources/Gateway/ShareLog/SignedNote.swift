/// A C2SP signed note (https://c2sp.org/signed-note): UTF-8 text ending in a
/// newline, a blank line, then one or more signature lines
/// `— <key name> <base64(4-byte key ID || signature)>\n` (U+2014 EM DASH, space).
///
/// Parsing follows Go's `golang.org/x/mod/sumdb/note` `Open`: the note must be
/// UTF-8 without ASCII control characters other than newline; the text is
/// everything up to and including the newline before the LAST blank line; at
/// most 100 signature lines. Signatures are not verified here
/// (see ``CheckpointVerifier``).
public struct SignedNote: Equatable, Sendable {
    /// One signature line.
    public struct Signature: Equatable, Sendable {
        /// The signer's key name.
        public var name: String
        /// The signer's key ID (see ``NoteVerifierKey/keyID(name:publicKey:)``).
        public var keyID: UInt32
        /// The signature bytes (64 for Ed25519), without the key ID.
        public var signature: [UInt8]

        public init(name: String, keyID: UInt32, signature: [UInt8]) {
            self.name = name
            self.keyID = keyID
            self.signature = signature
        }

        /// The signature line, newline included.
        public var line: String {
            let id = withUnsafeBytes(of: keyID.bigEndian) { Array($0) }
            return "\(SignedNote.signaturePrefix)\(name) \(Base64.encode(id + signature))\n"
        }
    }

    /// The start of every signature line: U+2014 EM DASH and a space.
    public static let signaturePrefix = "\u{2014} "
    /// Go's limit on signature lines per note.
    public static let maximumSignatures = 100

    /// The signed text, final newline included.
    public var text: String
    /// The signature lines, in order.
    public var signatures: [Signature]

    public init(text: String, signatures: [Signature]) {
        self.text = text
        self.signatures = signatures
    }

    /// The note: text, blank line, signature lines.
    public var formatted: String {
        text + "\n" + signatures.map(\.line).joined()
    }

    /// Parses a note from its bytes; throws ``CheckpointError/Code/malformedNote``.
    public init(parsing bytes: [UInt8]) throws {
        func malformed(_ why: String) -> CheckpointError { CheckpointError(.malformedNote, why) }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw malformed("the note is not valid UTF-8")
        }
        guard !bytes.contains(where: { $0 < 0x20 && $0 != 0x0a }) else {
            throw malformed("the note contains a control character")
        }
        // The text ends at the last "\n\n": its first newline ends the text.
        var split: Int?
        if bytes.count >= 2 {
            for i in stride(from: bytes.count - 2, through: 0, by: -1) where bytes[i] == 0x0a && bytes[i + 1] == 0x0a {
                split = i
                break
            }
        }
        guard let split else { throw malformed("no blank line before the signatures") }
        let text = String(decoding: bytes[...split], as: UTF8.self)
        let block = bytes[(split + 2)...]
        guard let last = block.last, last == 0x0a else {
            throw malformed("the signature block is empty or does not end with a newline")
        }
        let prefix = Array(Self.signaturePrefix.utf8)
        var signatures: [Signature] = []
        for line in block.dropLast().split(separator: 0x0a, omittingEmptySubsequences: false) {
            guard line.starts(with: prefix) else {
                throw malformed("a signature line does not start with an em dash and a space")
            }
            let rest = line.dropFirst(prefix.count)
            guard let space = rest.firstIndex(of: 0x20) else { throw malformed("a signature line has no signature") }
            let name = String(decoding: rest[..<space], as: UTF8.self)
            do { try NoteVerifierKey.validate(name: name) } catch {
                throw malformed("a signature line has an invalid key name")
            }
            guard let blob = Base64.decode(String(decoding: rest[(space + 1)...], as: UTF8.self)), blob.count >= 5
            else {
                throw malformed("a signature line's signature is not base64 of a key ID and a signature")
            }
            let keyID = blob.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            signatures.append(Signature(name: name, keyID: keyID, signature: Array(blob.dropFirst(4))))
            guard signatures.count <= Self.maximumSignatures else {
                throw malformed("more than \(Self.maximumSignatures) signature lines")
            }
        }
        self.init(text: text, signatures: signatures)
    }

    /// Parses a note from its text.
    public init(parsing note: String) throws {
        try self.init(parsing: Array(note.utf8))
    }
}
