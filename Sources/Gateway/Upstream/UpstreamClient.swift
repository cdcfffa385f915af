import Contracts
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The gateway's client to vendors: keep-alive connection pools per endpoint, on SwiftNIO directly.
///
/// - TLS 1.2 or later, certificates verified against the system roots or `upstream.trustRoots`, host name
///   checked (IP SAN for IP-literal endpoints, allowed only in development).
/// - The host is resolved here and every address checked: a vendor name that resolves to a private,
///   loopback or link-local address is refused unless `upstream.allowPrivateAddresses` (no DNS rebinding).
/// - Redirects are never followed: a redirect is an answer like any other.
/// - Answers are collected whole, up to a bound; connect and answer deadlines apply.
public final class UpstreamClient: Sendable {
    public struct Configuration: Sendable {
        public var tls: TLSConfiguration
        public var allowPrivateAddresses: Bool
        public var connectTimeout: TimeAmount
        public var responseTimeout: TimeAmount
        public var maxResponseBytes: Int
        public var maxIdlePerEndpoint: Int
        public var idleTimeout: TimeAmount

        public init(
            tls: TLSConfiguration,
            allowPrivateAddresses: Bool = false,
            connectTimeout: TimeAmount = .seconds(5),
            responseTimeout: TimeAmount = .seconds(30),
            maxResponseBytes: Int = 8 << 20,
            maxIdlePerEndpoint: Int = 64,
            idleTimeout: TimeAmount = .seconds(60)
        ) {
            self.tls = tls
            self.allowPrivateAddresses = allowPrivateAddresses
            self.connectTimeout = connectTimeout
            self.responseTimeout = responseTimeout
            self.maxResponseBytes = maxResponseBytes
            self.maxIdlePerEndpoint = maxIdlePerEndpoint
            self.idleTimeout = idleTimeout
        }
    }

    let configuration: Configuration
    let group: any EventLoopGroup
    let sslContext: NIOSSLContext
    let logger: Logger
    private let pools = Mutex<[EndpointURL: [any Channel]]>([:])

    public init(configuration: Configuration, group: any EventLoopGroup, logger: Logger) throws {
        self.configuration = configuration
        self.group = group
        self.sslContext = try NIOSSLContext(configuration: configuration.tls)
        self.logger = logger
    }

