import ArgumentParser
import Gateway
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway: the data plane (mTLS, :8443) and the admin API (TLS, :9443).",
        discussion: """
            With no configuration: SQLite and keys under ./var, certificates under ./certs (made if missing), the
            built-in taxonomy (or contracts/taxonomy.xml), and on a fresh database the agreements in
            contracts/agreements registered and approved as the bootstrap principal.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let logger = GatewaydLogging.bootstrap(label: "gatewayd")
        let configuration = try await options.load()
        let runtime = try await GatewayRuntime(configuration: configuration, logger: logger)
        try await runtime.bootstrapAgreements()
        let certificates = try runtime.certificates()
        let group = MultiThreadedEventLoopGroup.singleton
        let upstream = try runtime.makeUpstreamClient(group: group)
        let pipeline = runtime.makePipeline(upstream: upstream)
        let proxy = try runtime.makeProxyServer(pipeline: pipeline, certificates: certificates, group: group)
        let shareLog = runtime.shareLog
        let logOpen: @Sendable () async throws -> Void = {
            try await shareLog.waitUntilAccepting(timeout: .seconds(600))
        }
        var services: [any Service] = [runtime.shareLog, StartsAfter(proxy, when: logOpen)]
        if let listener = runtime.changeListener { services.insert(listener, at: 0) }
        services += try runtime.makeAdminServices(certificates: certificates, group: group).map {
            StartsAfter($0, when: logOpen)
        }
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await serviceGroup.run()
        upstream.shutdown()
    }
}

enum GatewaydLogging {
    /// Logs to standard error; `GATEWAY_LOG_LEVEL` sets the level (default `info`).
    static func bootstrap(label: String, defaultLevel: Logger.Level = .info) -> Logger {
        let level =
            ProcessInfoEnvironment.value("GATEWAY_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? defaultLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}
