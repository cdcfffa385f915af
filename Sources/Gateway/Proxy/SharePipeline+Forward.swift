import Contracts
import NIOCore
import NIOHTTP1

extension SharePipeline {
    /// Request headers a service may pass to a vendor, when their values look like tokens (no personal data
    /// rides along in them). Everything else, `Cookie`, `Referer`, `Authorization`, `X-Forwarded-*` and custom
    /// headers included, stays behind.
    static let forwardedRequestHeaders: Set<String> = [
        "accept", "idempotency-key", "x-request-id", "traceparent", "tracestate",
    ]

    /// Vendor answer headers passed back.
    static let forwardedResponseHeaders: Set<String> = [
        "content-type", "cache-control", "etag", "last-modified", "retry-after", "x-request-id", "ratelimit-limit",
        "ratelimit-remaining", "ratelimit-reset", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
    ]

    func makeUpstreamRequest(
        contract: ActiveContract,
        target: RequestTarget,
        head: HTTPRequestHead,
        payload: PayloadDecoder.Payload,
        decision: ShareDecision,
        credential: String?
    ) -> UpstreamRequest {
        var headers = HTTPHeaders()
        for (name, value) in head.headers where Self.forwardedRequestHeaders.contains(name.lowercased()) {
            if Self.isTokenLike(value) { headers.add(name: name.lowercased(), value: value) }
        }
        headers.add(name: "user-agent", value: "vendor-gateway/1")
        if let credential { headers.add(name: "authorization", value: "Bearer \(credential)") }
        var body: ByteBuffer?
        if let value = decision.body, let kind = payload.kind {
            switch kind {
            case .json:
                headers.add(name: "content-type", value: "application/json")
                body = ByteBuffer(bytes: JSONWriter.bytes(value))
            case .form:
                headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
                if case .object(let members) = value { body = ByteBuffer(bytes: FormCodec.bytes(members)) }
            }
        }
        var path = contract.endpoint.path + target.path
        if !decision.query.isEmpty {
            path += "?" + String(decoding: FormCodec.bytes(decision.query), as: UTF8.self)
        }
        return UpstreamRequest(
            endpoint: contract.endpoint,
            method: head.method,
            target: path,
            headers: headers,
            body: body
        )
    }

    /// Printable ASCII without `@`, quotes or backslashes, at most 256 bytes.
    static func isTokenLike(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.count <= 256
            && value.utf8.allSatisfy { byte in
                byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "@") && byte != UInt8(ascii: "\"")
                    && byte != UInt8(ascii: "\\")
            }
    }

    /// The answer to the service: the vendor's, with the share headers; a redirect becomes a problem.
    func response(
        _ result: Result<UpstreamResponse, UpstreamError>,
        facts: ShareEntryBuilder.Facts,
        decision: ShareDecision
    ) -> ProxyResponse {
        switch result {
        case .failure(let error):
            let code: String
            switch error.code {
            case .timeout: code = "upstream-timeout"
            case .tls: code = "upstream-tls"
            case .privateAddress: code = "upstream-private-address"
            case .tooLarge: code = "upstream-too-large"
            case .protocolError: code = "upstream-protocol"
            default: code = "upstream-unreachable"
            }
            return ProxyResponse(problem: ProblemDetails(code, error.message, shareID: facts.shareID))
        case .success(let upstream):
            if (300..<400).contains(upstream.status.code) && upstream.status != .notModified {
                return ProxyResponse(
                    problem: ProblemDetails(
                        "upstream-redirect",
                        "the vendor answered with a redirect (\(upstream.status.code)); redirects are never followed",
                        shareID: facts.shareID
                    )
                )
            }
            var headers = HTTPHeaders()
            for (name, value) in upstream.headers where Self.forwardedResponseHeaders.contains(name.lowercased()) {
                headers.add(name: name, value: value)
            }
            headers.add(name: "share-id", value: facts.shareID)
            headers.add(name: "share-redactions", value: String(decision.redactions))
            headers.add(name: "share-records", value: "\(decision.recordsSent)/\(decision.recordsReceived)")
            return ProxyResponse(status: upstream.status, headers: headers, body: upstream.body)
        }
    }
}
