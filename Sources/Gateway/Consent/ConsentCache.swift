import Contracts
import Synchronization

/// Consent lookups for the hot path: the records of a subject, cached, dropped at once when they change.
///
/// A read that started before a change never refills the cache with what it read (a generation counter
/// guards the fill), so a withdrawal is seen by the very next request.
///
/// Other instances name changed subjects by their keyed digest (`subjectRef`), never by id, so the cache
/// also knows each cached subject's ref (computed when it is filled, not on the hot path).
public final class ConsentCache: Sendable {
    let store: any ConsentStore
    let capacity: Int
    /// The keyed digest other instances use to name a subject in change notifications.
    let ref: @Sendable (String) -> String
    private let state = Mutex<State>(State())

    private struct State {
        var generation = 0
        var entries: [Identifier: [ConsentRecord]] = [:]
        /// Each cached subject by its ref.
        var byRef: [String: Identifier] = [:]
        /// Off while changes from other instances cannot be heard: every lookup then reads the store.
        var enabled = true
    }

    public init(store: any ConsentStore, capacity: Int = 100_000, ref: @escaping @Sendable (String) -> String) {
        self.store = store
        self.capacity = capacity
        self.ref = ref
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
        let refs = generation < 0 ? [] : missing.map { (ref($0), Identifier($0)) }
        state.withLock { state in
            guard state.enabled, state.generation == generation else { return }
            if state.entries.count + bySubject.count > capacity {
                // Crude but bounded: start over rather than track recency on the hot path.
                state.entries.removeAll(keepingCapacity: true)
                state.byRef.removeAll(keepingCapacity: true)
            }
            state.entries.merge(bySubject) { _, new in new }
            for (ref, subject) in refs { state.byRef[ref] = subject }
        }
        return found + loaded
    }

    /// Turns caching on or off; either way the cache starts empty.
    public func setEnabled(_ enabled: Bool) {
        state.withLock { state in
            state.enabled = enabled
            state.generation += 1
            state.entries.removeAll()
            state.byRef.removeAll()
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
                state.byRef.removeAll()
            }
        }
    }

    /// Drops cached records of the subjects with these refs (nil: all), as another instance names them.
    public func invalidate(refs: [String]?) {
        guard let refs else {
            invalidate(subjects: nil)
            return
        }
        state.withLock { state in
            state.generation += 1
            for ref in refs {
                if let subject = state.byRef.removeValue(forKey: ref) { state.entries[subject] = nil }
            }
        }
    }
}
