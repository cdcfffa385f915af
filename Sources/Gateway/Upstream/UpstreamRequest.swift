import Contracts
import NIOCore
import NIOHTTP1

/// A request to a vendor, built by the gateway from what it inspected.
public struct UpstreamRequest: Sendable {
    public var endpoint: EndpointURL
    public var method: HTTPMethod
    /// Path and query, already encoded, starting with `/`.
    public var target: String
    public var headers: HTTPHeaders
    public var body: ByteBuffer?

    public init(endpoint: EndpointURL, method: HTTPMethod, target: String, headers: HTTPHeaders, body: ByteBuffer?) {
        self.endpoint = endpoint
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

/// A vendor's answer, collected whole (bounded).
public struct UpstreamResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    /// Whether the connection may carry another request.
    var connectionReusable = true
}
