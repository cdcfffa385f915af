import Foundation
import Gateway
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Sends exact bytes over TLS (with a client certificate) and reads the answer: for requests no well-behaved
/// HTTP client would send (smuggling shapes, absolute-form targets, raw paths).
enum RawTLSClient {
    struct Answer {
        var text: String
        /// The status of every response, in order (responses framed by their Content-Length).
        var statuses: [Int] {
            var result: [Int] = []
            var rest = Substring(text)
            while rest.hasPrefix("HTTP/1.1 "), let end = rest.range(of: "\r\n\r\n") {
                guard let status = Int(rest.dropFirst(9).prefix(3)) else { break }
                result.append(status)
                let head = rest[..<end.lowerBound].lowercased()
                let length =
                    head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                rest = Substring(rest[end.upperBound...].utf8.dropFirst(length))
            }
            return result
        }
        var status: Int? {
            guard text.hasPrefix("HTTP/1.1 ") else { return nil }
            return Int(text.dropFirst(9).prefix(3))
        }
        var body: String {
            guard let range = text.range(of: "\r\n\r\n") else { return "" }
            return String(text[range.upperBound...])
        }
    }

    static func exchange(
        port: Int,
        certificates: CertificateDirectory,
        service: String? = "demo-service",
        clientCertificate: (cert: String, key: String)? = nil,
        _ request: String,
        responses: Int = 1,
        wait: Duration = .seconds(10)
    ) async throws -> Answer {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.caCertificatePath))
        if let clientCertificate {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(clientCertificate.cert).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: clientCertificate.key, format: .pem))
        } else if let service {
            if !FileManager.default.fileExists(atPath: certificates.clientCertificatePath(service)) {
                try certificates.issueClient(named: service)
            }
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificates.clientCertificatePath(service)).map {
                .certificate($0)
            }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: certificates.clientKeyPath(service), format: .pem))
        }
        let context = try NIOSSLContext(configuration: tls)
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        NIOSSLClientHandler(context: context, serverHostname: "localhost")
                    )
                    try channel.pipeline.syncOperations.addHandler(CollectingHandler(collector: collector))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        try await channel.writeAndFlush(ByteBuffer(string: request))
        let deadline = ContinuousClock.now + wait
        while ContinuousClock.now < deadline {
            if collector.closed.withLock({ $0 }) || collector.completeResponses >= responses { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        try? await channel.close()
        if let error = collector.error.withLock({ $0 }), collector.bytes.withLock({ $0.isEmpty }) {
            throw error
        }
        return Answer(text: String(decoding: collector.bytes.withLock { $0 }, as: UTF8.self))
    }

    final class Collector: Sendable {
        let bytes = Mutex<[UInt8]>([])
        let closed = Mutex(false)
        let error = Mutex<(any Error)?>(nil)

        /// How many whole responses (headers and as many body bytes as Content-Length says) arrived.
        var completeResponses: Int {
            var rest = Substring(String(decoding: bytes.withLock { $0 }, as: UTF8.self))
            var count = 0
            while let end = rest.range(of: "\r\n\r\n") {
                let head = rest[..<end.lowerBound].lowercased()
                guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                    let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
                else { return count }
                let body = rest[end.upperBound...].utf8
                guard body.count >= length else { return count }
                count += 1
                rest = Substring(body.dropFirst(length))
            }
            return count
        }
    }

    final class CollectingHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let collector: Collector
        init(collector: Collector) { self.collector = collector }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            collector.bytes.withLock { $0 += buffer.readableBytesView }
        }

        func channelInactive(context: ChannelHandlerContext) {
            collector.closed.withLock { $0 = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            collector.error.withLock { $0 = error }
            context.close(promise: nil)
        }
    }
}
