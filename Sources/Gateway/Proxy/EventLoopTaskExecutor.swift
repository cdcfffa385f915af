import NIOCore

/// A task executor that runs jobs on one NIO event loop.
///
/// A request's pipeline task prefers its connection's event loop: the policy work runs on the thread that
/// read the request and writes the answer, instead of hopping to the Swift-concurrency pool and back at
/// every `await` (the profile of the load test showed those hops and their wake-ups). Awaits on other
/// work (the share-log writer, the database, the vendor) still suspend; the task resumes on this loop.
final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
