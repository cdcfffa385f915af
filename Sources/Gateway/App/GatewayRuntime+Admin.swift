import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle

extension GatewayRuntime {
    /// The admin API's listener (TLS, `admin.port`).
    public func makeAdminServices(
        certificates: CertificateDirectory,
        group: any EventLoopGroup,
        onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws -> [any Service] {
        let api = AdminAPI(runtime: self, readiness: { await self.readiness(certificates: certificates) })
        let logger = self.logger
        let application = Application(
            router: api.router(),
            server: try .tls(.http1(), tlsConfiguration: try GatewayTLS.admin(certificates)),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.adminHost, port: configuration.adminPort),
                serverName: nil
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("admin API listening", metadata: ["admin.port": "\(port)"])
                onListening(port)
            },
            eventLoopGroupProvider: .shared(group),
            logger: logger
        )
        // Rights notices go out through a client of their own, under the same upstream rules as shares.
        let notifier = RightsNotifier(
            rights: rights,
            upstream: try makeUpstreamClient(group: group),
            responseTimeoutSeconds: configuration.limits.upstreamResponseTimeoutSeconds
        )
        return [application, notifier]
    }

    /// What `/readyz` checks: the database answers, the share log takes and commits entries, the
    /// certificates load.
    public func readiness(certificates: CertificateDirectory) async -> [String: Bool] {
        var checks: [String: Bool] = [:]
        checks["database"] = (try? await store.ping()) != nil
        let accepting = shareLog.isAccepting
        let writable = (try? await store.probeWrite()) != nil
        checks["ledger"] = accepting && writable
        checks["certificates"] = (try? GatewayTLS.dataPlane(certificates)) != nil
        return checks
    }
}
