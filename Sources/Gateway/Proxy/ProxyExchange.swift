import NIOCore
import NIOHTTP1

/// A request as the data plane received it, whole.
public struct ProxyRequest: Sendable {
    /// The calling service, from its client certificate.
    public var service: String
    public var head: HTTPRequestHead
    public var body: ByteBuffer

    public init(service: String, head: HTTPRequestHead, body: ByteBuffer) {
        self.service = service
        self.head = head
        self.body = body
    }
}

/// The data plane's answer.
public struct ProxyResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    /// Close the connection after this answer.
    public var close: Bool

    public init(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, close: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.close = close
    }

    /// A problem response.
    public init(problem: ProblemDetails, close: Bool = false) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: ProblemDetails.mediaType)
        headers.add(name: "cache-control", value: "no-store")
        if let shareID = problem.shareID { headers.add(name: "share-id", value: shareID) }
        if problem.code == "vendor-busy" { headers.add(name: "retry-after", value: "1") }
        self.init(
            status: HTTPResponseStatus(statusCode: problem.status),
            headers: headers,
            body: ByteBuffer(bytes: problem.bytes),
            close: close
        )
    }
}
