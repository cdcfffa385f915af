import Contracts
import Logging

extension ShareLog {
    /// Reads the stored log back and checks that it holds together before taking appends: the frontier
    /// rebuilt from stored nodes, the latest checkpoint's signature, and the checkpoint's root recomputed from
    /// stored nodes. A log that does not hold together is not continued (fail closed).
    func open() async throws {
        try await store.registerOrigin(origin, verifierKey: signer.verifierKeyString, at: .now())
        let checkpointNote = try await load()
        logger.info(
            "share log consistent",
            metadata: [
                "log.origin": "\(origin)", "log.size": "\(writer.frontier.size)", "log.checkpoint": "\(checkpointNote)",
            ]
        )
        // Cover a tail left by a crash before its checkpoint.
        await checkpointIfDue(force: true)
        startAccepting()
    }

    /// After a commit whose outcome is unknown (the connection dropped during it), reads the log's state back
    /// from the store before committing again, so a commit that did reach the disk is not written twice.
    func resyncIfNeeded() async throws {
        guard writer.needsResync else { return }
        _ = try await load()
        writer.needsResync = false
        logger.notice(
            "share log state reloaded after a failed commit",
            metadata: ["log.size": "\(writer.frontier.size)"]
        )
    }

    /// Loads and checks the stored state; returns a description of the checkpoint check.
    private func load() async throws -> String {
        let size = try await store.ledgerSize(origin: origin)
        let frontierIDs = MerkleFrontier.nodeIDs(forSize: size)
        let stored = try await store.nodeHashes(origin: origin, frontierIDs)
        let frontier: MerkleFrontier
        do {
            frontier = try MerkleFrontier(size: size, hashes: stored)
        } catch {
            throw StorageError(
                .corrupt,
                "the share log of \(origin) has \(size) entries but its tree is incomplete: \(error)"
            )
        }
        var checkpointNote = "no checkpoint yet"
        if let checkpoint = try await store.latestCheckpoint(origin: origin) {
            guard checkpoint.size <= size else {
                throw StorageError(.corrupt, "checkpoint at \(checkpoint.size) is beyond the log's \(size) entries")
            }
            let verified = try CheckpointVerifier(verifierKey: signer.verifierKeyString).verify(checkpoint.note)
            guard verified.size == checkpoint.size, verified.rootHash == checkpoint.rootHash else {
                throw StorageError(.corrupt, "checkpoint at \(checkpoint.size) does not match its signed note")
            }
            let root = try await LedgerProofs(store: store, origin: origin).treeHead(size: checkpoint.size)
            guard root == checkpoint.rootHash else {
                throw StorageError(.corrupt, "the tree at \(checkpoint.size) does not match the signed checkpoint")
            }
            writer.lastCheckpointSize = checkpoint.size
            writer.lastCheckpointTime = checkpoint.time.epochMilliseconds
            checkpointNote = "checkpoint at \(checkpoint.size) verified"
        }
        if writer.lastCheckpointTime == 0 { writer.lastCheckpointTime = Timestamp.now().epochMilliseconds }
        writer.frontier = frontier
        setSize(size)
        return checkpointNote
    }
}
