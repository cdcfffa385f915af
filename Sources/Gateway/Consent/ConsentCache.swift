import Contracts
import Synchronization

/// Consent lookups for the hot path: the records of a subject, cached, dropped at once when they change.
///
/// A read that started before a change never refills the cache with what it read (a generation counter
/// guards the fill), so a withdrawal is seen by the very next request.
public final class ConsentCache: Sendable {
    let store: any ConsentStore
    let capacity: Int
    private let state = Mutex<State>(State())

    private struct State {
        var generation = 0
        var entries: [Identifier: [ConsentRecord]] = [:]
        /// Off while changes from other instances cannot be heard: every lookup then reads the store.
        var enabled = true
    }

    public init(store: any ConsentStore, capacity: Int = 100_000) {
        self.store = store
        self.capacity = capacity
    }

    /// Every record of these subjects.
    public func records(subjects: [String]) async throws -> [ConsentRecord] {
        var found: [ConsentRecord] = []
        var missing: [String] = []
        let generation = state.withLock { state -> Int in
            guard state.enabled else {
                missing = subjects
                return -1
            }
            for subject in subjects {
                if let cached = state.entries[Identifier(subject)] { found += cached } else { missing.append(subject) }
            }
            return state.generation
        }
        guard !missing.isEmpty else { return found }
        let loaded = try await store.records(subjects: missing)
        var bySubject: [Identifier: [ConsentRecord]] = [:]
        for subject in missing { bySubject[Identifier(subject)] = [] }
        for record in loaded { bySubject[Identifier(record.subject), default: []].append(record) }
        state.withLock { state in
            guard state.enabled, state.generation == generation else { return }
            if state.entries.count + bySubject.count > capacity {
                // Crude but bounded: start over rather than track recency on the hot path.
                state.entries.removeAll(keepingCapacity: true)
            }
            state.entries.merge(bySubject) { _, new in new }
        }
        return found + loaded
    }

    /// Turns caching on or off; either way the cache starts empty.
    public func setEnabled(_ enabled: Bool) {
        state.withLock { state in
            state.enabled = enabled
            state.generation += 1
            state.entries.removeAll()
        }
    }

    /// Drops cached records of these subjects (nil: all).
    public func invalidate(subjects: [String]? = nil) {
        state.withLock { state in
            state.generation += 1
            if let subjects {
                for subject in subjects { state.entries[Identifier(subject)] = nil }
            } else {
                state.entries.removeAll()
            }
        }
    }
}
