import Synchronization

/// Runs `body` and returns its result, or throws `timeoutError()` once `timeout` has passed, whichever comes
/// first, without waiting for `body` to finish.
///
/// A task group cannot do this: it waits for every child, so a child that ignores cancellation (a pool lease
/// or a query on a connection whose server has gone) keeps the caller waiting forever. Here the work runs in
/// a task of its own that is cancelled and abandoned at the deadline; the caller is resumed at once. The
/// caller's own cancellation cancels the work and resumes the caller as well.
func withDeadline<T: Sendable>(
    _ timeout: Duration,
    timeoutError: @escaping @Sendable () -> any Error,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.start(continuation)
            let work = Task {
                do {
                    race.finish(.success(try await body()))
                } catch {
                    race.finish(.failure(error))
                }
            }
            let timer = Task {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { race.finish(.failure(timeoutError())) }
            }
            race.attach(work: work, timer: timer)
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The state shared by the caller, the work and the timer of ``withDeadline(_:timeoutError:_:)``: whoever
/// finishes first resumes the caller and cancels the others.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var outcome: Result<T, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if state.finished { return state.outcome }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func attach(work: Task<Void, Never>, timer: Task<Void, Never>) {
        let finished = state.withLock { state -> Bool in
            state.work = work
            state.timer = timer
            return state.finished
        }
        if finished {
            work.cancel()
            timer.cancel()
        }
    }

    func finish(_ outcome: Result<T, any Error>) {
        let taken = state.withLock {
            state -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?, Task<Void, Never>?, Bool) in
            guard !state.finished else { return (nil, nil, nil, false) }
            state.finished = true
            state.outcome = outcome
            defer { state.continuation = nil }
            return (state.continuation, state.work, state.timer, true)
        }
        guard taken.3 else { return }
        taken.1?.cancel()
        taken.2?.cancel()
        taken.0?.resume(with: outcome)
    }
}
