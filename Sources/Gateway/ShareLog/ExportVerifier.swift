import Foundation

/// The offline `audit verify` core: checks a JSON Lines export of the share
/// log against a signed checkpoint.
///
/// Rules (DESIGN.md, "Share log"):
/// - the checkpoint note must carry a valid signature by the verifier key, and
///   its origin must be the key name;
/// - line `i` (0-based; every line ends in `\n`, which is not part of the
///   entry) is leaf `i`: its bytes exactly, hashed as `SHA-256(0x00 || bytes)`;
/// - the first N lines (N = the checkpoint's tree size) must hash to the
///   checkpoint's root; lines past N are reported as not yet covered;
/// - every line must be a JSON object whose `seq` is the integer `i` and whose
///   `origin` is the checkpoint's origin (the first violation is reported with
///   its line index, e.g. `line 6: seq 7, expected 6: ...`);
/// - fewer than N lines is a truncated export.
///
/// Checks run in stream order and stop at the first failure. Feed the export
/// in chunks of any size with `consume(_:)` and call
/// ``finish()``, or use the static `verify` helpers. Memory is O(log n) plus
/// the longest line.
public struct ExportVerifier: Sendable {
    /// The (already verified) checkpoint the export is checked against.
    public let checkpoint: Checkpoint
    private let origin: [UInt8]
    private var frontier = MerkleFrontier()
    private var lineCount = 0
    private var pending: [UInt8] = []
    private var failed: ExportVerificationResult?
    private var rootMatched: Bool

    /// A verifier against `checkpoint`, whose signature the caller has verified
    /// (see ``CheckpointVerifier``).
    public init(checkpoint: Checkpoint) {
        self.checkpoint = checkpoint
        self.origin = Array(checkpoint.origin.utf8)
        self.rootMatched = false
        if checkpoint.size == 0 { checkRoot() }
    }

    /// Whether a failure was found (further input is ignored).
    public var hasFailed: Bool { failed != nil }

