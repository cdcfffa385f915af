import Contracts
import Logging
import ServiceLifecycle
import Synchronization

/// The share log of one gateway instance: an append-only RFC 9162 Merkle tree with signed checkpoints.
///
/// Many tasks append at once; one writer commits them in groups: every entry waiting when a commit starts
/// goes into the same transaction and the same fsync (group commit). ``append(_:)`` returns only once its
/// entry's transaction has committed durably; if it cannot, it throws and the entry is not in the log.
/// `seq` order is commit order. Checkpoints are written at every multiple of 1,000 entries and after 10
/// seconds of activity without one.
public final class ShareLog: Service, Sendable {
    public let origin: String
    let store: any LedgerStore
    let signer: CheckpointSigner
    let logger: Logger
    let checkpointEvery: Int
    let checkpointInterval: Int64
    let maxBatch: Int

    struct Pending {
        var draft: LogEntryDraft
        var prepared: PreparedEntry
        var continuation: CheckedContinuation<LoggedEntry, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var waiter: CheckedContinuation<Void, Never>?
        var accepting = false
        var stopping = false
        var size = 0
        var commits = 0
    }

    private let state = Mutex(State())

    /// Writer-only state (touched by the `run` task alone).
    final class WriterState: @unchecked Sendable {
        // Invariant: only the task running `run()` reads or writes these.
        var frontier = MerkleFrontier()
        var lastCheckpointSize = 0
        var lastCheckpointTime: Int64 = 0
        /// A commit failed: what the store holds may differ from `frontier` until it is read back.
        var needsResync = false
    }
    let writer = WriterState()

    public init(
        origin: String,
        store: any LedgerStore,
        signer: CheckpointSigner,
        logger: Logger,
        checkpointEvery: Int = 1000,
        checkpointIntervalSeconds: Int = 10,
        maxBatch: Int = 1000
    ) {
        self.origin = origin
        self.store = store
        self.signer = signer
        self.logger = logger
        self.checkpointEvery = checkpointEvery
        self.checkpointInterval = Int64(checkpointIntervalSeconds) * 1000
        self.maxBatch = maxBatch
    }

    func setSize(_ size: Int, commit: Bool = false) {
        state.withLock { state in
            state.size = size
            if commit { state.commits += 1 }
        }
    }

    func startAccepting() {
        state.withLock { $0.accepting = true }
    }

    /// Waits until the log takes appends (it has been opened), up to `timeout`.
    public func waitUntilAccepting(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !state.withLock({ $0.accepting }) {
            if ContinuousClock.now > deadline { throw LogError("the share log did not open in time") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// How many transactions have committed entries (group commit makes this far smaller than the entries).
    public var commitCount: Int { state.withLock { $0.commits } }

    /// Whether the log takes appends.
    public var isAccepting: Bool { state.withLock { $0.accepting } }

    /// The number of entries committed so far.
    public var size: Int { state.withLock { $0.size } }

    /// The verifier key auditors check checkpoints with (C2SP note verifier-key format).
    public var verifierKey: String { signer.verifierKeyString }

    /// Appends an entry; returns once it is durable. Throws ``LogError`` when it cannot be made durable.
    public func append(_ draft: LogEntryDraft) async throws -> LoggedEntry {
        let prepared: PreparedEntry
        do {
            prepared = try PreparedEntry(draft)
        } catch {
            throw LogError(
                "the entry cannot be canonicalised (it holds a non-integer number or a reserved member)",
                underlying: error
            )
        }
        return try await withCheckedThrowingContinuation { continuation in
            enum Outcome {
                case queued(CheckedContinuation<Void, Never>?)
                case refused
            }
            let outcome: Outcome = state.withLock { state in
                guard state.accepting else { return .refused }
                state.pending.append(Pending(draft: draft, prepared: prepared, continuation: continuation))
                defer { state.waiter = nil }
                return .queued(state.waiter)
            }
            switch outcome {
            case .queued(let waiter): waiter?.resume()
            case .refused: continuation.resume(throwing: LogError("the share log is not running"))
            }
        }
    }

    /// Opens the log (checking what is stored), then commits appends until shutdown.
    public func run() async throws {
        try await open()
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.tick() }
                    await self.writeLoop()
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            self.stop()
        }
    }

    /// Stops taking appends; the writer commits what is pending and a last checkpoint, then `run` returns.
    public func stop() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.stopping = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    private func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    private func tick() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            wake()
        }
    }

    private func writeLoop() async {
        while true {
            let (batch, stopping) = await nextBatch()
            if !batch.isEmpty {
                await commit(batch)
            } else {
                await checkpointIfDue(force: stopping)
            }
            if stopping && batch.isEmpty {
                state.withLock { $0.accepting = false }
                let leftovers = state.withLock { state -> [Pending] in
                    defer { state.pending = [] }
                    return state.pending
                }
                for pending in leftovers {
                    pending.continuation.resume(throwing: LogError("the share log is shutting down"))
                }
                return
            }
        }
    }

    /// Waits for pending appends, a tick or shutdown; takes a batch that ends at the next checkpoint boundary.
    private func nextBatch() async -> (batch: [Pending], stopping: Bool) {
        if let taken = takeBatch() { return taken }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if !state.pending.isEmpty || state.stopping { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        return takeBatch() ?? ([], false)
    }

    private func takeBatch() -> (batch: [Pending], stopping: Bool)? {
        state.withLock { state in
            if !state.pending.isEmpty {
                let room = checkpointEvery - (state.size % checkpointEvery)
                let count = min(state.pending.count, maxBatch, room)
                let batch = Array(state.pending.prefix(count))
                state.pending.removeFirst(count)
                return (batch, state.stopping)
            }
            return state.stopping ? ([], true) : nil
        }
    }
}
