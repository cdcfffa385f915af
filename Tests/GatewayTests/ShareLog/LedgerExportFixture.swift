@testable import Gateway

/// A genuine share-log export and checkpoints over it, for the verifier tests.
struct LedgerExportFixture {
    static let origin = "test.example/eu-1"
    static let seed = (0..<32).map { UInt8($0) }

    let signer: CheckpointSigner
    /// The export lines, without their newlines.
    let lines: [[UInt8]]

    init(count: Int = 50) throws {
        signer = try CheckpointSigner(seed: Self.seed, name: Self.origin)
        lines = (0..<count).map { Self.entry(seq: $0) }
    }

    /// One canonical (RFC 8785, keys sorted) share entry.
    static func entry(seq: Int, origin: String = origin) -> [UInt8] {
        let subject = String(repeating: String(seq, radix: 16), count: 3)
        let text =
            #"{"consentRefs":["c-\#(seq)"],"contract":{"digest":"sha256:ab","id":"dpa-acme","version":2},"#
            + #""decision":"shared","fields":[{"action":"pass","category":"contact.email","path":"$.email","reason":"consented"}],"#
            + #""id":"e-\#(seq)","kind":"share","method":"POST","operation":"track","origin":"\#(origin)","purpose":"analytics","#
            + #""reason":null,"records":{"received":1,"sent":1},"seq":\#(seq),"service":"web","#
            + #""subjectRefs":["\#(subject)"],"time":"2026-01-01T00:00:00Z","vendor":"acme"}"#
        return Array(text.utf8)
    }

    /// The export bytes of `lines`: each line followed by a newline.
    static func export(_ lines: [[UInt8]]) -> [UInt8] {
        lines.flatMap { $0 + [0x0a] }
    }

    var export: [UInt8] { Self.export(lines) }

    /// The root hash of the first `size` lines.
    func root(_ size: Int) -> [UInt8] {
        MerkleTree.rootHash(leafHashes: lines[..<size].map { MerkleTree.leafHash($0) })
    }

    /// A checkpoint note over the first `size` lines, signed by the log's key.
    func note(size: Int) throws -> String {
        try signer.sign(size: size, rootHash: root(size))
    }

    var verifierKey: String { signer.verifierKeyString }
}
