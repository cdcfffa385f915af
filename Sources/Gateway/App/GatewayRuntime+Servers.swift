import Logging
import NIOCore
import NIOSSL

extension GatewayRuntime {
    /// The certificates directory, made (development CA, server and demo client certificates) when missing.
    public func certificates() throws -> CertificateDirectory {
        let directory = CertificateDirectory(path: configuration.certsDirectory)
        if !directory.isInitialized {
            try directory.initialize()
            logger.notice("development certificates made", metadata: ["certs.dir": "\(directory.path)"])
        }
        return directory
    }

    /// The client to vendors.
    public func makeUpstreamClient(group: any EventLoopGroup) throws -> UpstreamClient {
        let limits = configuration.limits
        return try UpstreamClient(
            configuration: UpstreamClient.Configuration(
                tls: try GatewayTLS.upstream(trustRootsFile: configuration.upstreamTrustRoots),
                allowPrivateAddresses: configuration.allowPrivateAddresses,
                connectTimeout: .seconds(Int64(limits.upstreamConnectTimeoutSeconds)),
                responseTimeout: .seconds(Int64(limits.upstreamResponseTimeoutSeconds))
            ),
            group: group,
            logger: logger
        )
    }

    /// The data plane's request pipeline.
    public func makePipeline(upstream: UpstreamClient) -> SharePipeline {
        SharePipeline(
            SharePipeline.Dependencies(
                registry: registry,
                consents: consents.cache,
                rights: rights,
                shareLog: shareLog,
                upstream: upstream,
                keys: keys,
                credentials: configuration.credentials,
                limits: configuration.limits,
                metrics: metrics,
                logger: logger
            )
        )
    }

    /// The data-plane listener.
    public func makeProxyServer(
        pipeline: SharePipeline,
        certificates: CertificateDirectory,
        group: any EventLoopGroup,
        onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws -> ProxyServer {
        try ProxyServer(
            host: configuration.proxyHost,
            port: configuration.proxyPort,
            tls: try GatewayTLS.dataPlane(certificates),
            pipeline: pipeline,
            limits: configuration.limits,
            group: group,
            logger: logger,
            onListening: onListening
        )
    }
}
