import Contracts
import Foundation
import NIOHTTP1
import Testing

@testable import Gateway

/// The admin API with real TLS, real tokens and the real database.
@Suite("Admin API", .serialized)
struct AdminAPITests {
    static func xml(_ text: String, port: Int) -> [UInt8] {
        Array(text.replacingOccurrences(of: "VENDOR_PORT", with: String(port)).utf8)
    }

    @Test func tokensAndRoles() async throws {
        try await withGateway { gateway in
            let auditor = try await gateway.token(.auditor, name: "audrey")
            let consent = try await gateway.token(.consent, name: "cmp")
            let missing = try await gateway.admin(.GET, "/v1/vendors", token: nil)
            #expect(missing.status == 401)
            #expect(missing.problemType == ProblemDetails.typePrefix + "unauthorized")
            #expect(missing.headers.first(name: "content-type") == "application/problem+json")
            let unknown = try await gateway.admin(.GET, "/v1/vendors", token: "gwt_not-a-real-token")
            #expect(unknown.status == 401)
            let wrongRole = try await gateway.admin(.GET, "/v1/vendors", token: consent)
            #expect(wrongRole.status == 403)
            #expect(wrongRole.problemType == ProblemDetails.typePrefix + "forbidden")
            let ok = try await gateway.admin(.GET, "/v1/vendors", token: auditor)
            #expect(ok.status == 200)
            #expect(ok.json?["vendors"] != nil)
            // Revoked tokens stop working at once.
            #expect(try await TokenService(store: gateway.runtime.store).revoke("audrey"))
            #expect(try await gateway.admin(.GET, "/v1/vendors", token: auditor).status == 401)
            // Only hashes are stored.
            let stored = try await gateway.runtime.store.tokens()
            #expect(stored.count == 2)
            if gateway.database == nil {
                let databaseBytes = try Data(contentsOf: URL(fileURLWithPath: gateway.runtime.configuration.sqlitePath))
                #expect(databaseBytes.range(of: Data(consent.utf8)) == nil)
            }
        }
    }

