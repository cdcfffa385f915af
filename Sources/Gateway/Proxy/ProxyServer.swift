import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The data-plane listener: TLS 1.2+ with a required client certificate from the gateway's CA, HTTP/1.1.
public final class ProxyServer: Service, Sendable {
    let host: String
    let port: Int
    let sslContext: NIOSSLContext
    let pipeline: SharePipeline
    let limits: GatewayLimits
    let group: any EventLoopGroup
    let logger: Logger
    let onListening: @Sendable (Int) -> Void
    private let boundPort = Mutex<Int?>(nil)

    public init(
        host: String,
        port: Int,
        tls: TLSConfiguration,
        pipeline: SharePipeline,
        limits: GatewayLimits,
        group: any EventLoopGroup,
        logger: Logger,
        onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws {
        self.host = host
        self.port = port
        self.sslContext = try NIOSSLContext(configuration: tls)
        self.pipeline = pipeline
        self.limits = limits
        self.group = group
        self.logger = logger
        self.onListening = onListening
    }

    /// The port the listener is bound to (useful with port 0).
    public var listeningPort: Int? { boundPort.withLock { $0 } }

    public func run() async throws {
        let sslContext = self.sslContext
        let pipeline = self.pipeline
        let limits = self.limits
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    let activity = RequestActivity()
                    try sync.addHandler(NIOSSLServerHandler(context: sslContext))
                    try sync.addHandler(RequestActivityHandler(activity: activity))
                    try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false)
                    try sync.addHandler(ProxyChannelHandler(pipeline: pipeline, limits: limits, activity: activity))
                }
            }
            .bind(host: host, port: port)
            .get()
        let port = channel.localAddress?.port ?? self.port
        boundPort.withLock { $0 = port }
        logger.info("data plane listening", metadata: ["proxy.host": "\(host)", "proxy.port": "\(port)"])
        onListening(port)
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await channel.closeFuture.get()
            } onGracefulShutdown: {
                channel.close(promise: nil)
            }
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}