    /// Feeds the next bytes of the export.
    public mutating func consume(_ chunk: UnsafeRawBufferPointer) {
        guard failed == nil, !chunk.isEmpty else { return }
        var start = 0
        if !pending.isEmpty {
            guard let newline = Self.newline(in: chunk, from: 0) else {
                pending.append(contentsOf: chunk)
                return
            }
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<newline]))
            let line = pending
            pending.removeAll(keepingCapacity: true)
            line.withUnsafeBytes { process(line: $0) }
            start = newline + 1
        }
        while failed == nil, start < chunk.count {
            guard let newline = Self.newline(in: chunk, from: start) else {
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start...]))
                return
            }
            process(line: UnsafeRawBufferPointer(rebasing: chunk[start..<newline]))
            start = newline + 1
        }
    }

    /// The offset of the first `\n` at or after `start`.
    private static func newline(in buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < buffer.count, let base = buffer.baseAddress,
            let found = memchr(base + start, 0x0a, buffer.count - start)
        else { return nil }
        return UnsafeRawPointer(found) - base
    }

    /// Feeds the next bytes of the export.
    public mutating func consume(_ chunk: [UInt8]) {
        chunk.withUnsafeBytes { consume($0) }
    }

    /// Ends the export and returns the verdict.
    public mutating func finish() -> ExportVerificationResult {
        if failed == nil, !pending.isEmpty {
            fail(
                .unterminatedLine,
                "line \(lineCount): not terminated by a newline (is the export cut short?)",
                line: lineCount
            )
        }
        if failed == nil, lineCount < checkpoint.size {
            fail(
                .truncated,
                "the export is truncated: it has \(lineCount) entries, the checkpoint covers \(checkpoint.size)"
            )
        }
        if let failed { return failed }
        let uncovered = lineCount - checkpoint.size
        return ExportVerificationResult(
            failure: nil,
            message: "\(checkpoint.size) entries verified against the checkpoint of \(checkpoint.origin) "
                + "(tree size \(checkpoint.size)); \(uncovered) entries not yet covered",
            verifiedCount: checkpoint.size,
            uncoveredCount: uncovered,
            checkpoint: checkpoint
        )
    }

    private mutating func process(line bytes: UnsafeRawBufferPointer) {
        let index = lineCount
        lineCount += 1
        let fields: ExportEntryScanner.Fields
        do {
            fields = try ExportEntryScanner.scan(bytes)
        } catch {
            switch error {
            case .notAnObject:
                return fail(.malformedEntry, "line \(index): not a JSON object", line: index)
            case .invalid(let detail):
                return fail(.malformedEntry, "line \(index): not valid JSON (\(detail))", line: index)
            }
        }
        if let duplicate = fields.duplicate {
            return fail(
                duplicate == "seq" ? .sequence : .origin,
                "line \(index): duplicate \"\(duplicate)\" member",
                line: index
            )
        }
        switch fields.seq {
        case .missing:
            return fail(.sequence, "line \(index): no \"seq\" member", line: index)
        case .notInteger:
            return fail(.sequence, "line \(index): \"seq\" is not an integer", line: index)
        case .outOfRange(let digits):
            return fail(
                .sequence,
                "line \(index): seq \(digits), expected \(index): an entry is missing or out of order",
                line: index
            )
        case .integer(let seq) where seq != index:
            return fail(
                .sequence,
                "line \(index): seq \(seq), expected \(index): an entry is missing or out of order",
                line: index
            )
        case .integer:
            break
        }
        switch fields.origin {
        case .missing:
            return fail(.origin, "line \(index): no \"origin\" member", line: index)
        case .notString:
            return fail(.origin, "line \(index): \"origin\" is not a string", line: index)
        case .string(let value) where value != origin:
            return fail(
                .origin,
                "line \(index): origin \"\(String(decoding: value, as: UTF8.self))\", expected \"\(checkpoint.origin)\": "
                    + "the entry belongs to another log",
                line: index
            )
        case .string:
            break
        }
        if index < checkpoint.size {
            frontier.appendWithoutReporting(leafHash: MerkleTree.leafHash(bytes: bytes))
            if index == checkpoint.size - 1 { checkRoot() }
        }
    }

    private mutating func checkRoot() {
        if frontier.root == checkpoint.rootHash {
            rootMatched = true
        } else {
            fail(
                .rootMismatch,
                "the first \(checkpoint.size) entries do not match the checkpoint's root hash: "
                    + "an entry was changed, inserted or removed"
            )
        }
    }

    private mutating func fail(_ failure: ExportVerificationResult.Failure, _ message: String, line: Int? = nil) {
        guard failed == nil else { return }
        failed = ExportVerificationResult(
            failure: failure,
            message: message,
            verifiedCount: rootMatched ? checkpoint.size : 0,
            uncoveredCount: max(0, lineCount - checkpoint.size),
            line: line,
            checkpoint: checkpoint
        )
    }

    // MARK: - One-call helpers

    /// Verifies the checkpoint note with the verifier key, then `export`.
    ///
    /// `verifierKey` is the key string; surrounding white space is ignored.
    public static func verify(export: [UInt8], checkpointNote: [UInt8], verifierKey: String) -> ExportVerificationResult
    {
        switch start(checkpointNote: checkpointNote, verifierKey: verifierKey) {
        case .failed(let result):
            return result
        case .started(var verifier):
            verifier.consume(export)
            return verifier.finish()
        }
    }

    /// Verifies the checkpoint note with the verifier key, then the export
    /// file at `path`, read in 1 MiB chunks.
    public static func verify(
        exportFileAt path: String,
        checkpointNote: [UInt8],
        verifierKey: String
    ) -> ExportVerificationResult {
        switch start(checkpointNote: checkpointNote, verifierKey: verifierKey) {
        case .failed(let result):
            return result
        case .started(var verifier):
            do {
                let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
                defer { try? handle.close() }
                while !verifier.hasFailed, let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
                    data.withUnsafeBytes { verifier.consume($0) }
                }
            } catch {
                return ExportVerificationResult(
                    failure: .unreadable,
                    message: "cannot read the export \(path): \(error)",
                    verifiedCount: 0,
                    uncoveredCount: 0,
                    checkpoint: verifier.checkpoint
                )
            }
            return verifier.finish()
        }
    }

    private enum Start {
        case started(ExportVerifier)
        case failed(ExportVerificationResult)
    }

    private static func start(
        checkpointNote: [UInt8],
        verifierKey: String
    ) -> Start {
        do {
            let key = verifierKey.trimmingCharacters(in: .whitespacesAndNewlines)
            let checkpoint = try CheckpointVerifier(verifierKey: key).verify(bytes: checkpointNote)
            return .started(ExportVerifier(checkpoint: checkpoint))
        } catch let error as CheckpointError {
            return .failed(
                ExportVerificationResult(
                    failure: .checkpoint,
                    message: "checkpoint: \(error.message)",
                    verifiedCount: 0,
                    uncoveredCount: 0,
                    checkpointError: error
                )
            )
        } catch {
            return .failed(
                ExportVerificationResult(
                    failure: .checkpoint,
                    message: "checkpoint: \(error)",
                    verifiedCount: 0,
                    uncoveredCount: 0
                )
            )
        }
    }
}