    @Test func theProcurementStory() async throws {
        try await withGateway(.init(agreements: [])) { gateway in
            let alice = try await gateway.token(.procurement, name: "alice")
            let bob = try await gateway.token(.procurement, name: "bob")
            let auditor = try await gateway.token(.auditor, name: "audrey")

            // Register: pending.
            let registered = try await gateway.admin(
                .POST,
                "/v1/vendors",
                token: alice,
                body: Self.xml(TestAgreements.acme, port: gateway.vendor.port),
                contentType: "application/xml"
            )
            #expect(registered.status == 201)
            #expect(registered.json?["status"] == .string("pending"))
            #expect(registered.json?["vendor"] == .string("acme"))
            #expect(registered.json?["digest"]?.stringValue?.hasPrefix("sha256:") == true)

            // Preview before approval: exactly what would leave.
            let preview = try await gateway.admin(
                .POST,
                "/v1/preview",
                token: alice,
                body: Array(
                    #"""
                    {"vendor":"acme","purpose":"analytics","method":"POST","operation":"/events",
                     "body":{"batch_id":"b","events":[{"user_id":"u1","email":"a@example.com","card_number":"4111"},{"user_id":"u2"}]},
                     "consents":[{"subject":"u1","purpose":"analytics","vendor":"acme","status":"granted","givenAt":"2026-11-01T00:00:00Z","source":"test"}]}
                    """#.utf8
                )
            )
            #expect(preview.status == 200, "\(preview.text)")
            #expect(preview.json?["decision"] == .string("shared"))
            #expect(preview.json?["records"]?["sent"] == .number(JSONNumber(1)))
            guard case .array(let events)? = preview.json?["body"]?["events"] else {
                Issue.record("no events")
                return
            }
            #expect(
                events.count == 1 && events[0]["card_number"] == nil && events[0]["email"]?.stringValue?.count == 64
            )
            #expect(gateway.vendor.requests.isEmpty)

            // A share before approval is refused.
            _ = try await gateway.runtime.consents.put([
                ConsentRecord(
                    subject: "u1",
                    purpose: "analytics",
                    vendor: "acme",
                    status: .granted,
                    givenAt: .now(),
                    source: "test"
                )
            ])
            #expect(
                try await gateway.share("/vendors/acme/events", json: #"{"events":[{"user_id":"u1"}]}"#).problemType
                    == ProblemDetails.typePrefix + "contract-not-approved"
            )

            // The registrant cannot approve; someone else can.
            let selfApproval = try await gateway.admin(.POST, "/v1/vendors/acme/approve", token: alice)
            #expect(selfApproval.status == 409)
            let approved = try await gateway.admin(.POST, "/v1/vendors/acme/approve", token: bob)
            #expect(approved.status == 200)
            #expect(approved.json?["status"] == .string("approved"))
            #expect(approved.json?["approvedBy"] == .string("bob"))

            // Share; suspend; the next share is refused.
            let shared = try await gateway.share(
                "/vendors/acme/events",
                json: #"{"events":[{"user_id":"u1","page":"/p"}]}"#
            )
            #expect(shared.status == 200)
            let suspended = try await gateway.admin(.POST, "/v1/vendors/acme/suspend", token: bob)
            #expect(suspended.json?["status"] == .string("suspended"))
            let refused = try await gateway.share("/vendors/acme/events", json: #"{"events":[{"user_id":"u1"}]}"#)
            #expect(refused.problemType == ProblemDetails.typePrefix + "vendor-suspended")
            #expect(gateway.vendor.requests.count == 1)

            // The auditor reads it all back.
            let vendors = try await gateway.admin(.GET, "/v1/vendors/acme", token: auditor)
            guard case .array(let versions)? = vendors.json?["versions"] else {
                Issue.record("no versions")
                return
            }
            #expect(versions.count == 1 && versions[0]["registeredBy"] == .string("alice"))
            let xml = try await gateway.admin(.GET, "/v1/vendors/acme/versions/3", token: auditor)
            #expect(xml.status == 200 && xml.text.contains("acme-analytics"))
            let shares = try await gateway.admin(.GET, "/v1/shares?vendor=acme&decision=shared", token: auditor)
            guard case .array(let entries)? = shares.json?["entries"] else {
                Issue.record("no entries")
                return
            }
            #expect(entries.count == 1 && entries[0]["id"] == .string(shared.shareID!))
            let disclosures = try await gateway.admin(.GET, "/v1/subjects/u1/disclosures", token: auditor)
            guard case .array(let recipients)? = disclosures.json?["recipients"] else {
                Issue.record("no recipients")
                return
            }
            #expect(recipients.count == 1)
            #expect(recipients[0]["vendor"] == .string("acme"))
            #expect(recipients[0]["purposes"] == .array([.string("analytics")]))
            #expect(recipients[0]["shares"] == .number(JSONNumber(1)))
            #expect(disclosures.json?["refusedRequests"] == .number(JSONNumber(2)))
            let calls = try await gateway.admin(.GET, "/v1/admin/calls", token: auditor)
            guard case .array(let recorded)? = calls.json?["calls"] else {
                Issue.record("no calls")
                return
            }
            #expect(
                recorded.contains {
                    $0["principal"] == .string("alice") && $0["route"] == .string("/v1/vendors/{id}/approve")
                        && $0["status"] == .number(JSONNumber(409))
                }
            )
            #expect(
                recorded.contains {
                    $0["principal"] == .string("bob") && $0["route"] == .string("/v1/vendors/{id}/suspend")
                }
            )
            #expect(recorded.contains { $0["principal"] == .string("audrey") && $0["route"] == .string("/v1/shares") })
        }
    }

    @Test func invalidAgreementIsA422WithEveryProblem() async throws {
        try await withGateway(.init(agreements: [])) { gateway in
            let alice = try await gateway.token(.procurement, name: "alice")
            var text = TestAgreements.acme.replacingOccurrences(
                of: "user.contact.email\" transform",
                with: "user.contact.emial\" transform"
            )
            text = text.replacingOccurrences(of: "expires=\"2027-12-31\"", with: "expires=\"2025-12-31\"")
            let response = try await gateway.admin(
                .POST,
                "/v1/vendors",
                token: alice,
                body: Self.xml(text, port: 1),
                contentType: "application/xml"
            )
            #expect(response.status == 422)
            guard case .array(let errors)? = response.json?["errors"] else {
                Issue.record("no errors")
                return
            }
            #expect(errors.count == 2)
            #expect(
                errors.contains {
                    $0["message"] == .string("unknown category `user.contact.emial`")
                        && $0["hint"] == .string("did you mean `user.contact.email`?")
                }
            )
            #expect(errors.allSatisfy { ($0["line"]?.intValueFromNumber ?? 0) > 0 })
            let malformed = try await gateway.admin(
                .POST,
                "/v1/vendors",
                token: alice,
                body: Array("<agreement".utf8),
                contentType: "application/xml"
            )
            #expect(malformed.status == 422)
            #expect(try await gateway.runtime.store.vendors().isEmpty)
        }
    }

    @Test func consentLifecycleAndErasure() async throws {
        try await withGateway { gateway in
            let cmp = try await gateway.token(.consent, name: "cmp")
            let auditor = try await gateway.token(.auditor, name: "audrey")
            let grant =
                #"{"purpose":"analytics","vendor":"acme","status":"granted","categories":["user.unique_id","user.behavior"],"givenAt":"2026-11-01T10:00:00Z","expiresAt":"2027-11-01T00:00:00Z","source":"cmp:web","evidence":"rcpt-81f2"}"#
            let put = try await gateway.admin(.PUT, "/v1/subjects/u1/consents", token: cmp, body: Array(grant.utf8))
            #expect(put.status == 200, "\(put.text)")
            #expect(put.json?["stored"] == .number(JSONNumber(1)))
            // Idempotent.
            let again = try await gateway.admin(.PUT, "/v1/subjects/u1/consents", token: cmp, body: Array(grant.utf8))
            #expect(again.json?["stored"] == .number(JSONNumber(0)))
            // A list with one bad record stores nothing and names the index.
            let list =
                "[\(grant),{\"purpose\":\"analytcs\",\"status\":\"granted\",\"givenAt\":\"2026-11-01T10:00:00Z\",\"source\":\"x\"},{\"purpose\":\"analytics\",\"status\":\"granted\",\"givenAt\":\"yesterday\",\"source\":\"x\"},{\"purpose\":\"analytics\",\"status\":\"granted\",\"givenAt\":\"2026-11-01T10:00:00Z\",\"source\":\"x\",\"color\":\"red\"},{\"purpose\":\"analytics\",\"vendor\":\"nobody\",\"status\":\"granted\",\"givenAt\":\"2026-11-01T10:00:00Z\",\"source\":\"x\"}]"
            let bad = try await gateway.admin(.PUT, "/v1/subjects/u2/consents", token: cmp, body: Array(list.utf8))
            #expect(bad.status == 422)
            guard case .array(let errors)? = bad.json?["errors"] else {
                Issue.record("no errors")
                return
            }
            #expect(errors.map { $0["index"]?.intValueFromNumber ?? -1 } == [1, 2, 3, 4])
            #expect(try await gateway.runtime.consents.history(subject: "u2").isEmpty)

            let shared = try await gateway.share(
                "/vendors/acme/events",
                json: #"{"events":[{"user_id":"u1","page":"/x","email":"a@b.example"}]}"#
            )
            #expect(shared.status == 200)
            #expect(!gateway.vendor.requests[0].bodyText.contains("email"), "email is outside the consent's categories")

            // Withdraw: the very next share is refused.
            let withdraw =
                #"{"purpose":"analytics","vendor":"acme","status":"withdrawn","givenAt":"2026-11-02T10:00:00Z","source":"cmp:web"}"#
            _ = try await gateway.admin(.PUT, "/v1/subjects/u1/consents", token: cmp, body: Array(withdraw.utf8))
            let after = try await gateway.share(
                "/vendors/acme/events",
                json: #"{"events":[{"user_id":"u1","page":"/x"}]}"#
            )
            #expect(after.problemType == ProblemDetails.typePrefix + "consent-withdrawn")

            let state = try await gateway.admin(.GET, "/v1/subjects/u1/consents", token: cmp)
            guard case .array(let current)? = state.json?["current"], case .array(let history)? = state.json?["history"]
            else {
                Issue.record("no state")
                return
            }
            #expect(current.count == 1 && current[0]["status"] == .string("withdrawn"))
            #expect(history.count == 2)

            // Impact before and after erasure: the subject stops being mappable, the log is unchanged.
            let before = try await gateway.admin(.GET, "/v1/incidents/impact?vendor=acme", token: auditor)
            #expect(before.json?["subjectIds"] == .array([.string("u1")]))
            let sizeBefore = try await gateway.ledger().count
            let erased = try await gateway.admin(.DELETE, "/v1/subjects/u1", token: cmp)
            #expect(erased.status == 200)
            #expect(erased.json?["consentRecordsRemoved"] == .number(JSONNumber(2)))
            let impact = try await gateway.admin(.GET, "/v1/incidents/impact?vendor=acme", token: auditor)
            #expect(impact.json?["subjects"] == .number(JSONNumber(1)))
            #expect(impact.json?["subjectIds"] == .array([]))
            #expect(impact.json?["unmappableSubjects"] == .number(JSONNumber(1)))
            #expect(try await gateway.ledger().count >= sizeBefore)
            #expect(try await gateway.runtime.consents.history(subject: "u1").isEmpty)
            // The log is unchanged but no longer linked to the subject through the gateway.
            let disclosures = try await gateway.admin(.GET, "/v1/subjects/u1/disclosures", token: auditor)
            #expect(disclosures.json?["recipients"] == .array([]))
            let shares = try await gateway.admin(.GET, "/v1/shares?subject=u1", token: auditor)
            #expect(shares.json?["entries"] == .array([]))
        }
    }

    @Test func bulkImportReportsEveryBadLineAndIsIdempotent() async throws {
        try await withGateway { gateway in
            let cmp = try await gateway.token(.consent, name: "cmp")
            var lines: [String] = []
            for index in 0..<500 {
                lines.append(
                    #"{"subject":"s\#(index)","purpose":"analytics","vendor":"acme","status":"granted","givenAt":"2026-11-01T10:00:00Z","source":"import"}"#
                )
            }
            lines.insert("not json", at: 10)
            lines.insert(
                #"{"subject":"x","purpose":"nope","status":"granted","givenAt":"2026-11-01T10:00:00Z","source":"i"}"#,
                at: 20
            )
            lines.insert(
                #"{"purpose":"analytics","status":"granted","givenAt":"2026-11-01T10:00:00Z","source":"i"}"#,
                at: 30
            )
            let body = Array(lines.joined(separator: "\n").utf8)
            let first = try await gateway.admin(
                .POST,
                "/v1/consents/import",
                token: cmp,
                body: body,
                contentType: "application/jsonl"
            )
            #expect(first.status == 200, "\(first.text)")
            #expect(first.json?["applied"] == .number(JSONNumber(500)))
            #expect(first.json?["stored"] == .number(JSONNumber(500)))
            #expect(first.json?["invalid"] == .number(JSONNumber(3)))
            guard case .array(let errors)? = first.json?["errors"] else {
                Issue.record("no errors")
                return
            }
            #expect(errors.map { $0["line"]?.intValueFromNumber ?? 0 } == [11, 21, 31])
            #expect(!first.text.contains("\"x\""), "no subject id echoed in errors")
            let second = try await gateway.admin(
                .POST,
                "/v1/consents/import",
                token: cmp,
                body: body,
                contentType: "application/jsonl"
            )
            #expect(second.json?["stored"] == .number(JSONNumber(0)))
            #expect(second.json?["applied"] == .number(JSONNumber(500)))
        }
    }

    @Test func badAdminInputIsAClearProblem() async throws {
        try await withGateway { gateway in
            let auditor = try await gateway.token(.auditor, name: "audrey")
            let cmp = try await gateway.token(.consent, name: "cmp")
            for path in [
                "/v1/subjects/a%00b/disclosures", "/v1/subjects/%2e%2e/disclosures", "/v1/subjects/a%2fb/disclosures",
            ] {
                let response = try await gateway.admin(.GET, path, token: auditor)
                #expect(response.status == 400, "\(path)")
                #expect(response.problemType == ProblemDetails.typePrefix + "invalid-request")
            }
            let tampered = try await gateway.admin(
                .GET,
                "/v1/shares?cursor=dGVzdAp0YW1wZXJlZC1jdXJzb3ItYnl0ZXM",
                token: auditor
            )
            #expect(tampered.status == 400)
            let backwards = try await gateway.admin(
                .GET,
                "/v1/shares?since=2026-12-01T00:00:00Z&until=2026-11-01T00:00:00Z",
                token: auditor
            )
            #expect(backwards.status == 400)
            let badTime = try await gateway.admin(.GET, "/v1/shares?since=yesterday", token: auditor)
            #expect(badTime.status == 400)
            let malformed = try await gateway.admin(
                .PUT,
                "/v1/subjects/u1/consents",
                token: cmp,
                body: Array(#"{"purpose":"analytics",}"#.utf8)
            )
            #expect(malformed.status == 400)
            let huge = try await gateway.admin(
                .PUT,
                "/v1/subjects/u1/consents",
                token: cmp,
                body: Array(repeating: UInt8(ascii: " "), count: 2 << 20)
            )
            #expect(huge.status == 413)
            let unknownRoute = try await gateway.admin(.GET, "/v1/nothing", token: auditor)
            #expect(unknownRoute.status == 404)
            #expect(unknownRoute.headers.first(name: "content-type") == "application/problem+json")
        }
    }

    @Test func logEndpointsProveWhatTheyServe() async throws {
        try await withGateway { gateway in
            let auditor = try await gateway.token(.auditor, name: "audrey")
            try await gateway.grant("u1")
            for _ in 0..<5 {
                _ = try await gateway.share("/vendors/acme/events", json: #"{"events":[{"user_id":"u1"}]}"#)
            }
            for _ in 0..<100 where try await gateway.ledger().count < 10 {
                try await Task.sleep(for: .milliseconds(20))
            }
            gateway.runtime.shareLog.stop()
            try await Task.sleep(for: .milliseconds(300))
            let note = try await gateway.admin(.GET, "/v1/log/checkpoint", token: auditor)
            #expect(note.status == 200)
            let key = try await gateway.admin(.GET, "/v1/log/public-key", token: auditor).text.trimmingCharacters(
                in: .whitespacesAndNewlines
            )
            let checkpoint = try CheckpointVerifier(verifierKey: key).verify(note.text)
            #expect(checkpoint.size == 10)
            let export = try await gateway.admin(.GET, "/v1/shares/export?format=jsonl", token: auditor)
            let lines = export.body.split(separator: UInt8(ascii: "\n"))
            #expect(lines.count == 10)
            let result = ExportVerifier.verify(
                export: export.body,
                checkpointNote: Array(note.text.utf8),
                verifierKey: key
            )
            #expect(result.ok, "\(result.message)")
            let proof = try await gateway.admin(.GET, "/v1/log/proof/inclusion?seq=3&size=10", token: auditor)
            #expect(proof.json?["leafIndex"] == .number(JSONNumber(3)))
            guard case .array(let hashes)? = proof.json?["hashes"] else {
                Issue.record("no proof")
                return
            }
            let path = hashes.compactMap { $0.stringValue.flatMap { Data(base64Encoded: $0) }.map { Array($0) } }
            #expect(
                MerkleTree.verifyInclusion(
                    leafHash: MerkleTree.leafHash(Array(lines[3])),
                    leafIndex: 3,
                    treeSize: 10,
                    proof: path,
                    root: checkpoint.rootHash
                )
            )
            let consistency = try await gateway.admin(.GET, "/v1/log/proof/consistency?from=4&to=10", token: auditor)
            #expect(consistency.json?["from"] == .number(JSONNumber(4)))
            let tooFar = try await gateway.admin(.GET, "/v1/log/proof/inclusion?seq=3&size=99", token: auditor)
            #expect(tooFar.status == 400)
            let verify = try await gateway.admin(.GET, "/v1/log/verify", token: auditor)
            #expect(verify.json?["ok"] == .bool(true))
            let csv = try await gateway.admin(.GET, "/v1/shares/export?format=csv&decision=shared", token: auditor)
            #expect(csv.text.hasPrefix("\"origin\",\"seq\""))
            #expect(csv.text.split(separator: "\r\n").count == 6)
        }
    }

    @Test func healthReadinessAndMetrics() async throws {
        try await withGateway { gateway in
            #expect(try await gateway.admin(.GET, "/healthz", token: nil).status == 200)
            let ready = try await gateway.admin(.GET, "/readyz", token: nil)
            #expect(ready.status == 200, "\(ready.text)")
            try await gateway.grant("u1")
            _ = try await gateway.share(
                "/vendors/acme/events",
                json: #"{"events":[{"user_id":"u1","email":"a@b.example","card_number":"4111"},{"user_id":"u7"}]}"#
            )
            let metrics = try await gateway.admin(.GET, "/metrics", token: nil)
            #expect(
                metrics.text.contains(#"gateway_requests_total{vendor="acme",decision="shared"} 1"#),
                "\(metrics.text)"
            )
            #expect(metrics.text.contains("gateway_dropped_records_total"))
            #expect(metrics.text.contains(#"category="user.financial.credit_card""#))
            #expect(
                !metrics.text.contains("u1") && !metrics.text.contains("u7") && !metrics.text.contains("a@b.example")
            )
            gateway.runtime.shareLog.stop()
            try await Task.sleep(for: .milliseconds(300))
            let notReady = try await gateway.admin(.GET, "/readyz", token: nil)
            #expect(notReady.status == 503)
            #expect(notReady.json?["checks"]?["ledger"] == .bool(false))
        }
    }
}
