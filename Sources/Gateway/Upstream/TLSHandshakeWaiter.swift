import NIOCore
import NIOSSL
import NIOTLS

/// Completes a promise when the TLS handshake with a vendor completes, or fails it with a TLS error when it
/// does not: a connection is handed out only after its peer proved who it is.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let promise: EventLoopPromise<Void>

    init(promise: EventLoopPromise<Void>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            promise.succeed(())
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(
            UpstreamError(
                .tls,
                "the TLS handshake with the vendor failed (untrusted, expired or wrongly named certificate)"
            )
        )
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(UpstreamError(.tls, "the vendor closed the connection during the TLS handshake"))
        context.fireChannelInactive()
    }
}
