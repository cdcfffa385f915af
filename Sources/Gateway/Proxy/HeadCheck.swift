import NIOHTTP1

/// Refusals that need only the request head: what an HTTP parser could read two ways, and the header limits.
enum HeadCheck {
    static func problem(_ head: HTTPRequestHead, limits: GatewayLimits) -> ProblemDetails? {
        guard head.version.major == 1 else {
            return ProblemDetails("request-ambiguous", "only HTTP/1.x is accepted")
        }
        guard SharePipeline.allowedMethods.contains(head.method.rawValue) else {
            return ProblemDetails("method-not-allowed", "use GET, POST, PUT, PATCH or DELETE")
        }
        if head.headers.count > limits.maxHeaderCount {
            return ProblemDetails("headers-too-large", "at most \(limits.maxHeaderCount) headers are accepted")
        }
        var total = 0
        for (name, value) in head.headers { total += name.utf8.count + value.utf8.count + 4 }
        if total > limits.maxHeaderBytes {
            return ProblemDetails("headers-too-large", "headers may hold at most \(limits.maxHeaderBytes) bytes")
        }
        let hosts = head.headers["host"].count
        if hosts == 0 {
            return ProblemDetails(
                "request-ambiguous",
                "the request has no Host header: the gateway requires one, for HTTP/1.0 requests too"
            )
        }
        if hosts > 1 {
            return ProblemDetails("request-ambiguous", "the request has \(hosts) Host headers: send exactly one")
        }
        let transferEncodings = head.headers["transfer-encoding"]
        if !transferEncodings.isEmpty {
            guard transferEncodings.count == 1, transferEncodings[0].trimmingASCIIWhitespace().lowercased() == "chunked"
            else {
                return ProblemDetails("request-ambiguous", "the only Transfer-Encoding accepted is a single `chunked`")
            }
            if !head.headers["content-length"].isEmpty {
                return ProblemDetails("request-ambiguous", "send Content-Length or Transfer-Encoding, not both")
            }
        }
        let lengths = head.headers["content-length"]
        if lengths.count > 1 || lengths.contains(where: { $0.contains(",") }) {
            return ProblemDetails("request-ambiguous", "send one Content-Length")
        }
        if let length = lengths.first {
            guard let value = Int(length.trimmingASCIIWhitespace()), value >= 0 else {
                return ProblemDetails("request-ambiguous", "Content-Length is not a number")
            }
            if value > limits.maxBodyBytes {
                return ProblemDetails("body-too-large", "bodies may hold at most \(limits.maxBodyBytes) bytes")
            }
        }
        return nil
    }
}
