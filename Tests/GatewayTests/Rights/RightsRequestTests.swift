import Contracts
import Foundation
import Gateway
import NIOHTTP1
import Testing

/// Rights requests through a real gateway: real shares to real TLS vendors, then requests of each type,
/// asserting who was told what, byte for byte, and what the data plane refuses afterwards.
@Suite("Rights requests", .serialized)
struct RightsRequestTests {
    static let rightsPath = "/v2/privacy/requests"

    /// DESIGN's example agreement with a rights endpoint on the test vendor.
    static let acmeWithRights = TestAgreements.acme.replacingOccurrences(
        of: "  <dataMap>",
        with: """
              <rights endpoint="https://127.0.0.1:VENDOR_PORT\(rightsPath)" credential="acme-api-key" respondWithinDays="14">
                <request type="erasure"/>
                <request type="rectification"/>
                <request type="restriction"/>
                <request type="objection"/>
              </rights>
              <dataMap>
            """
    )

    /// A vendor whose contract hashes the subject's id, with a rights endpoint for erasure only.
    static let hashco = TestAgreements.minimal(vendor: "hashco")
        .replacingOccurrences(
            of: #"<category ref="user.unique_id.pseudonymous"/>"#,
            with: #"<category ref="user.unique_id.pseudonymous" transform="hash"/>"#
        )
        .replacingOccurrences(
            of: "  <dataMap>",
            with: """
                  <rights endpoint="https://127.0.0.1:VENDOR_PORT/hashco/rights"><request type="erasure"/></rights>
                  <dataMap>
                """
        )

    static func options(_ extra: [String: String] = [:]) -> GatewayHarness.Options {
        var options = GatewayHarness.Options()
        options.agreements = [
            acmeWithRights, TestAgreements.minimal(vendor: "beta"), TestAgreements.minimal(vendor: "gamma"), hashco,
        ]
        options.extraConfiguration = ["rights.retryBaseSeconds": "1", "rights.pollSeconds": "1"].merging(extra) { $1 }
        options.limits.upstreamResponseTimeoutSeconds = 2
        return options
    }

