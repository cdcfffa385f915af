import Contracts
import Foundation
import Gateway
import Testing

/// The HTTP edge as a careful client expects it: every request is answered, with a problem that says what
/// was wrong and a body a client can frame, and each refusal is logged like any other.
@Suite("Data plane: the HTTP edge", .serialized)
struct HTTPEdgeTests {
    static let events = #"{"events":[{"user_id":"u1","page":"/a"}]}"#

    static func post(_ body: String, extra: String = "") -> String {
        "POST /vendors/acme/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Share-Purpose: analytics\r\n\(extra)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// Each response of an answer: its head (lower-cased) and body.
    static func responses(_ answer: RawTLSClient.Answer) -> [(head: String, body: String)] {
        var result: [(String, String)] = []
        var rest = Substring(answer.text)
        while let end = rest.range(of: "\r\n\r\n") {
            let head = rest[..<end.lowerBound].lowercased()
            let length =
                head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            let body = rest[end.upperBound...].utf8
            let bodyText = String(Substring(body.prefix(length)))
            result.append((String(head), bodyText))
            rest = Substring(body.dropFirst(length))
        }
        return result
    }

    @Test func aPipelinedSecondRequestIsAnswered() async throws {
        try await withGateway { gateway in
            try await gateway.grant("u1")
            let answer = try await RawTLSClient.exchange(
                port: gateway.proxyPort,
                certificates: gateway.certificates,
                Self.post(Self.events) + Self.post(Self.events) + Self.post("{}"),
                responses: 3
            )
            #expect(answer.statuses == [200, 200, 422], "\(answer.text)")
            #expect(gateway.vendor.requests.count == 2)
        }
    }

    @Test func aMalformedChunkedBodyIsAnsweredWithALoggedProblem() async throws {
        try await withGateway { gateway in
            try await gateway.grant("u1")
            let request =
                "POST /vendors/acme/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Share-Purpose: analytics\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
            let answer = try await RawTLSClient.exchange(
                port: gateway.proxyPort,
                certificates: gateway.certificates,
                request
            )
            let response = try #require(Self.responses(answer).first, "\(answer.text)")
            #expect(answer.status == 400)
            #expect(response.head.contains("content-type: application/problem+json"))
            let problem = try JSONReader.parse(Array(response.body.utf8))
            let shareID = try #require(problem["shareId"]?.stringValue)
            let entry = try #require(try await gateway.entry(shareID))
            #expect(entry["decision"] == .string("refused"))
            #expect(gateway.vendor.requests.isEmpty)
        }
    }

    @Test(arguments: [17 << 10, 100 << 10, 1 << 20])
    func anOversizedHeaderBlockIs431(bytes: Int) async throws {
        try await withGateway { gateway in
            let filler = String(repeating: "a", count: bytes)
            let answer = try await RawTLSClient.exchange(
                port: gateway.proxyPort,
                certificates: gateway.certificates,
                Self.post("{}", extra: "X-Filler: \(filler)\r\n")
            )
            #expect(answer.status == 431, "\(answer.text.prefix(300))")
            let response = try #require(Self.responses(answer).first)
            #expect(response.head.contains("content-type: application/problem+json"))
            #expect(response.body.contains("headers-too-large"))
            #expect(gateway.vendor.requests.isEmpty)
        }
    }

    @Test func aTrickledRequestHeadGets408() async throws {
        var options = GatewayHarness.Options()
        options.limits.headerTimeoutSeconds = 1
        try await withGateway(options) { gateway in
            let answer = try await RawTLSClient.exchange(
                port: gateway.proxyPort,
                certificates: gateway.certificates,
                "POST /vendors/acme/events HTTP/1.1\r\nHost: local",
                wait: .seconds(5)
            )
            #expect(answer.status == 408, "\(answer.text)")
            let response = try #require(Self.responses(answer).first)
            #expect(response.body.contains("request-timeout"))
            let problem = try JSONReader.parse(Array(response.body.utf8))
            let shareID = try #require(problem["shareId"]?.stringValue)
            #expect(try await gateway.entry(shareID)?["decision"] == .string("refused"))
        }
    }

    @Test func anIdleConnectionIsClosedWithoutAnAnswer() async throws {
        var options = GatewayHarness.Options()
        options.limits.headerTimeoutSeconds = 1
        try await withGateway(options) { gateway in
            let before = try await gateway.ledger().count
            let answer = try await RawTLSClient.exchange(
                port: gateway.proxyPort,
                certificates: gateway.certificates,
                "",
                wait: .seconds(4)
            )
            #expect(answer.text.isEmpty)
            #expect(try await gateway.ledger().count == before)
        }
    }

    @Test(arguments: [
        "CONNECT api.acme.example:443 HTTP/1.1\r\nHost: api.acme.example:443\r\n\r\n",
        "OPTIONS /vendors/acme/events HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "TRACE /vendors/acme/events HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "HEAD /vendors/acme/events HTTP/1.1\r\nHost: localhost\r\n\r\n",
    ])
    func refusedMethodsCarryAProblemBodyAndContentLength(request: String) async throws {
        try await withGateway { gateway in
            let answer = try await RawTLSClient.exchange(
                port: gateway.proxyPort,
                certificates: gateway.certificates,
                request
            )
            let response = try #require(Self.responses(answer).first, "\(answer.text)")
            #expect(answer.status == 405, "\(answer.text)")
            #expect(response.head.contains("content-type: application/problem+json"))
            let length = response.head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            #expect(length != nil && length != "content-length: 0", "\(response.head)")
            if !request.hasPrefix("HEAD") {
                #expect(response.body.contains("method-not-allowed"))
            }
            #expect(gateway.vendor.requests.isEmpty)
        }
    }

    @Test func anHTTP10RequestWithoutHostGetsAnAccurateDetail() async throws {
        try await withGateway { gateway in
            let answer = try await RawTLSClient.exchange(
                port: gateway.proxyPort,
                certificates: gateway.certificates,
                "POST /vendors/acme/events HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
            )
            let response = try #require(Self.responses(answer).first, "\(answer.text)")
            let problem = try JSONReader.parse(Array(response.body.utf8))
            let detail = try #require(problem["detail"]?.stringValue)
            #expect(detail.contains("no Host header"), "\(detail)")
            #expect(!detail.contains("exactly one"))
        }
    }
}
