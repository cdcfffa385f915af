import Contracts
import Foundation
import Gateway
import NIOHTTP1
import Testing

/// DESIGN, "Share log": no text the client chose enters an entry unless it matched the registry or the
/// taxonomy. The entry is append-only, so a personal value that got in could never be removed.
@Suite("Share entries hold no client text", .serialized)
struct ShareEntryContentTests {
    static let record = #"{"events":[{"user_id":"u1","page":"/a"}]}"#

    @Test(arguments: [ContractStanding.suspended, .terminated, .pending])
    func refusalsBeforeTheOperationCheckNameNoClientPath(standing: ContractStanding) async throws {
        var options = GatewayHarness.Options()
        options.approve = standing != .pending
        try await withGateway(options) { gateway in
            try await gateway.grant("u1")
            switch standing {
            case .suspended:
                _ = try await gateway.runtime.registry.setStatus(vendorID: "acme", .suspended, by: "alice")
            case .terminated:
                _ = try await gateway.runtime.registry.setStatus(vendorID: "acme", .terminated, by: "alice")
            default: break
            }
            let personal = try await gateway.share("/vendors/acme/users/alice@example.com", json: Self.record)
            #expect(personal.status == 403)
            let declared = try await gateway.share("/vendors/acme/events", json: Self.record)
            #expect(declared.status == 403)
            let personalEntryID = try #require(personal.json?["shareId"]?.stringValue)
            let personalEntry = try #require(try await gateway.entry(personalEntryID))
            #expect(personalEntry["operation"] == .null)
            #expect(personalEntry["vendor"] == .string("acme"))
            let declaredEntryID = try #require(declared.json?["shareId"]?.stringValue)
            let declaredEntry = try #require(try await gateway.entry(declaredEntryID))
            #expect(declaredEntry["operation"] == .string("/events"))
            #expect(gateway.vendor.requests.isEmpty)
        }
    }

    @Test func anExpiredContractsRefusalNamesOnlyADeclaredOperation() async throws {
        try await withGateway(.init(agreements: [TestAgreements.acmeExpired])) { gateway in
            let response = try await gateway.share("/vendors/acme/customers/4711-0815-2222", json: "{}")
            #expect(response.problemType == ProblemDetails.typePrefix + "contract-expired")
            let entryID = try #require(response.json?["shareId"]?.stringValue)
            let entry = try #require(try await gateway.entry(entryID))
            #expect(entry["operation"] == .null)
        }
    }

