import AsyncHTTPClient
import Contracts
import Foundation
import Gateway
import NIOHTTP1
import Testing

/// Hostile and malformed input: each refused with a clear problem, logged, and nothing reaching the vendor.
@Suite("Data plane: bad input", .serialized)
struct DataPlaneAdversarialTests {
    struct BadBody: Sendable, CustomTestStringConvertible {
        var name: String
        var headers: [(String, String)]
        var body: [UInt8]
        var status: Int
        var type: String
        var testDescription: String { name }
    }

    static let json = [("content-type", "application/json"), ("share-purpose", "analytics")]
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let badBodies: [BadBody] = [
        BadBody(
            name: "duplicate keys",
            headers: json,
            body: bytes(#"{"events":[{"user_id":"u1","user_id":"u2"}]}"#),
            status: 400,
            type: "malformed-json"
        ),
        BadBody(
            name: "duplicate keys, one escaped",
            headers: json,
            body: bytes(#"{"events":[{"user_id":"u1","\u0075ser_id":"u2"}]}"#),
            status: 400,
            type: "malformed-json"
        ),
        BadBody(
            name: "trailing comma",
            headers: json,
            body: bytes(#"{"events":[{"user_id":"u1"},]}"#),
            status: 400,
            type: "malformed-json"
        ),
        BadBody(
            name: "invalid UTF-8",
            headers: json,
            body: bytes(#"{"events":[{"user_id":""#) + [0xC3, 0x28] + bytes(#""}]}"#),
            status: 400,
            type: "malformed-json"
        ),
        BadBody(
            name: "lone surrogate",
            headers: json,
            body: bytes(#"{"events":[{"user_id":"\ud800"}]}"#),
            status: 400,
            type: "malformed-json"
        ),
        BadBody(
            name: "UTF-16 body",
            headers: json,
            body: [0xFF, 0xFE] + #"{"events":[]}"#.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
            status: 400,
            type: "malformed-json"
        ),
        BadBody(
            name: "byte order mark",
            headers: json,
            body: [0xEF, 0xBB, 0xBF] + bytes(#"{"events":[{"user_id":"u1"}]}"#),
            status: 400,
            type: "malformed-json"
        ),
        BadBody(
            name: "100,000 nested arrays",
            headers: json,
            body: Array(repeating: UInt8(ascii: "["), count: 100_000),
            status: 400,
            type: "malformed-json"
        ),
        BadBody(
            name: "number out of range",
            headers: json,
            body: bytes(#"{"events":[{"user_id":"u1","page":1e400}]}"#),
            status: 400,
            type: "malformed-json"
        ),
        BadBody(
            name: "JSON sent as text/plain",
            headers: [("content-type", "text/plain"), ("share-purpose", "analytics")],
            body: bytes(#"{"events":[{"user_id":"u1"}]}"#),
            status: 415,
            type: "media-type-unsupported"
        ),
        BadBody(
            name: "no content type",
            headers: [("share-purpose", "analytics")],
            body: bytes(#"{"events":[{"user_id":"u1"}]}"#),
            status: 415,
            type: "media-type-unsupported"
        ),
        BadBody(
            name: "JSON in another charset",
            headers: [("content-type", "application/json; charset=iso-8859-1"), ("share-purpose", "analytics")],
            body: bytes(#"{"events":[]}"#),
            status: 415,
            type: "media-type-unsupported"
        ),
        BadBody(
            name: "Content-Encoding br",
            headers: json + [("content-encoding", "br")],
            body: bytes(#"{"events":[{"user_id":"u1"}]}"#),
            status: 415,
            type: "encoding-unsupported"
        ),
        BadBody(
            name: "Content-Encoding gzip, gzip",
            headers: json + [("content-encoding", "gzip, gzip")],
            body: GzipEncoder.encode(GzipEncoder.encode(bytes(#"{"events":[]}"#))),
            status: 415,
            type: "encoding-unsupported"
        ),
        BadBody(
            name: "two Content-Encoding headers",
            headers: json + [("content-encoding", "gzip"), ("content-encoding", "gzip")],
            body: GzipEncoder.encode(GzipEncoder.encode(bytes(#"{"events":[]}"#))),
            status: 415,
            type: "encoding-unsupported"
        ),
        BadBody(
            name: "gzip bomb",
            headers: json + [("content-encoding", "gzip")],
            body: GzipEncoder.encode(
                bytes(#"{"events":[{"user_id":""#) + Array(repeating: UInt8(ascii: "a"), count: 50 << 20)
                    + bytes(#""}]}"#)
            ),
            status: 413,
            type: "body-too-large"
        ),
        BadBody(
            name: "corrupt gzip",
            headers: json + [("content-encoding", "gzip")],
            body: [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF, 1, 2, 3],
            status: 415,
            type: "encoding-unsupported"
        ),
        BadBody(
            name: "body over the limit",
            headers: json,
            body: bytes(#"{"events":[{"user_id":""#) + Array(repeating: UInt8(ascii: "a"), count: 2 << 20)
                + bytes(#""}]}"#),
            status: 413,
            type: "body-too-large"
        ),
        BadBody(
            name: "form with repeated keys",
            headers: [("content-type", "application/x-www-form-urlencoded"), ("share-purpose", "analytics")],
            body: bytes("user_id=u1&user_id=u2"),
            status: 400,
            type: "malformed-form"
        ),
        BadBody(
            name: "form with bracketed keys",
            headers: [("content-type", "application/x-www-form-urlencoded"), ("share-purpose", "analytics")],
            body: bytes("user_id=u1&email[0]=a"),
            status: 400,
            type: "malformed-form"
        ),
    ]

    @Test(arguments: badBodies)
    func badBodyIsRefused(_ bad: BadBody) async throws {
        try await withGateway { gateway in
            try await gateway.grant("u1")
            let path = bad.name.hasPrefix("form") ? "/vendors/acme/identify" : "/vendors/acme/events"
            let response = try await gateway.send(.POST, path, headers: bad.headers, body: bad.body)
            #expect(response.status == bad.status)
            #expect(response.problemType == ProblemDetails.typePrefix + bad.type)
            #expect(response.headers.first(name: "content-type") == "application/problem+json")
            #expect(gateway.vendor.requests.isEmpty, "something reached the vendor")
            let shareID = try #require(response.json?["shareId"]?.stringValue)
            let entry = try #require(try await gateway.entry(shareID))
            #expect(entry["decision"] == .string("refused"))
            #expect(entry["reason"] == .string(ProblemDetails.typePrefix + bad.type))
        }
    }

    @Test func gzipBodyIsDecodedAndSentPlain() async throws {
        try await withGateway { gateway in
            try await gateway.grant("u1")
            let body = GzipEncoder.encode(Self.bytes(#"{"events":[{"user_id":"u1","page":"/a"}]}"#))
            let response = try await gateway.send(
                .POST,
                "/vendors/acme/events",
                headers: Self.json + [("content-encoding", "gzip")],
                body: body
            )
            #expect(response.status == 200)
            let received = try #require(gateway.vendor.requests.first)
            #expect(received.headers["content-encoding"].isEmpty)
            #expect(received.bodyText == #"{"events":[{"user_id":"u1","page":"/a"}]}"#)
        }
    }

    @Test func formBodyGoesThroughTheSamePolicy() async throws {
        try await withGateway { gateway in
            try await gateway.grant("u1")
            let response = try await gateway.send(
                .POST,
                "/vendors/acme/identify",
                headers: [("content-type", "application/x-www-form-urlencoded"), ("share-purpose", "analytics")],
                body: Self.bytes("user_id=u1&email=alice%40example.com&page=%2Fhome&ssn=ssn-marker-xyz")
            )
            #expect(response.status == 200)
            let received = try #require(gateway.vendor.requests.first)
            #expect(received.headers.first(name: "content-type") == "application/x-www-form-urlencoded")
            let members = try FormCodec.parse(received.body)
            #expect(members.map(\.key) == ["user_id", "email", "page"])
            #expect(members[0].value == .string("u1"))
            #expect(members[2].value == .string("/home"))
            #expect(members[1].value.stringValue?.count == 64)
            #expect(!received.bodyText.contains("alice"))
            // A marker with letters outside hex: a pseudonym (64 hex digits) cannot contain it by chance.
            #expect(!received.bodyText.contains("ssn-marker-xyz"))
            #expect(!received.bodyText.contains("ssn="))
        }
    }

    static let rawRequests: [(String, String)] = [
        (
            "Transfer-Encoding gzip, chunked",
            "POST /vendors/acme/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nShare-Purpose: analytics\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\n{\"a\":\r\n0\r\n\r\n"
        ),
        (
            "Content-Length and Transfer-Encoding",
            "POST /vendors/acme/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nShare-Purpose: analytics\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        ),
        (
            "absolute-form target",
            "POST https://evil.example/vendors/acme/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nShare-Purpose: analytics\r\nContent-Length: 2\r\n\r\n{}"
        ),
        (
            "duplicate Host",
            "POST /vendors/acme/events HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nContent-Type: application/json\r\nShare-Purpose: analytics\r\nContent-Length: 2\r\n\r\n{}"
        ),
        (
            "dot-dot segment",
            "POST /vendors/acme/../acme/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        ),
        (
            "encoded dots",
            "POST /vendors/acme/%2e%2e/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        ),
        (
            "encoded slash",
            "POST /vendors/acme%2fevents HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        ),
        (
            "encoded backslash",
            "POST /vendors/acme/%5cevents HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        ),
        (
            "empty segment",
            "POST /vendors/acme//events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        ),
        ("not HTTP at all", "\u{16}\u{03}garbage\r\n\r\n"),
    ]

    @Test(arguments: rawRequests.map(\.0))
    func ambiguousRequestIsRefused(_ name: String) async throws {
        let request = try #require(Self.rawRequests.first { $0.0 == name }?.1)
        try await withGateway { gateway in
            try await gateway.grant("u1")
            let answer = try await RawTLSClient.exchange(
                port: gateway.proxyPort,
                certificates: gateway.certificates,
                request
            )
            #expect(answer.status == 400, "\(answer.text)")
            #expect(answer.text.lowercased().contains("content-type: application/problem+json"))
            #expect(gateway.vendor.requests.isEmpty)
        }
    }

    @Test func forwardingHeadersCannotRerouteAndPersonalHeadersStayBehind() async throws {
        try await withGateway { gateway in
            try await gateway.grant("u1")
            let response = try await gateway.share(
                "/vendors/acme/events?campaign=c1&email=alice%40example.com",
                json: #"{"events":[{"user_id":"u1"}]}"#,
                headers: [
                    ("x-forwarded-host", "evil.example"), ("forwarded", "host=evil.example;proto=http"),
                    ("x-forwarded-for", "10.0.0.1"), ("cookie", "session=alice"),
                    ("referer", "https://shop.example/?email=alice"),
                    ("x-user-email", "alice@example.com"), ("authorization", "Bearer client-secret"),
                    ("accept", "application/json"),
                    ("x-request-id", "req-123"),
                ]
            )
            #expect(response.status == 200)
            let received = try #require(gateway.vendor.requests.first)
            #expect(received.uri == "/v2/events?campaign=c1")
            #expect(received.headers.first(name: "host") == "127.0.0.1:\(gateway.vendor.port)")
            for name in ["x-forwarded-host", "forwarded", "x-forwarded-for", "cookie", "referer", "x-user-email"] {
                #expect(received.headers[name].isEmpty, "\(name) was forwarded")
            }
            #expect(received.headers.first(name: "authorization") == "Bearer sk_test_acme")
            #expect(received.headers.first(name: "accept") == "application/json")
            #expect(received.headers.first(name: "x-request-id") == "req-123")
            let everything =
                received.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n") + received.uri
                + received.bodyText
            #expect(!everything.contains("alice"))
        }
    }

    @Test func vendorRedirectIsNeverFollowed() async throws {
        try await withGateway { gateway in
            let other = try await TestVendor.start(authority: gateway.vendorAuthority)
            defer { Task { await other.stop() } }
            try await gateway.grant("u1")
            gateway.vendor.setReply(
                .init(status: .found, headers: [("location", "https://127.0.0.1:\(other.port)/steal")], body: "")
            )
            let response = try await gateway.share("/vendors/acme/events", json: #"{"events":[{"user_id":"u1"}]}"#)
            #expect(response.status == 502)
            #expect(response.problemType == ProblemDetails.typePrefix + "upstream-redirect")
            #expect(response.headers["location"].isEmpty)
            #expect(gateway.vendor.requests.count == 1)
            #expect(other.requests.isEmpty)
            let shareID = try #require(response.json?["shareId"]?.stringValue)
            let outcome = try await gateway.outcome(of: shareID)
            #expect(outcome?["upstreamStatus"] == .number(JSONNumber(302)))
        }
    }

    @Test(arguments: ["expired", "wrong name"])
    func vendorWithABadCertificateIsNotSentTo(_ problem: String) async throws {
        try await withGateway { gateway in
            let bad =
                problem == "expired"
                ? try await TestVendor.start(
                    authority: gateway.vendorAuthority,
                    notAfter: Date().addingTimeInterval(-3600)
                )
                : try await TestVendor.start(authority: gateway.vendorAuthority, hosts: ["wrong.example"])
            defer { Task { await bad.stop() } }
            let xml = TestAgreements.minimal(vendor: "beta").replacingOccurrences(
                of: "VENDOR_PORT",
                with: String(bad.port)
            )
            _ = try await gateway.runtime.importAgreement(Array(xml.utf8), approve: true)
            try await gateway.grant("u1", vendor: "beta")
            let response = try await gateway.share("/vendors/beta/track", json: #"{"user_id":"u1"}"#)
            #expect(response.status == 502)
            #expect(response.problemType == ProblemDetails.typePrefix + "upstream-tls")
            #expect(bad.requests.isEmpty)
        }
    }

    @Test func clientWithoutACertificateCannotConnect() async throws {
        try await withGateway { gateway in
            let request =
                "POST /vendors/acme/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nShare-Purpose: analytics\r\nContent-Length: 2\r\n\r\n{}"
            let answer = try? await RawTLSClient.exchange(
                port: gateway.proxyPort,
                certificates: gateway.certificates,
                service: nil,
                request
            )
            #expect(answer?.status == nil)
            #expect(gateway.vendor.requests.isEmpty)
        }
    }

    @Test func clientCertificateFromAnotherCAIsRejected() async throws {
        try await withGateway { gateway in
            let rogue = CertificateDirectory(path: gateway.directory.appendingPathComponent("rogue").path)
            try rogue.initialize()
            let request =
                "POST /vendors/acme/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nShare-Purpose: analytics\r\nContent-Length: 2\r\n\r\n{}"
            let answer = try? await RawTLSClient.exchange(
                port: gateway.proxyPort,
                certificates: gateway.certificates,
                clientCertificate: (rogue.clientCertificatePath("demo-service"), rogue.clientKeyPath("demo-service")),
                request
            )
            #expect(answer?.status == nil)
            #expect(gateway.vendor.requests.isEmpty)
        }
    }

    @Test func serviceNotInTheAgreementIsRefused() async throws {
        try await withGateway { gateway in
            try await gateway.grant("u1")
            let client = try GatewayHarness.makeClient(certificates: gateway.certificates, service: "billing")
            defer { Task { try? await client.shutdown() } }
            let response = try await gateway.send(
                .POST,
                "/vendors/acme/events",
                headers: Self.json,
                body: Self.bytes(#"{"events":[{"user_id":"u1"}]}"#),
                client: client
            )
            #expect(response.status == 403)
            #expect(response.problemType == ProblemDetails.typePrefix + "service-not-allowed")
            #expect(gateway.vendor.requests.isEmpty)
            let shareID = try #require(response.json?["shareId"]?.stringValue)
            let entry = try #require(try await gateway.entry(shareID))
            #expect(entry["service"] == .string("billing"))
        }
    }

    @Test func undeclaredOperationAndUnknownVendorAreRefused() async throws {
        try await withGateway { gateway in
            try await gateway.grant("u1")
            let undeclared = try await gateway.share("/vendors/acme/admin/export", json: #"{"user_id":"u1"}"#)
            #expect(undeclared.status == 403)
            #expect(undeclared.problemType == ProblemDetails.typePrefix + "operation-not-declared")
            let unknown = try await gateway.share("/vendors/nobody/events", json: #"{"user_id":"u1"}"#)
            #expect(unknown.status == 404)
            #expect(unknown.problemType == ProblemDetails.typePrefix + "vendor-unknown")
            let wrongMethod = try await gateway.share("/vendors/acme/events", json: #"{"events":[]}"#, method: .PUT)
            #expect(wrongMethod.problemType == ProblemDetails.typePrefix + "operation-not-declared")
            #expect(gateway.vendor.requests.isEmpty)
        }
    }

    @Test func suspendedVendorReceivesNothingFromTheNextRequest() async throws {
        try await withGateway { gateway in
            try await gateway.grant("u1")
            let before = try await gateway.share("/vendors/acme/events", json: #"{"events":[{"user_id":"u1"}]}"#)
            #expect(before.status == 200)
            _ = try await gateway.runtime.registry.setStatus(vendorID: "acme", .suspended, by: "alice")
            let after = try await gateway.share("/vendors/acme/events", json: #"{"events":[{"user_id":"u1"}]}"#)
            #expect(after.status == 403)
            #expect(after.problemType == ProblemDetails.typePrefix + "vendor-suspended")
            #expect(gateway.vendor.requests.count == 1)
        }
    }

    @Test func expiredContractIsRefused() async throws {
        try await withGateway(.init(agreements: [TestAgreements.acmeExpired])) { gateway in
            try await gateway.grant("u1")
            let response = try await gateway.share("/vendors/acme/events", json: #"{"events":[{"user_id":"u1"}]}"#)
            #expect(response.status == 403)
            #expect(response.problemType == ProblemDetails.typePrefix + "contract-expired")
            #expect(gateway.vendor.requests.isEmpty)
        }
    }

    @Test func unapprovedContractIsRefused() async throws {
        try await withGateway(.init(approve: false)) { gateway in
            try await gateway.grant("u1")
            let response = try await gateway.share("/vendors/acme/events", json: #"{"events":[{"user_id":"u1"}]}"#)
            #expect(response.problemType == ProblemDetails.typePrefix + "contract-not-approved")
            #expect(gateway.vendor.requests.isEmpty)
        }
    }

    @Test func shareLogThatCannotBeWrittenMeansNothingIsSent() async throws {
        try await withGateway { gateway in
            try await gateway.grant("u1")
            gateway.runtime.shareLog.stop()
            try await Task.sleep(for: .milliseconds(200))
            let response = try await gateway.share("/vendors/acme/events", json: #"{"events":[{"user_id":"u1"}]}"#)
            #expect(response.status == 503)
            #expect(response.problemType == ProblemDetails.typePrefix + "log-unavailable")
            #expect(gateway.vendor.requests.isEmpty)
        }
    }

    @Test func perVendorConcurrencyIsBounded() async throws {
        var limits = GatewayLimits()
        limits.maxConcurrencyPerVendor = 1
        try await withGateway(.init(limits: limits)) { gateway in
            try await gateway.grant("u1")
            gateway.vendor.setReply(.init(delay: .seconds(1)))
            async let first = gateway.share("/vendors/acme/events", json: #"{"events":[{"user_id":"u1"}]}"#)
            // Wait until the first request holds the vendor's only slot (it has reached the vendor).
            for _ in 0..<200 where gateway.vendor.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            let second = try await gateway.share("/vendors/acme/events", json: #"{"events":[{"user_id":"u1"}]}"#)
            #expect(second.status == 503)
            #expect(second.problemType == ProblemDetails.typePrefix + "vendor-busy")
            #expect(try await first.status == 200)
            #expect(gateway.vendor.requests.count == 1)
        }
    }

    @Test func slowVendorIsAGatewayTimeout() async throws {
        var limits = GatewayLimits()
        limits.upstreamResponseTimeoutSeconds = 1
        try await withGateway(.init(limits: limits)) { gateway in
            try await gateway.grant("u1")
            gateway.vendor.setReply(.init(delay: .seconds(3)))
            let response = try await gateway.share("/vendors/acme/events", json: #"{"events":[{"user_id":"u1"}]}"#)
            #expect(response.status == 504)
            #expect(response.problemType == ProblemDetails.typePrefix + "upstream-timeout")
        }
    }

    @Test func tooManyHeadersIsA431() async throws {
        try await withGateway { gateway in
            let headers = (0..<80).map { ("x-filler-\($0)", "v") } + Self.json
            let response = try await gateway.send(
                .POST,
                "/vendors/acme/events",
                headers: headers,
                body: Self.bytes(#"{"events":[]}"#)
            )
            #expect(response.status == 431)
            #expect(response.problemType == ProblemDetails.typePrefix + "headers-too-large")
            #expect(gateway.vendor.requests.isEmpty)
        }
    }
}
