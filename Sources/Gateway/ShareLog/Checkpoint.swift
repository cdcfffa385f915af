/// A signed tree head in the C2SP tlog-checkpoint format
/// (https://c2sp.org/tlog-checkpoint): the body of a signed note,
///
/// ```
/// <origin>\n
/// <tree size, decimal>\n
/// <root hash, standard base64>\n
/// ```
///
/// This log writes no extension lines. Parsing accepts (and ignores) non-empty
/// extension lines after the third, as the format allows; they are covered by
/// the signature like the rest of the body.
public struct Checkpoint: Hashable, Sendable {
    /// The log's origin (its unique name, e.g. `gateway.example/eu-1`); also
    /// the name of the log's signing key.
    public var origin: String
    /// Number of leaves in the tree.
    public var size: Int
    /// `MTH` of the first ``size`` leaves (32 bytes).
    public var rootHash: [UInt8]

    public init(origin: String, size: Int, rootHash: [UInt8]) {
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
    }

    /// The note body: origin, size and root lines, each ending in a newline.
    public var body: String {
        "\(origin)\n\(size)\n\(Base64.encode(rootHash))\n"
    }

    /// Throws ``CheckpointError/Code/malformedCheckpoint`` unless the
    /// checkpoint can be written: an origin that is a valid key name, a
    /// non-negative size and a 32-byte root hash.
    public func validate() throws {
        do { try NoteVerifierKey.validate(name: origin) } catch {
            throw CheckpointError(.invalidName, "the origin \"\(origin)\" cannot be a key name")
        }
        guard size >= 0 else { throw CheckpointError(.malformedCheckpoint, "the tree size is negative") }
        guard rootHash.count == MerkleTree.hashSize else {
            throw CheckpointError(.malformedCheckpoint, "the root hash is \(rootHash.count) bytes, not 32")
        }
    }

    /// Parses a checkpoint body (the text of a signed note).
    ///
    /// Requires a non-empty origin line, a decimal size without sign or
    /// leading zeros that fits in `Int`, and the canonical standard base64
    /// of a 32-byte root hash; throws ``CheckpointError/Code/malformedCheckpoint``.
    public init(body: String) throws {
        func malformed(_ why: String) -> CheckpointError { CheckpointError(.malformedCheckpoint, why) }
        guard body.utf8.last == 0x0a else { throw malformed("the checkpoint does not end with a newline") }
        let lines = body.utf8.dropLast().split(separator: 0x0a, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        guard lines.count >= 3 else { throw malformed("a checkpoint has an origin, a size and a root hash line") }
        guard !lines[0].isEmpty else { throw malformed("the origin line is empty") }
        let sizeLine = lines[1]
        guard !sizeLine.isEmpty, sizeLine.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            sizeLine == "0" || !sizeLine.hasPrefix("0"), let size = Int(sizeLine)
        else { throw malformed("the tree size \"\(sizeLine)\" is not a decimal number") }
        guard let root = Base64.decode(lines[2]), root.count == MerkleTree.hashSize else {
            throw malformed("the root hash is not base64 of 32 bytes")
        }
        guard lines.dropFirst(3).allSatisfy({ !$0.isEmpty }) else {
            throw malformed("a checkpoint has no empty lines")
        }
        self.init(origin: lines[0], size: size, rootHash: root)
    }
}
