import Contracts
import NIOCore
import NIOHTTP1
import NIOSSL
import SwiftASN1
import X509

/// One data-plane connection: collects each request whole (bounded, with deadlines), hands it to the
/// ``SharePipeline``, writes the answer.
///
/// The service name comes from the client certificate, read once per connection. A body over the limit is
/// refused as soon as it crosses it (or at once, when `Content-Length` says so); a request slower than the
/// deadlines is refused (408) and the connection closed. Trailers are never forwarded.
///
/// Everything here runs on the connection's event loop: callbacks from futures and timers are bound to it
/// with `assumeIsolated()`, so the handler and its context never cross to another thread.
final class ProxyChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(HTTPRequestHead)
        /// Refused before the body ended: the rest of the request is read and dropped.
        case discarding
        case processing
        case closing
    }

    private let pipeline: SharePipeline
    private let limits: GatewayLimits
    /// Whether bytes of a next request arrived since the connection went idle (shared with the
    /// ``RequestActivityHandler`` before the HTTP decoder, on the same loop).
    private let activity: RequestActivity
    private var state = State.idle
    private var body = ByteBuffer()
    private var service: String?
    private var headerTimer: Scheduled<Void>?
    private var bodyTimer: Scheduled<Void>?
    /// The connection's event loop as a task executor, made on first use.
    private var loopExecutor: EventLoopTaskExecutor?

    init(pipeline: SharePipeline, limits: GatewayLimits, activity: RequestActivity = RequestActivity()) {
        self.pipeline = pipeline
        self.limits = limits
        self.activity = activity
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armHeaderTimer(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armHeaderTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        headerTimer?.cancel()
        bodyTimer?.cancel()
        state = .closing
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard case .idle = state else { return }
            headerTimer?.cancel()
            headerTimer = nil
            guard let service = serviceName(context: context) else {
                refuseEarly(
                    context: context,
                    head: head,
                    ProblemDetails("header-invalid", "the client certificate names no valid service")
                )
                return
            }
            self.service = service
            if let problem = HeadCheck.problem(head, limits: limits) {
                refuseEarly(context: context, head: head, problem)
                return
            }
            state = .receiving(head)
            body = context.channel.allocator.buffer(capacity: 0)
            if head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                context.writeAndFlush(
                    wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))),
                    promise: nil
                )
            }
            let timeout = TimeAmount.seconds(Int64(limits.bodyTimeoutSeconds))
            bodyTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
                guard let self, case .receiving(let head) = self.state else { return }
                self.refuseEarly(
                    context: context,
                    head: head,
                    ProblemDetails(
                        "request-timeout",
                        "the request body took longer than \(self.limits.bodyTimeoutSeconds) s"
                    )
                )
            }
        case .body(var chunk):
            guard case .receiving(let head) = state else { return }
            if body.readableBytes + chunk.readableBytes > limits.maxBodyBytes {
                refuseEarly(
                    context: context,
                    head: head,
                    ProblemDetails("body-too-large", "bodies may hold at most \(limits.maxBodyBytes) bytes")
                )
                return
            }
            body.writeBuffer(&chunk)
        case .end:
            switch state {
            case .receiving(let head):
                bodyTimer?.cancel()
                bodyTimer = nil
                state = .processing
                let request = ProxyRequest(service: service ?? "", head: head, body: body)
                body = ByteBuffer()
                let pipeline = self.pipeline
                let promise = context.eventLoop.makePromise(of: ProxyResponse.self)
                Task(executorPreference: executor(context)) { promise.succeed(await pipeline.handle(request)) }
                promise.futureResult.assumeIsolated().whenSuccess { [weak self] response in
                    self?.write(response, keepAlive: head.isKeepAlive, context: context)
                }
            case .discarding:
                break
            default:
                break
            }
        }
    }

    private func executor(_ context: ChannelHandlerContext) -> EventLoopTaskExecutor {
        if let loopExecutor { return loopExecutor }
        let made = EventLoopTaskExecutor(context.eventLoop)
        loopExecutor = made
        return made
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError {
            // A request the parser could not read: answer once (logged), then close.
            switch state {
            case .idle:
                let head = HTTPRequestHead(version: .http1_1, method: .RAW(value: "INVALID"), uri: "/")
                refuseEarly(context: context, head: head, Self.problem(parserError))
                return
            case .receiving(let head):
                // The head was read; the body was not (a malformed chunk, a body cut short).
                refuseEarly(
                    context: context,
                    head: head,
                    ProblemDetails("request-ambiguous", "the request body is not valid HTTP/1.1 framing")
                )
                return
            case .processing:
                // The request being answered was whole; the one behind it is unreadable: close after the answer.
                closeAfterAnswer = true
                return
            case .discarding, .closing:
                break
            }
        }
        if case .processing = state {
            closeAfterAnswer = true
            return
        }
        state = .closing
        context.close(promise: nil)
    }

    /// The problem for a request head the parser refused.
    static func problem(_ error: HTTPParserError) -> ProblemDetails {
        switch error {
        case .headerOverflow:
            return ProblemDetails("headers-too-large", "the request head is larger than the gateway reads")
        case .invalidVersion:
            return ProblemDetails("request-ambiguous", "the request line has no valid HTTP/1.x version")
        default:
            return ProblemDetails("request-ambiguous", "the request is not valid HTTP/1.1")
        }
    }

    /// Set when the connection must close once the request in flight is answered.
    private var closeAfterAnswer = false

    /// Refuses before the request is whole: logs, answers, closes.
    private func refuseEarly(context: ChannelHandlerContext, head: HTTPRequestHead, _ problem: ProblemDetails) {
        bodyTimer?.cancel()
        bodyTimer = nil
        state = .discarding
        let pipeline = self.pipeline
        let service = self.service ?? serviceName(context: context) ?? "unknown"
        let promise = context.eventLoop.makePromise(of: ProxyResponse.self)
        promise.completeWithTask { await pipeline.refuse(service: service, head: head, problem) }
        let isConnect = head.method == .CONNECT
        promise.futureResult.assumeIsolated().whenSuccess { [weak self] response in
            var response = response
            response.close = true
            if isConnect {
                self?.writeBelowTheEncoder(response, context: context)
            } else {
                self?.write(response, keepAlive: false, context: context)
            }
        }
    }

    /// Writes a refusal of a `CONNECT` as raw HTTP/1.1 bytes under the HTTP encoder, which frames every
    /// response to a CONNECT without a body (right for a 2xx tunnel, wrong for a refusal: RFC 9110 lets a
    /// 4xx carry its problem and Content-Length). The connection closes after it.
    private func writeBelowTheEncoder(_ response: ProxyResponse, context: ChannelHandlerContext) {
        guard context.channel.isActive,
            let below = try? context.pipeline.syncOperations.context(handlerType: RequestActivityHandler.self)
        else {
            context.close(promise: nil)
            return
        }
        state = .closing
        var headers = response.headers
        headers.replaceOrAdd(name: "content-length", value: String(response.body.readableBytes))
        headers.replaceOrAdd(name: "connection", value: "close")
        var bytes = context.channel.allocator.buffer(capacity: 256 + response.body.readableBytes)
        bytes.writeString("HTTP/1.1 \(response.status.code) \(response.status.reasonPhrase)\r\n")
        for (name, value) in headers { bytes.writeString("\(name): \(value)\r\n") }
        bytes.writeString("\r\n")
        var body = response.body
        bytes.writeBuffer(&body)
        below.writeAndFlush(NIOAny(bytes)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private func write(_ response: ProxyResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = response.headers
        headers.replaceOrAdd(name: "content-length", value: String(response.body.readableBytes))
        let close = response.close || !keepAlive || closeAfterAnswer
        if close { headers.replaceOrAdd(name: "connection", value: "close") }
        // The state changes before `.end` goes out: writing it lets the pipelining handler deliver a
        // pipelined next request at once, and that request must find the connection idle, not processing.
        if close {
            state = .closing
        } else {
            state = .idle
            activity.sawBytes = false
            armHeaderTimer(context: context)
        }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))),
            promise: nil
        )
        if response.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if close {
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Ends a connection that sends no complete request head in time: an idle keep-alive connection is
    /// closed quietly; one whose request head has started arriving gets a logged 408 first.
    private func armHeaderTimer(context: ChannelHandlerContext) {
        headerTimer?.cancel()
        let timeout = TimeAmount.seconds(Int64(limits.headerTimeoutSeconds))
        headerTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            guard let self, case .idle = self.state else { return }
            if self.activity.sawBytes {
                // No request head was read, so the pipelining handler expects no response: take it out of the
                // pipeline (the connection closes after this answer anyway).
                if let pipelining = try? context.pipeline.syncOperations.handler(type: HTTPServerPipelineHandler.self) {
                    context.pipeline.syncOperations.removeHandler(pipelining, promise: nil)
                }
                let head = HTTPRequestHead(version: .http1_1, method: .RAW(value: "INVALID"), uri: "/")
                self.refuseEarly(
                    context: context,
                    head: head,
                    ProblemDetails(
                        "request-timeout",
                        "the request head took longer than \(self.limits.headerTimeoutSeconds) s"
                    )
                )
                return
            }
            self.state = .closing
            context.close(promise: nil)
        }
    }

    /// The service named by the client certificate: its common name, else the last segment of a URI SAN.
    private func serviceName(context: ChannelHandlerContext) -> String? {
        if let service { return service }
        guard let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
            let peer = tls.peerCertificate,
            let certificate = try? Certificate(derEncoded: peer.toDERBytes())
        else { return nil }
        return Self.serviceName(of: certificate)
    }

    static func serviceName(of certificate: Certificate) -> String? {
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                if let name = String(attribute.value), isServiceName(name) { return name }
            }
        }
        if let names = try? certificate.extensions.subjectAlternativeNames {
            for name in names {
                if case .uniformResourceIdentifier(let uri) = name, let last = uri.split(separator: "/").last,
                    isServiceName(String(last))
                {
                    return String(last)
                }
            }
        }
        return nil
    }

    static func isServiceName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy(DataPathByte.isServiceNameByte)
    }
}
