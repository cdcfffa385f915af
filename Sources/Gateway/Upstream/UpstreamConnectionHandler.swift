import NIOCore
import NIOHTTP1

/// One request/response exchange on a vendor connection: written out, the answer collected (bounded).
struct UpstreamExchange {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var promise: EventLoopPromise<UpstreamResponse>
}

/// Sits at the end of a vendor connection's pipeline: writes exchanges, collects answers.
///
/// One exchange at a time (no pipelining). The connection is reusable after a complete answer that did not
/// ask to close; anything else closes it.
final class UpstreamConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = UpstreamExchange
    typealias OutboundOut = HTTPClientRequestPart

    private let maxResponseBytes: Int
    private var promise: EventLoopPromise<UpstreamResponse>?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    /// Whether the connection may carry another exchange.
    private(set) var reusable = true

    init(maxResponseBytes: Int) {
        self.maxResponseBytes = maxResponseBytes
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise writePromise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard self.promise == nil, reusable else {
            exchange.promise.fail(UpstreamError(.protocolError, "the connection is busy or closing"))
            return
        }
        self.promise = exchange.promise
        head = nil
        body = nil
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body, body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: writePromise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard promise != nil else {
            // Nothing was asked: a vendor talking out of turn. Close.
            reusable = false
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            if (100..<200).contains(responseHead.status.code) && responseHead.status != .switchingProtocols {
                return  // interim responses are not answers
            }
            head = responseHead
            body = context.channel.allocator.buffer(capacity: 0)
            if !responseHead.isKeepAlive { reusable = false }
        case .body(var chunk):
            guard head != nil else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > maxResponseBytes {
                fail(
                    context: context,
                    UpstreamError(.tooLarge, "the vendor's answer is over \(maxResponseBytes) bytes")
                )
                return
            }
            body?.writeBuffer(&chunk)
        case .end:
            guard let head, let promise else { return }
            self.promise = nil
            promise.succeed(
                UpstreamResponse(
                    status: head.status,
                    headers: head.headers,
                    body: body ?? ByteBuffer(),
                    connectionReusable: reusable
                )
            )
            self.head = nil
            self.body = nil
            if !reusable { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        reusable = false
        promise?.fail(UpstreamError(.protocolError, "the vendor closed the connection before answering"))
        promise = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let mapped: UpstreamError
        if let error = error as? UpstreamError {
            mapped = error
        } else if String(describing: type(of: error)).contains("SSL")
            || String(describing: type(of: error)).contains("TLS")
        {
            mapped = UpstreamError(.tls, "the TLS connection to the vendor failed")
        } else {
            mapped = UpstreamError(.protocolError, "the vendor's answer is not valid HTTP/1.1")
        }
        fail(context: context, mapped)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            reusable = false
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Fails the current exchange and closes.
    func fail(context: ChannelHandlerContext, _ error: UpstreamError) {
        reusable = false
        promise?.fail(error)
        promise = nil
        context.close(promise: nil)
    }

    /// Whether the connection is idle and may be reused.
    var isIdleAndReusable: Bool { promise == nil && reusable }
}