    /// Sends `request` and returns the vendor's answer.
    public func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        let channel = try await acquire(request.endpoint)
        var head = HTTPRequestHead(
            version: .http1_1,
            method: request.method,
            uri: request.target,
            headers: request.headers
        )
        let defaultPort = request.endpoint.scheme == "https" ? 443 : 80
        head.headers.replaceOrAdd(
            name: "host",
            value: request.endpoint.port == defaultPort
                ? hostHeader(request.endpoint) : "\(hostHeader(request.endpoint)):\(request.endpoint.port)"
        )
        if let body = request.body {
            head.headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
        } else if request.method == .POST || request.method == .PUT || request.method == .PATCH {
            head.headers.replaceOrAdd(name: "content-length", value: "0")
        }
        let promise = channel.eventLoop.makePromise(of: UpstreamResponse.self)
        let timeout = configuration.responseTimeout
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(
                UpstreamError(.timeout, "the vendor did not answer within \(timeout.nanoseconds / 1_000_000_000) s")
            )
            channel.close(promise: nil)
        }
        channel.writeAndFlush(UpstreamExchange(head: head, body: request.body, promise: promise), promise: nil)
        do {
            let response = try await promise.futureResult.get()
            deadline.cancel()
            release(channel, endpoint: request.endpoint, reusable: response.connectionReusable)
            return response
        } catch {
            deadline.cancel()
            channel.close(promise: nil)
            if let error = error as? UpstreamError { throw error }
            throw UpstreamError(.protocolError, "the exchange with the vendor failed")
        }
    }

    private func hostHeader(_ endpoint: EndpointURL) -> String {
        if case .v6? = IPAddress(endpoint.host) { return "[\(endpoint.host)]" }
        return endpoint.host
    }

    private func acquire(_ endpoint: EndpointURL) async throws -> any Channel {
        while let channel = pools.withLock({ $0[endpoint]?.popLast() }) {
            if channel.isActive { return channel }
        }
        return try await connect(endpoint)
    }

    private func release(_ channel: any Channel, endpoint: EndpointURL, reusable: Bool) {
        guard reusable, channel.isActive else {
            channel.close(promise: nil)
            return
        }
        let kept = pools.withLock { pools -> Bool in
            var idle = pools[endpoint, default: []]
            guard idle.count < configuration.maxIdlePerEndpoint else { return false }
            idle.append(channel)
            pools[endpoint] = idle
            return true
        }
        if !kept { channel.close(promise: nil) }
    }

    /// Closes every idle connection.
    public func shutdown() {
        let channels = pools.withLock { pools -> [any Channel] in
            defer { pools = [:] }
            return pools.values.flatMap { $0 }
        }
        for channel in channels { channel.close(promise: nil) }
    }

    private func connect(_ endpoint: EndpointURL) async throws -> any Channel {
        let addresses = try await resolve(endpoint)
        var lastError: (any Error)?
        for address in addresses {
            do {
                return try await connect(endpoint, to: address)
            } catch {
                lastError = error
            }
        }
        if let error = lastError as? UpstreamError { throw error }
        if let error = lastError as? ChannelError, case .connectTimeout = error {
            throw UpstreamError(.timeout, "connecting to the vendor took longer than the deadline")
        }
        throw UpstreamError(.unreachable, "the vendor could not be reached")
    }

    private func connect(_ endpoint: EndpointURL, to address: SocketAddress) async throws -> any Channel {
        let useTLS = endpoint.scheme == "https"
        let serverHostname = IPAddress(endpoint.host) == nil ? endpoint.host : nil
        let sslContext = self.sslContext
        let maxResponseBytes = configuration.maxResponseBytes
        let idleTimeout = configuration.idleTimeout
        let eventLoop = group.next()
        let handshake = eventLoop.makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if useTLS {
                        try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                        try sync.addHandler(TLSHandshakeWaiter(promise: handshake))
                    } else {
                        handshake.succeed(())
                    }
                    try sync.addHTTPClientHandlers(leftOverBytesStrategy: .fireError)
                    try sync.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                    try sync.addHandler(UpstreamConnectionHandler(maxResponseBytes: maxResponseBytes))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(to: address).get()
        } catch {
            handshake.fail(error)
            throw error
        }
        do {
            try await handshake.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return channel
    }

    /// Resolves the endpoint's host; refuses private, loopback and link-local addresses unless allowed.
    private func resolve(_ endpoint: EndpointURL) async throws -> [SocketAddress] {
        if IPAddress(endpoint.host) != nil {
            guard configuration.allowPrivateAddresses else {
                throw UpstreamError(.privateAddress, "IP-literal vendor endpoints are allowed only in development")
            }
            return [try SocketAddress(ipAddress: endpoint.host, port: endpoint.port)]
        }
        let host = endpoint.host
        let port = endpoint.port
        let addresses: [SocketAddress] = try await NIOThreadPool.singleton.runIfActive {
            try Self.getaddrinfo(host: host, port: port)
        }
        guard !addresses.isEmpty else { throw UpstreamError(.unreachable, "the vendor's host name does not resolve") }
        if !configuration.allowPrivateAddresses {
            for address in addresses {
                guard let text = address.ipAddress, let ip = IPAddress(text), ip.isPublic else {
                    throw UpstreamError(.privateAddress, "the vendor's host name resolves to a private address")
                }
            }
        }
        return addresses
    }

    static func getaddrinfo(host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        guard Glibc.getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw UpstreamError(.unreachable, "the vendor's host name does not resolve")
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let info = current {
            if let address = info.pointee.ai_addr {
                switch Int32(info.pointee.ai_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        addresses.append(SocketAddress($0.pointee, host: host))
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        addresses.append(SocketAddress($0.pointee, host: host))
                    }
                default:
                    break
                }
            }
            current = info.pointee.ai_next
        }
        return addresses
    }
}
