import Contracts
import Logging

extension ShareLog {
    /// Commits a batch in one transaction; resumes every appender with its place or with the failure.
    func commit(_ batch: [Pending]) async {
        do {
            try await resyncIfNeeded()
        } catch {
            logger.error("share log cannot be read back", metadata: ["error": "\(error)"])
            for pending in batch {
                pending.continuation.resume(throwing: LogError("the share log cannot be written", underlying: error))
            }
            return
        }
        var frontier = writer.frontier
        let now = Timestamp.now()
        var rows: [LedgerEntryRow] = []
        rows.reserveCapacity(batch.count)
        var nodes: [MerkleNodeID: [UInt8]] = [:]
        var mappings: [SubjectRefMapping] = []
        var results: [Result<LoggedEntry, any Error>] = []
        results.reserveCapacity(batch.count)
        for pending in batch {
            let draft = pending.draft
            let seq = frontier.size
            let bytes: [UInt8]
            do {
                bytes = try pending.prepared.bytes(
                    seq: seq,
                    origin: origin,
                    time: now,
                    id: draft.id,
                    kind: draft.kind.rawValue
                )
            } catch {
                results.append(.failure(LogError("the entry cannot be canonicalised (it holds a non-integer number)")))
                continue
            }
            for (id, hash) in frontier.append(leafHash: MerkleTree.leafHash(bytes)) { nodes[id] = hash }
            rows.append(
                LedgerEntryRow(
                    origin: origin,
                    seq: seq,
                    id: draft.id,
                    time: now,
                    kind: draft.kind.rawValue,
                    vendor: draft.vendor,
                    purpose: draft.purpose,
                    decision: draft.decision,
                    shareID: draft.shareID,
                    subjectRefs: draft.subjectRefs,
                    reason: draft.reason,
                    bytes: bytes
                )
            )
            mappings += draft.mappings
            results.append(.success(LoggedEntry(origin: origin, seq: seq, id: draft.id, time: now)))
        }
        let checkpoint = dueCheckpoint(frontier: frontier, now: now, force: false)
        do {
            try await store.commit(
                origin: origin,
                entries: rows,
                nodes: nodes,
                checkpoint: checkpoint,
                mappings: mappings
            )
        } catch {
            logger.error("share log commit failed", metadata: ["log.entries": "\(rows.count)", "error": "\(error)"])
            writer.needsResync = true
            for pending in batch {
                pending.continuation.resume(throwing: LogError("the share log cannot be written", underlying: error))
            }
            return
        }
        writer.frontier = frontier
        if let checkpoint {
            writer.lastCheckpointSize = checkpoint.size
            writer.lastCheckpointTime = now.epochMilliseconds
        }
        setSize(frontier.size, commit: true)
        for (pending, result) in zip(batch, results) {
            pending.continuation.resume(with: result)
        }
    }

    /// An entry's leaf bytes: the draft's members with `seq`, `origin`, `time`, `id` and `kind`, in RFC 8785
    /// form.
    public static func entryBytes(_ draft: LogEntryDraft, seq: Int, origin: String, time: Timestamp) throws -> [UInt8] {
        try PreparedEntry(draft).bytes(seq: seq, origin: origin, time: time, id: draft.id, kind: draft.kind.rawValue)
    }

    /// A signed checkpoint for `frontier`, when one is due: at a multiple of `checkpointEvery`, after
    /// `checkpointInterval` of activity, or when forced (start-up, shutdown) and entries are uncovered.
    func dueCheckpoint(frontier: MerkleFrontier, now: Timestamp, force: Bool) -> StoredCheckpoint? {
        let size = frontier.size
        guard size > writer.lastCheckpointSize else { return nil }
        let atBoundary = size % checkpointEvery == 0
        let stale = now.epochMilliseconds - writer.lastCheckpointTime >= checkpointInterval
        guard atBoundary || stale || force else { return nil }
        let root = frontier.root
        do {
            let note = try signer.sign(size: size, rootHash: root)
            return StoredCheckpoint(origin: origin, size: size, rootHash: root, note: note, time: now)
        } catch {
            logger.error("checkpoint signing failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Writes a checkpoint on its own when one is due (ticks, shutdown).
    func checkpointIfDue(force: Bool) async {
        guard (try? await resyncIfNeeded()) != nil else { return }
        let now = Timestamp.now()
        guard let checkpoint = dueCheckpoint(frontier: writer.frontier, now: now, force: force) else { return }
        do {
            try await store.commit(origin: origin, entries: [], nodes: [:], checkpoint: checkpoint, mappings: [])
            writer.lastCheckpointSize = checkpoint.size
            writer.lastCheckpointTime = now.epochMilliseconds
        } catch {
            logger.error("checkpoint commit failed", metadata: ["error": "\(error)"])
            writer.needsResync = true
        }
    }
}
