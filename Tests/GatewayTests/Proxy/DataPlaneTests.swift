import Contracts
import Foundation
import Gateway
import NIOHTTP1
import Testing

/// The data plane end to end: real TLS, a real vendor, the real ledger.
@Suite("Data plane", .serialized)
struct DataPlaneTests {
    static let batch =
        #"{"batch_id":"b-1","events":[{"user_id":"u1","email":"alice@example.com","page":"/home","card_number":"4111111111111111","ip":"203.0.113.9","extra":"x"},{"user_id":"u2","page":"/cart"}]}"#

    @Test func consentedBatchReachesTheVendorRedacted() async throws {
        try await withGateway { gateway in
            try await gateway.grant("u1")
            let response = try await gateway.share("/vendors/acme/events?campaign=spring&utm=x", json: Self.batch)
            #expect(response.status == 200)
            #expect(response.text == #"{"ok":true}"#)
            #expect(response.headers.first(name: "share-records") == "1/2")
            let shareID = try #require(response.shareID)
            let received = try #require(gateway.vendor.requests.first)
            #expect(gateway.vendor.requests.count == 1)
            #expect(received.method == "POST")
            #expect(received.uri == "/v2/events?campaign=spring")
            #expect(received.headers.first(name: "authorization") == "Bearer sk_test_acme")
            #expect(received.headers.first(name: "content-type") == "application/json")
            let body = try JSONReader.parse(received.body)
            let events = try #require(body["events"])
            guard case .array(let records) = events else {
                Issue.record("no events")
                return
            }
            #expect(records.count == 1)
            #expect(records[0]["user_id"] == .string("u1"))
            #expect(records[0]["page"] == .string("/home"))
            #expect(records[0]["card_number"] == nil)
            #expect(records[0]["ip"] == nil)
            #expect(records[0]["extra"] == nil)
            let hashed = try #require(records[0]["email"]?.stringValue)
            #expect(hashed.count == 64 && hashed != "alice@example.com")
            #expect(body["batch_id"] == .string("b-1"))
            #expect(!received.bodyText.contains("alice@example.com"))
            #expect(!received.bodyText.contains("u2"))

            let entry = try #require(try await gateway.entry(shareID))
            #expect(entry["kind"] == .string("share"))
            #expect(entry["decision"] == .string("shared"))
            #expect(entry["vendor"] == .string("acme"))
            #expect(entry["purpose"] == .string("analytics"))
            #expect(entry["records"]?["received"] == .number(JSONNumber(2)))
            #expect(entry["records"]?["sent"] == .number(JSONNumber(1)))
            #expect(entry["contract"]?["version"] == .number(JSONNumber(3)))
            let ledgerText = try await gateway.ledger().map { String(decoding: JSONWriter.bytes($0), as: UTF8.self) }
                .joined()
            #expect(!ledgerText.contains("alice@example.com"))
            #expect(!ledgerText.contains("\"u1\""))
            let outcome = try await gateway.outcome(of: shareID)
            #expect(outcome?["upstreamStatus"] == .number(JSONNumber(200)))
        }
    }

    @Test func missingConsentIsRefusedAndNothingIsSent() async throws {
        try await withGateway { gateway in
            let response: GatewayHarness.Response
            do {
                response = try await gateway.share(
                    "/vendors/acme/identify",
                    json: #"{"user_id":"u9","email":"bob@example.com"}"#
                )
            } catch {
                Issue.record("client error: \(error)")
                return
            }
            #expect(response.status == 403)
            #expect(response.headers.first(name: "content-type") == "application/problem+json")
            #expect(response.problemType == "https://vendor-gateway.example/problems/consent-missing")
            let shareID = try #require(response.json?["shareId"]?.stringValue)
            #expect(gateway.vendor.requests.isEmpty)
            let entry = try #require(try await gateway.entry(shareID))
            #expect(entry["decision"] == .string("refused"))
            #expect(entry["reason"] == .string("https://vendor-gateway.example/problems/consent-missing"))
            #expect(!response.text.contains("bob@example.com") && !response.text.contains("u9"))
        }
    }
}
