import Contracts
import Synchronization

/// The erased and restricted subjects (by ref), read on the data plane for every share.
///
/// Like the consent cache it is trusted only while it is on: on PostgreSQL it is off until the change
/// listener hears other instances, and every check then reads the database.
public final class SubjectBlockCache: Sendable {
    private struct State {
        var enabled = true
        var generation = 0
        var blocks: SubjectBlocks?
    }

    let store: any RightsStore
    private let state = Mutex(State())

    public init(store: any RightsStore) {
        self.store = store
    }

    /// The current blocks.
    public func blocks() async throws -> SubjectBlocks {
        let (cached, generation) = state.withLock { state in
            (state.enabled ? state.blocks : nil, state.generation)
        }
        if let cached { return cached }
        let loaded = try await store.subjectBlocks()
        state.withLock { state in
            if state.enabled, state.generation == generation { state.blocks = loaded }
        }
        return loaded
    }

    public func setEnabled(_ enabled: Bool) {
        state.withLock { state in
            state.enabled = enabled
            state.generation += 1
            state.blocks = nil
        }
    }

    /// Forgets the cached blocks (after a change here or on another instance).
    public func invalidate() {
        state.withLock { state in
            state.generation += 1
            state.blocks = nil
        }
    }
}