    @Test func unmappedMemberAndQueryNamesAreNeverWritten() async throws {
        try await withGateway { gateway in
            try await gateway.grant("u1")
            let response = try await gateway.share(
                "/vendors/acme/events?campaign=c&customer_4711=1&bob%40example.com=x",
                json: #"{"events":[{"user_id":"u1","customer_4711":"v","carol@example.com":"v"}],"dave_smith":1}"#
            )
            #expect(response.status == 200)
            let shareID = try #require(response.shareID)
            let entry = try #require(try await gateway.entry(shareID))
            let text = String(decoding: JSONWriter.bytes(entry), as: UTF8.self)
            for name in ["customer_4711", "carol@example.com", "dave_smith", "bob@example.com", "bob%40"] {
                #expect(!text.contains(name), "\(name) in \(text)")
            }
            guard case .array(let fields)? = entry["fields"] else {
                Issue.record("no fields")
                return
            }
            let unmapped = fields.filter { $0["reason"] == .string("unmapped") }
            #expect(
                Set(unmapped.compactMap { $0["path"]?.stringValue }) == ["@.*", "$.*", "?*"],
                "\(unmapped)"
            )
            let counts = Dictionary(
                uniqueKeysWithValues: unmapped.compactMap { field -> (String, Int)? in
                    guard let path = field["path"]?.stringValue, case .number(let number)? = field["count"],
                        let count = number.intValue
                    else { return nil }
                    return (path, count)
                }
            )
            #expect(counts == ["@.*": 2, "$.*": 1, "?*": 2])
        }
    }

    @Test func earlyRefusalsNameOnlyARegisteredVendorInEntriesAndMetrics() async throws {
        var options = GatewayHarness.Options()
        options.limits.maxBodyBytes = 64
        try await withGateway(options) { gateway in
            let big = String(repeating: "x", count: 200)
            let unknown = try await gateway.share("/vendors/alice.smith/events", json: #"{"a":"\#(big)"}"#)
            #expect(unknown.status == 413)
            let known = try await gateway.share("/vendors/acme/events", json: #"{"a":"\#(big)"}"#)
            #expect(known.status == 413)
            let unknownEntryID = try #require(unknown.json?["shareId"]?.stringValue)
            let unknownEntry = try #require(try await gateway.entry(unknownEntryID))
            #expect(unknownEntry["vendor"] == .null)
            let knownEntryID = try #require(known.json?["shareId"]?.stringValue)
            let knownEntry = try #require(try await gateway.entry(knownEntryID))
            #expect(knownEntry["vendor"] == .string("acme"))
            let notFound = try await gateway.share("/vendors/bob.jones/events", json: "{}")
            #expect(notFound.problemType == ProblemDetails.typePrefix + "vendor-unknown")
            let metrics = try await gateway.admin(.GET, "/metrics", token: nil)
            #expect(!metrics.text.contains("alice.smith") && !metrics.text.contains("bob.jones"), "\(metrics.text)")
            #expect(metrics.text.contains(#"vendor="unknown""#))
        }
    }

    @Test func aMethodTheParserDoesNotKnowIsLoggedAsInvalid() async throws {
        try await withGateway { gateway in
            let answer = try await RawTLSClient.exchange(
                port: gateway.proxyPort,
                certificates: gateway.certificates,
                "ALICEXSMITH /vendors/acme/events HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"
            )
            #expect(answer.status == 400 || answer.status == 405, "\(answer.text)")
            let text = try await gateway.ledger().map { String(decoding: JSONWriter.bytes($0), as: UTF8.self) }
                .joined()
            #expect(!text.contains("ALICEXSMITH"))
        }
    }
}

/// Item 8 of the leak issue: the admin API's preview and registration, as DESIGN says.
@Suite("Admin API: preview subject and every registration error", .serialized)
struct AdminGapTests {
    @Test func previewTakesTheSubjectOfAShareSubjectOperation() async throws {
        try await withGateway { gateway in
            let alice = try await gateway.token(.procurement, name: "alice")
            let body = #"""
                {"vendor":"acme","purpose":"analytics","method":"GET","operation":"/lookup","subject":"u7",
                 "query":{"campaign":"c1"},
                 "consents":[{"purpose":"analytics","vendor":"acme","status":"granted","givenAt":"2026-11-01T00:00:00Z",
                 "source":"test"}]}
                """#
            let preview = try await gateway.admin(.POST, "/v1/preview", token: alice, body: Array(body.utf8))
            #expect(preview.status == 200, "\(preview.text)")
            #expect(preview.json?["decision"] == .string("shared"), "\(preview.text)")
            #expect(preview.json?["query"]?["campaign"] == .string("c1"))
            let without = try await gateway.admin(
                .POST,
                "/v1/preview",
                token: alice,
                body: Array(body.replacingOccurrences(of: #""subject":"u7","#, with: "").utf8)
            )
            #expect(without.json?["decision"] == .string("refused"))
            #expect(without.json?["reason"]?["type"] == .string(ProblemDetails.typePrefix + "subject-missing"))
        }
    }

    @Test func aSchemaErrorDoesNotHideAMisspeltCategory() async throws {
        try await withGateway(.init(agreements: [])) { gateway in
            let alice = try await gateway.token(.procurement, name: "alice")
            var text = TestAgreements.acme.replacingOccurrences(
                of: #"<category ref="user.behavior.browsing_history"/>"#,
                with: #"<category ref="user.behavior.browsing_histroy"/>"#
            )
            text = text.replacingOccurrences(of: #"transform="generalize""#, with: #"transform="blur""#)
            text = text.replacingOccurrences(of: "VENDOR_PORT", with: "1")
            let response = try await gateway.admin(
                .POST,
                "/v1/vendors",
                token: alice,
                body: Array(text.utf8),
                contentType: "application/xml"
            )
            #expect(response.status == 422)
            guard case .array(let errors)? = response.json?["errors"] else {
                Issue.record("no errors: \(response.text)")
                return
            }
            let messages = errors.compactMap { $0["message"]?.stringValue }
            #expect(messages.contains { $0.contains("blur") }, "\(messages)")
            #expect(messages.contains("unknown category `user.behavior.browsing_histroy`"), "\(messages)")
        }
    }
}
