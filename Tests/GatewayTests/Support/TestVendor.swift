import Crypto
import Foundation
import Gateway
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import X509

/// A real TLS vendor endpoint, started by a test, that records every request it receives.
final class TestVendor: Sendable {
    struct Received: Sendable {
        var method: String
        var uri: String
        var headers: HTTPHeaders
        var body: [UInt8]

        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    struct Reply: Sendable {
        var status: HTTPResponseStatus = .ok
        var headers: [(String, String)] = [("content-type", "application/json")]
        var body: String = #"{"ok":true}"#
        var delay: Duration = .zero
    }

    let channel: any Channel
    let port: Int
    private let received = Mutex<[Received]>([])
    private let reply = Mutex<Reply>(Reply())

    /// Starts a vendor on 127.0.0.1 with a certificate from `authority` for `hosts`.
    static func start(
        authority: CertificateAuthority,
        hosts: [String] = ["127.0.0.1", "localhost"],
        notAfter: Date = Date().addingTimeInterval(86_400),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> TestVendor {
        let issued = try authority.issue(
            commonName: hosts.first ?? "vendor",
            hosts: hosts,
            usage: .server,
            notAfter: notAfter
        )
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [
                .certificate(try NIOSSLCertificate(bytes: Array(issued.certificate.pemString().utf8), format: .pem))
            ],
            privateKey: .privateKey(
                try NIOSSLPrivateKey(bytes: Array(issued.privateKey.pemRepresentation.utf8), format: .pem)
            )
        )
        let context = try NIOSSLContext(configuration: configuration)
        let box = VendorBox()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(VendorHandler(box: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let vendor = TestVendor(channel: channel, port: channel.localAddress!.port!)
        box.vendor.withLock { $0 = vendor }
        return vendor
    }

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    var requests: [Received] { received.withLock { $0 } }

    func setReply(_ new: Reply) { reply.withLock { $0 = new } }

    func record(_ request: Received) -> Reply {
        received.withLock { $0.append(request) }
        return reply.withLock { $0 }
    }

    func stop() async {
        try? await channel.close()
    }

    final class VendorBox: Sendable {
        let vendor = Mutex<TestVendor?>(nil)
    }

    final class VendorHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let box: VendorBox
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(box: VendorBox) { self.box = box }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(let buffer):
                body += Array(buffer.readableBytesView)
            case .end:
                guard let head, let vendor = box.vendor.withLock({ $0 }) else { return }
                let reply = vendor.record(
                    Received(method: head.method.rawValue, uri: head.uri, headers: head.headers, body: body)
                )
                let respond = {
                    var headers = HTTPHeaders(reply.headers)
                    headers.replaceOrAdd(name: "content-length", value: String(reply.body.utf8.count))
                    context.write(
                        self.wrapOutboundOut(
                            .head(HTTPResponseHead(version: .http1_1, status: reply.status, headers: headers))
                        ),
                        promise: nil
                    )
                    context.write(
                        self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: reply.body)))),
                        promise: nil
                    )
                    context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                }
                if reply.delay > .zero {
                    let nanos =
                        reply.delay.components.seconds * 1_000_000_000 + reply.delay.components.attoseconds
                        / 1_000_000_000
                    context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanos)) { respond() }
                } else {
                    respond()
                }
            }
        }
    }
}
