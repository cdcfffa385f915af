import Logging
import ServiceLifecycle

/// Delivers rights notices in the background: at once when a request is filed, then every poll interval
/// for retries. What is due is in the database, so notices survive a restart.
public final class RightsNotifier: Service, Sendable {
    let rights: RightsService
    let upstream: UpstreamClient
    let responseTimeoutSeconds: Int

    init(rights: RightsService, upstream: UpstreamClient, responseTimeoutSeconds: Int) {
        self.rights = rights
        self.upstream = upstream
        self.responseTimeoutSeconds = responseTimeoutSeconds
    }

    public func run() async throws {
        let poll = Duration.seconds(rights.settings.pollSeconds)
        let wake = rights.wake
        let timer = Task {
            while !Task.isCancelled {
                wake.yield()
                try? await Task.sleep(for: poll)
            }
        }
        defer { timer.cancel() }
        await cancelWhenGracefulShutdown {
            for await _ in self.rights.wakeups {
                await self.rights.deliverDue(
                    upstream: self.upstream,
                    responseTimeoutSeconds: self.responseTimeoutSeconds
                )
            }
        }
    }
}