    /// Shares `subject`'s data with acme (events) and beta (track).
    static func shareToAcmeAndBeta(_ gateway: GatewayHarness, _ subject: String) async throws {
        let acme = try await gateway.share(
            "/vendors/acme/events",
            json: #"{"events":[{"user_id":"\#(subject)","email":"\#(subject)@mail.example","page":"/p"}]}"#
        )
        #expect(acme.status == 200)
        let beta = try await gateway.share("/vendors/beta/track", json: #"{"user_id":"\#(subject)"}"#)
        #expect(beta.status == 200)
    }

    static func grantAll(_ gateway: GatewayHarness, _ subjects: String...) async throws {
        for subject in subjects { try await gateway.grant(subject, vendor: "*") }
    }

    static func file(
        _ gateway: GatewayHarness,
        _ subject: String,
        _ body: String,
        token: String?
    ) async throws
        -> GatewayHarness.Response
    {
        try await gateway.admin(.POST, "/v1/subjects/\(subject)/requests", token: token, body: Array(body.utf8))
    }

    /// Polls the request until `done` says so (15 s at most).
    static func waitFor(
        _ gateway: GatewayHarness,
        _ id: String,
        token: String,
        _ done: (JSONValue) -> Bool
    ) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            let response = try await gateway.admin(.GET, "/v1/requests/\(id)", token: token)
            let value = try #require(response.json)
            if done(value) || ContinuousClock.now > deadline { return value }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    static func recipient(_ request: JSONValue, _ vendor: String) -> JSONValue? {
        guard case .array(let recipients)? = request["recipients"] else { return nil }
        return recipients.first { $0["vendor"]?.stringValue == vendor }
    }

    static func vendors(_ request: JSONValue) -> [String] {
        guard case .array(let recipients)? = request["recipients"] else { return [] }
        return recipients.compactMap { $0["vendor"]?.stringValue }
    }

    static func fileDirectly(
        _ gateway: GatewayHarness,
        _ filing: RightsService.Filing,
        at time: Timestamp
    )
        async throws -> String
    {
        let stored = try await gateway.runtime.rights.file(filing, at: time)
        return stored.request.id
    }

    static func int(_ value: JSONValue?) -> Int? {
        if case .number(let number)? = value { return number.intValue }
        return nil
    }

    static func strings(_ values: String...) -> JSONValue { .array(values.map(JSONValue.string)) }

    static func notices(_ gateway: GatewayHarness, path: String = rightsPath) -> [TestVendor.Received] {
        gateway.vendor.requests.filter { $0.uri == path }
    }

    @Test func erasureTellsExactlyTheRecipientsAndLaterSharesAreRefused() async throws {
        try await withGateway(Self.options()) { gateway in
            let consent = try await gateway.token(.consent, name: "dpo")
            let auditor = try await gateway.token(.auditor, name: "audit")
            try await Self.grantAll(gateway, "u1", "u2", "u3")
            try await Self.shareToAcmeAndBeta(gateway, "u1")
            try await Self.shareToAcmeAndBeta(gateway, "u2")
            // u3's data went to beta only.
            #expect(try await gateway.share("/vendors/beta/track", json: #"{"user_id":"u3"}"#).status == 200)

            let filed = try await Self.file(gateway, "u1", #"{"type":"erasure","reference":"DSR-1"}"#, token: consent)
            #expect(filed.status == 202)
            let created = try #require(filed.json)
            let id = try #require(created["id"]?.stringValue)
            #expect(Self.vendors(created) == ["acme", "beta"], "gamma and hashco never received u1's data")
            #expect(Self.recipient(created, "acme")?["channel"] == .string("api"))
            #expect(Self.recipient(created, "beta")?["channel"] == .string("manual"))
            #expect(Self.recipient(created, "beta")?["status"] == .string("manual"))
            #expect(Self.recipient(created, "beta")?["contact"] == .string("privacy@beta.example"))
            #expect(created["reference"] == .string("DSR-1"))

            // The same request again, while it is open, is that request.
            let again = try await Self.file(gateway, "u1", #"{"type":"erasure","reference":"DSR-1"}"#, token: consent)
            #expect(again.status == 200)
            #expect(again.json?["id"] == .string(id))

            let notified = try await Self.waitFor(gateway, id, token: auditor) {
                Self.recipient($0, "acme")?["status"] == .string("notified")
            }
            let acme = try #require(Self.recipient(notified, "acme"))
            #expect(acme["status"] == .string("notified"))
            #expect(notified["status"] == .string("open"), "beta still needs a manual notice")

            // Exactly one notice, to acme's rights endpoint, with acme's credential, byte for byte.
            let notices = Self.notices(gateway)
            try #require(notices.count == 1)
            #expect(notices[0].headers.first(name: "authorization") == "Bearer sk_test_acme")
            let expected = JSONValue.object([
                JSONMember("requestId", .string(id)),
                JSONMember("type", .string("erasure")),
                JSONMember("controller", .string(gateway.runtime.shareLog.origin)),
                JSONMember(
                    "identifiers",
                    .array([.object([JSONMember("path", .string("@.user_id")), JSONMember("value", .string("u1"))])])
                ),
                JSONMember("categories", acme["categories"]!),
                JSONMember("firstShared", acme["firstShared"]!),
                JSONMember("lastShared", acme["lastShared"]!),
                JSONMember(
                    "contract",
                    .object([
                        JSONMember("id", .string("acme-analytics")), JSONMember("version", .number(JSONNumber(3))),
                    ])
                ),
                JSONMember("respondBy", acme["respondBy"]!),
            ])
            #expect(notices[0].body == JSONWriter.bytes(expected))
            #expect(
                acme["categories"]
                    == Self.strings(
                        "user.behavior.browsing_history",
                        "user.contact.email",
                        "user.unique_id.pseudonymous"
                    )
            )
            // Nothing but the notice went to any vendor, and nothing to beta's or gamma's paths.
            let before = gateway.vendor.requests.count
            #expect(
                gateway.vendor.requests.filter { $0.uri.contains("rights") || $0.uri.contains("privacy") }.count == 1
            )

            // The next share naming u1 is refused, to every vendor; u2 still flows.
            let refused = try await gateway.share(
                "/vendors/acme/events",
                json: #"{"events":[{"user_id":"u1","page":"/q"}]}"#
            )
            #expect(refused.status == 403)
            #expect(refused.problemType?.hasSuffix("subject-erased") == true)
            let refusedBeta = try await gateway.share("/vendors/beta/track", json: #"{"user_id":"u1"}"#)
            #expect(refusedBeta.problemType?.hasSuffix("subject-erased") == true)
            #expect(gateway.vendor.requests.count == before, "nothing reached a vendor")
            #expect(
                try await gateway.share("/vendors/acme/events", json: #"{"events":[{"user_id":"u2","page":"/q"}]}"#)
                    .status == 200
            )
            // The subject is erased: no consent left, no link from the id to the log.
            let consents = try await gateway.admin(.GET, "/v1/subjects/u1/consents", token: consent)
            #expect(consents.json?["history"] == .array([]))
            #expect(try await gateway.runtime.store.ref(forSubject: "u1") == nil)

            // The log holds the notice, durable before the attempt, and its outcome.
            let ledger = try await gateway.ledger()
            let notice = try #require(ledger.first { $0["kind"] == .string("notice") })
            #expect(notice["requestId"] == .string(id))
            #expect(notice["requestType"] == .string("erasure"))
            #expect(notice["vendor"] == .string("acme"))
            #expect(notice["subjectRefs"] == .array([.string(gateway.runtime.keys.subjectRef("u1"))]))
            let outcome = try #require(ledger.first { $0["shareId"] == notice["id"] })
            #expect(outcome["upstreamStatus"] == .number(JSONNumber(200)))
            #expect(
                (Self.int(notice["seq"]) ?? .max) < (Self.int(outcome["seq"]) ?? 0)
            )
            let verify = try await gateway.admin(.GET, "/v1/log/verify", token: auditor)
            #expect(verify.status == 200, "the log verifies with the notice entries in it")

            // Confirming the manual recipient finishes the request.
            let confirmed = try await gateway.admin(
                .POST,
                "/v1/requests/\(id)/recipients/beta/confirm",
                token: consent,
                body: Array(#"{"note":"emailed privacy@beta.example"}"#.utf8)
            )
            #expect(confirmed.status == 200)
            #expect(confirmed.json?["status"] == .string("done"))
            #expect(Self.recipient(confirmed.json!, "beta")?["status"] == .string("confirmed"))
            let listed = try await gateway.admin(.GET, "/v1/requests?status=done&type=erasure", token: auditor)
            guard case .array(let requests)? = listed.json?["requests"] else {
                Issue.record("no requests listed")
                return
            }
            #expect(requests.map { $0["id"] } == [.string(id)])
            // Once done, an identical request is a new one.
            let fresh = try await Self.file(gateway, "u1", #"{"type":"erasure"}"#, token: consent)
            #expect(fresh.status == 202)
            #expect(fresh.json?["id"] != .string(id))

            // Offline, as an auditor would: the export, notices included, verifies against a checkpoint.
            gateway.runtime.shareLog.stop()
            try await Task.sleep(for: .milliseconds(300))
            let origin = gateway.runtime.shareLog.origin
            let note = try await gateway.admin(.GET, "/v1/log/checkpoint?origin=\(origin)", token: auditor)
            let key = try await gateway.admin(.GET, "/v1/log/public-key?origin=\(origin)", token: auditor).text
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let export = try await gateway.admin(.GET, "/v1/shares/export?origin=\(origin)", token: auditor)
            let result = ExportVerifier.verify(
                export: export.body,
                checkpointNote: Array(note.text.utf8),
                verifierKey: key
            )
            #expect(result.ok, "\(result.message)")
            #expect(result.verifiedCount > (Self.int(notice["seq"]) ?? .max), "the notice entry is covered")
        }
    }

    @Test func anIdentifierTheContractHashesIsSentHashed() async throws {
        try await withGateway(Self.options()) { gateway in
            let consent = try await gateway.token(.consent, name: "dpo")
            try await Self.grantAll(gateway, "h1")
            #expect(try await gateway.share("/vendors/hashco/track", json: #"{"user_id":"h1"}"#).status == 200)
            let shared = try #require(gateway.vendor.requests.last { $0.uri == "/track" })
            let received = try #require(try JSONReader.parse(shared.body)["user_id"]?.stringValue)
            #expect(received != "h1")
            let filed = try await Self.file(gateway, "h1", #"{"type":"erasure"}"#, token: consent)
            let id = try #require(filed.json?["id"]?.stringValue)
            _ = try await Self.waitFor(gateway, id, token: consent) { $0["status"] == .string("done") }
            let notice = try #require(Self.notices(gateway, path: "/hashco/rights").first)
            let body = try JSONReader.parse(notice.body)
            #expect(
                body["identifiers"]
                    == .array([
                        .object([JSONMember("path", .string("$.user_id")), JSONMember("value", .string(received))])
                    ]),
                "the vendor is told only what it holds"
            )
            #expect(!notice.bodyText.contains("h1\""))
            #expect(notice.headers.first(name: "authorization") == nil, "hashco's agreement names no credential")
        }
    }

    @Test func badInputIsRefusedWithEveryError() async throws {
        try await withGateway(Self.options()) { gateway in
            let consent = try await gateway.token(.consent, name: "dpo")
            let auditor = try await gateway.token(.auditor, name: "audit")
            for body in [
                #"{"type":"forget-me"}"#, #"{"type":"objection"}"#, #"{"type":"objection","purposes":[]}"#,
                #"{"type":"objection","purposes":["no.such.purpose"]}"#,
                #"{"type":"rectification","categories":["user.nope"]}"#,
                #"{"type":"erasure","purposes":["analytics"]}"#,
                #"{"type":"erasure","extra":1}"#, #"{}"#,
            ] {
                let response = try await Self.file(gateway, "u9", body, token: consent)
                #expect(response.status == 422, "\(body)")
                #expect(response.problemType?.hasSuffix("invalid-rights-request") == true, "\(body)")
            }
            let twoErrors = try await Self.file(gateway, "u9", #"{"type":"nope","extra":1}"#, token: consent)
            guard case .array(let errors)? = twoErrors.json?["errors"] else {
                Issue.record("no errors listed")
                return
            }
            #expect(errors.count == 2)
            #expect(try await Self.file(gateway, "u9", "{", token: consent).status == 400)
            // Auditors read requests but cannot file them.
            #expect(try await Self.file(gateway, "u9", #"{"type":"erasure"}"#, token: auditor).status == 403)
            #expect(try await Self.file(gateway, "u9", #"{"type":"erasure"}"#, token: nil).status == 401)
            // A subject with no shares: accepted, no recipients, done at once.
            let none = try await Self.file(gateway, "nobody", #"{"type":"rectification"}"#, token: consent)
            #expect(none.status == 202)
            #expect(none.json?["recipients"] == .array([]))
            #expect(none.json?["status"] == .string("done"))
            #expect(try await gateway.admin(.GET, "/v1/requests/no-such", token: auditor).status == 404)
            #expect(try await gateway.admin(.GET, "/v1/requests?type=nope", token: auditor).status == 400)
            let unknownRecipient = try await gateway.admin(
                .POST,
                "/v1/requests/\(none.json?["id"]?.stringValue ?? "")/recipients/acme/confirm",
                token: consent
            )
            #expect(unknownRecipient.status == 404)
            #expect(try await gateway.admin(.DELETE, "/v1/subjects/u9/restriction", token: consent).status == 404)
        }
    }

    @Test func aRecipientPastItsAnswerDateIsListedOverdue() async throws {
        try await withGateway(Self.options()) { gateway in try await Self.overdueScenario(gateway) }
    }

    static func overdueScenario(_ gateway: GatewayHarness) async throws {
        do {
            let consent = try await gateway.token(.consent, name: "dpo")
            try await Self.grantAll(gateway, "d1", "d2")
            try await Self.shareToAcmeAndBeta(gateway, "d1")
            try await Self.shareToAcmeAndBeta(gateway, "d2")
            // Filed 31 days ago: beta (manual, 30 days by default) is overdue; acme answered in time.
            let filing = RightsService.Filing(subject: "d1", type: .rectification, principal: "dpo")
            let past = Timestamp(epochMilliseconds: Timestamp.now().epochMilliseconds - 31 * 86_400_000)
            let oldID = try await Self.fileDirectly(gateway, filing, at: past)
            _ = try await Self.file(gateway, "d2", #"{"type":"rectification"}"#, token: consent)
            let overdue = try await gateway.admin(.GET, "/v1/requests?overdue=true", token: consent)
            guard case .array(let requests)? = overdue.json?["requests"] else {
                Issue.record("no requests listed")
                return
            }
            #expect(requests.map { $0["id"] } == [.string(oldID)])
            #expect(requests.first?["overdue"] == .bool(true))
            let beta = requests.first.flatMap { Self.recipient($0, "beta") }
            #expect(beta?["status"] == .string("overdue"))
            #expect(beta?["delivery"] == .string("manual"))
            let all = try await gateway.admin(.GET, "/v1/requests?limit=1", token: consent)
            #expect(all.json?["nextCursor"]?.stringValue != nil)
            let cursor = try #require(all.json?["nextCursor"]?.stringValue)
            let second = try await gateway.admin(.GET, "/v1/requests?limit=1&cursor=\(cursor)", token: consent)
            guard case .array(let page)? = second.json?["requests"] else {
                Issue.record("no second page")
                return
            }
            #expect(page.map { $0["id"] } == [.string(oldID)], "newest first, then the older one")
        }
    }

    @Test func restrictionRefusesUntilLifted() async throws {
        try await withGateway(Self.options()) { gateway in
            let consent = try await gateway.token(.consent, name: "dpo")
            try await Self.grantAll(gateway, "r1")
            try await Self.shareToAcmeAndBeta(gateway, "r1")
            let filed = try await Self.file(gateway, "r1", #"{"type":"restriction"}"#, token: consent)
            #expect(filed.status == 202)
            let refused = try await gateway.share("/vendors/beta/track", json: #"{"user_id":"r1"}"#)
            #expect(refused.status == 403)
            #expect(refused.problemType?.hasSuffix("processing-restricted") == true)
            let shareID = try #require(refused.shareID)
            let entry = try #require(try await gateway.entry(shareID))
            #expect(entry["reason"]?.stringValue?.hasSuffix("processing-restricted") == true)
            #expect(try await gateway.admin(.DELETE, "/v1/subjects/r1/restriction", token: consent).status == 200)
            #expect(try await gateway.share("/vendors/beta/track", json: #"{"user_id":"r1"}"#).status == 200)
        }
    }

    @Test func objectionWithdrawsThePurposeAndTellsOnlyItsRecipients() async throws {
        try await withGateway(Self.options()) { gateway in
            let consent = try await gateway.token(.consent, name: "dpo")
            try await Self.grantAll(gateway, "o1")
            try await Self.shareToAcmeAndBeta(gateway, "o1")
            // Fraud detection (legitimate interest) data to acme only.
            let fraud = try await gateway.share(
                "/vendors/acme/events",
                json: #"{"events":[{"user_id":"o1","ip":"203.0.113.9"}]}"#,
                purpose: "essential.fraud_detection"
            )
            #expect(fraud.status == 200)
            let filed = try await Self.file(
                gateway,
                "o1",
                #"{"type":"objection","purposes":["essential.fraud_detection"]}"#,
                token: consent
            )
            #expect(filed.status == 202)
            #expect(
                Self.vendors(try #require(filed.json)) == ["acme"],
                "beta never received o1's data for that purpose"
            )
            let refused = try await gateway.share(
                "/vendors/acme/events",
                json: #"{"events":[{"user_id":"o1","ip":"203.0.113.9"}]}"#,
                purpose: "essential.fraud_detection"
            )
            #expect(refused.status == 403)
            #expect(try await gateway.share("/vendors/beta/track", json: #"{"user_id":"o1"}"#).status == 200)
        }
    }

    @Test func rectificationWithCategoriesTellsTheVendorsThatGotThem() async throws {
        try await withGateway(Self.options()) { gateway in
            let consent = try await gateway.token(.consent, name: "dpo")
            try await Self.grantAll(gateway, "c1")
            try await Self.shareToAcmeAndBeta(gateway, "c1")
            let filed = try await Self.file(
                gateway,
                "c1",
                #"{"type":"rectification","categories":["user.contact"]}"#,
                token: consent
            )
            let request = try #require(filed.json)
            #expect(Self.vendors(request) == ["acme"], "beta got no contact data")
            #expect(Self.recipient(request, "acme")?["categories"] == Self.strings("user.contact.email"))
            #expect(try await gateway.share("/vendors/beta/track", json: #"{"user_id":"c1"}"#).status == 200)
        }
    }

    @Test(arguments: ["503", "redirect", "timeout"])
    func aVendorThatDoesNotAnswerWellIsRetriedThenFailed(_ problem: String) async throws {
        try await withGateway(Self.options(["rights.retryWindowSeconds": "4"])) { gateway in
            let consent = try await gateway.token(.consent, name: "dpo")
            try await Self.grantAll(gateway, "f1")
            try await Self.shareToAcmeAndBeta(gateway, "f1")
            switch problem {
            case "503": gateway.vendor.setReply(.init(status: .serviceUnavailable))
            case "redirect":
                gateway.vendor.setReply(
                    .init(status: .found, headers: [("location", "https://127.0.0.1:\(gateway.vendor.port)/elsewhere")])
                )
            default: gateway.vendor.setReply(.init(delay: .seconds(3)))
            }
            let filed = try await Self.file(gateway, "f1", #"{"type":"erasure"}"#, token: consent)
            let id = try #require(filed.json?["id"]?.stringValue)
            let failed = try await Self.waitFor(gateway, id, token: consent) {
                Self.recipient($0, "acme")?["delivery"] == .string("failed")
            }
            let acme = try #require(Self.recipient(failed, "acme"))
            #expect(acme["delivery"] == .string("failed"))
            #expect((Self.int(acme["attempts"]) ?? 0) >= 2, "retried before failing")
            #expect(Self.notices(gateway).count >= 2)
            #expect(!gateway.vendor.requests.contains { $0.uri == "/elsewhere" }, "redirects are never followed")
            #expect(failed["status"] == .string("open"))
        }
    }

    @Test func aRightsEndpointWithABadCertificateIsNeverSentTo() async throws {
        // A second real vendor whose certificate comes from a CA the gateway does not trust.
        let stranger = try CertificateAuthority.make(commonName: "untrusted CA")
        let impostor = try await TestVendor.start(authority: stranger)
        defer { Task { await impostor.stop() } }
        var options = Self.options()
        options.agreements[0] = Self.acmeWithRights.replacingOccurrences(
            of: "VENDOR_PORT\(Self.rightsPath)",
            with: "\(impostor.port)\(Self.rightsPath)"
        )
        try await withGateway(options) { gateway in
            let consent = try await gateway.token(.consent, name: "dpo")
            try await Self.grantAll(gateway, "t1")
            try await Self.shareToAcmeAndBeta(gateway, "t1")
            let filed = try await Self.file(gateway, "t1", #"{"type":"erasure"}"#, token: consent)
            let id = try #require(filed.json?["id"]?.stringValue)
            let tried = try await Self.waitFor(gateway, id, token: consent) {
                (Self.int(Self.recipient($0, "acme")?["attempts"]) ?? 0) >= 2
            }
            let acme = try #require(Self.recipient(tried, "acme"))
            #expect(acme["delivery"] == .string("pending"))
            #expect(acme["lastError"]?.stringValue?.contains("tls") == true)
            #expect(impostor.requests.isEmpty, "no HTTP request crossed a failed handshake")
        }
    }

    @Test func pendingNoticesSurviveARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gw-restart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try TestPostgres.createDatabase()
        defer { if let database { TestPostgres.dropDatabase(database) } }
        let authority = try CertificateAuthority.make(commonName: "test vendor CA")
        let vendor = try await TestVendor.start(authority: authority)
        defer { Task { await vendor.stop() } }
        var options = Self.options()
        options.directory = directory
        options.database = database
        options.vendor = (vendor, authority)
        options.origin = "test.example/restart"
        let id: String = try await withGateway(options) { gateway in
            let consent = try await gateway.token(.consent, name: "dpo")
            try await Self.grantAll(gateway, "s1")
            try await Self.shareToAcmeAndBeta(gateway, "s1")
            vendor.setReply(.init(status: .serviceUnavailable))
            let filed = try await Self.file(gateway, "s1", #"{"type":"erasure"}"#, token: consent)
            let id = try #require(filed.json?["id"]?.stringValue)
            _ = try await Self.waitFor(gateway, id, token: consent) {
                (Self.int(Self.recipient($0, "acme")?["attempts"]) ?? 0) >= 1
            }
            return id
        }
        vendor.setReply(.init())
        var restarted = options
        restarted.agreements = []
        try await withGateway(restarted) { gateway in
            let auditor = try await gateway.token(.auditor, name: "audit")
            let after = try await Self.waitFor(gateway, id, token: auditor) {
                Self.recipient($0, "acme")?["status"] == .string("notified")
            }
            #expect(Self.recipient(after, "acme")?["status"] == .string("notified"))
            #expect(try await gateway.share("/vendors/beta/track", json: #"{"user_id":"s1"}"#).status == 403)
            let verify = try await gateway.admin(.GET, "/v1/log/verify", token: auditor)
            #expect(verify.status == 200)
        }
    }
}
