import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A vendor endpoint on 127.0.0.1 for the demo: TLS with a certificate from its own CA, answering 200 and
/// recording what it receives.
public final class DemoVendor: Sendable {
    public struct Received: Sendable {
        public var method: String
        public var uri: String
        public var headers: HTTPHeaders
        public var body: [UInt8]
    }

    let channel: any Channel
    public let port: Int
    private let received = Mutex<[Received]>([])

    /// Starts the vendor with a certificate for 127.0.0.1 from `authority`.
    public static func start(authority: CertificateAuthority, group: any EventLoopGroup) async throws -> DemoVendor {
        let issued = try authority.issue(commonName: "demo vendor", hosts: ["127.0.0.1", "localhost"], usage: .server)
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [
                .certificate(try NIOSSLCertificate(bytes: Array(issued.certificate.pemString().utf8), format: .pem))
            ],
            privateKey: .privateKey(
                try NIOSSLPrivateKey(bytes: Array(issued.privateKey.pemRepresentation.utf8), format: .pem)
            )
        )
        let context = try NIOSSLContext(configuration: configuration)
        let recorder = Recorder()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let vendor = DemoVendor(channel: channel, port: channel.localAddress?.port ?? 0)
        recorder.vendor.withLock { $0 = vendor }
        return vendor
    }

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    /// Everything received so far.
    public var requests: [Received] { received.withLock { $0 } }

    func record(_ request: Received) {
        received.withLock { $0.append(request) }
    }

    public func stop() async {
        try? await channel.close()
    }

    final class Recorder: Sendable {
        let vendor = Mutex<DemoVendor?>(nil)
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let recorder: Recorder
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(recorder: Recorder) { self.recorder = recorder }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(let buffer):
                body += buffer.readableBytesView
            case .end:
                guard let head else { return }
                recorder.vendor.withLock { $0 }?.record(
                    Received(method: head.method.rawValue, uri: head.uri, headers: head.headers, body: body)
                )
                let reply = ByteBuffer(string: #"{"accepted":true}"#)
                var headers = HTTPHeaders([("content-type", "application/json")])
                headers.add(name: "content-length", value: String(reply.readableBytes))
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
                    promise: nil
                )
                context.write(wrapOutboundOut(.body(.byteBuffer(reply))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
