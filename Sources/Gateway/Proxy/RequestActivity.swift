import NIOCore

/// Whether bytes arrived on a data-plane connection since it last went idle, so a header deadline can tell
/// a quiet keep-alive connection (closed without a word) from a request head that is trickling in (408).
///
/// Not `Sendable`: it is made in the channel initialiser and used only by two handlers of one channel, on
/// that channel's event loop.
final class RequestActivity {
    var sawBytes = false

    init() {}
}

/// Notes inbound bytes (after TLS, before the HTTP decoder) in the connection's ``RequestActivity``.
final class RequestActivityHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let activity: RequestActivity

    init(activity: RequestActivity) {
        self.activity = activity
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        activity.sawBytes = true
        context.fireChannelRead(data)
    }
}
