import Contracts
import Foundation
import Gateway
import NIOHTTP1

/// The demo's story, printed as it happens: what the service sent, what the vendor received, what the
/// gateway answered and what the share log recorded.
struct DemoScript {
    let runtime: GatewayRuntime
    let vendor: DemoVendor
    let client: DemoClient
    let port: Int
    let upstream: UpstreamClient

    func run() async throws {
        print(
            """
            Vendor gateway demo
            ===================
            Data plane   https://127.0.0.1:\(port)  (mTLS; this demo calls it as service `checkout`)
            Demo vendor  https://127.0.0.1:\(vendor.port)  (plays Acme Analytics GmbH, vendor `acme`)
            Agreement    acme-analytics version 3, approved: analytics by consent; email hashed; card numbers
                         and health data prohibited; anything not in the data map removed.
            Share log    origin demo.local/gateway, in \(runtime.configuration.dataDirectory)

            """
        )
        try await consent("u-1001", .granted)
        try await consent("u-1002", .granted, vendor: "*")
        print("Consent: u-1001 granted analytics to acme; u-1002 granted analytics to all vendors; u-1003 gave none.\n")

        try await step(
            "1. A consented batch",
            path: "/vendors/acme/events?campaign=spring&utm_source=newsletter",
            json:
                #"{"batch_id":"b-17","events":[{"user_id":"u-1001","email":"alice@example.com","page":"/checkout","ip":"203.0.113.7"},{"user_id":"u-1002","email":"bob@example.com","page":"/cart"}]}"#
        )
        try await step(
            "2. A partly consented batch: u-1003 never consented, so its record is dropped",
            path: "/vendors/acme/events",
            json:
                #"{"batch_id":"b-18","events":[{"user_id":"u-1001","page":"/home"},{"user_id":"u-1003","email":"carol@example.com","page":"/home"}]}"#
        )
        try await consent("u-1001", .withdrawn)
        print("Consent: u-1001 withdraws analytics for acme.\n")
        try await step(
            "3. A withdrawn consent: the whole request is refused, nothing leaves",
            path: "/vendors/acme/events",
            json: #"{"events":[{"user_id":"u-1001","page":"/account"}]}"#
        )
        try await step(
            "4. A prohibited field: the card number and an unmapped diagnosis never leave",
            path: "/vendors/acme/events",
            json:
                #"{"events":[{"user_id":"u-1002","page":"/pay","card_number":"4111111111111111","diagnosis":"asthma"}]}"#
        )
        try await step(
            "5. An expired contract: oldco's agreement ended on 2026-06-30",
            path: "/vendors/oldco/track",
            json: #"{"user_id":"u-1002"}"#
        )
        try await erasure()
    }

    /// The last act: u-1002 asks for erasure. The log knows who received their data: acme did (and is told
    /// through its rights endpoint); oldco never did (its share was refused), so it is told nothing.
    func erasure() async throws {
        let title = "6. u-1002 asks for erasure: the vendors that received their data are told, no other"
        print(title)
        print(String(repeating: "-", count: title.count))
        let before = vendor.requests.count
        let (request, _) = try await runtime.rights.file(
            RightsService.Filing(subject: "u-1002", type: .erasure, reference: "DSR-2026-0042", principal: "demo-dpo")
        )
        print(
            "consent manager POST /v1/subjects/u-1002/requests   {\"type\":\"erasure\",\"reference\":\"DSR-2026-0042\"}"
        )
        print("recipients, from the share log:")
        for recipient in request.recipients {
            print(
                "                \(recipient.vendor)   channel \(recipient.channel.rawValue)   respond by \(recipient.respondBy.rfc3339)"
            )
        }
        await runtime.rights.deliverDueNotices(upstream: upstream)
        let notices = vendor.requests.dropFirst(before)
        for notice in notices {
            print(
                "vendor received \(notice.method) \(notice.uri)   Authorization: \(notice.headers.first(name: "authorization") ?? "-")"
            )
            print("                \(String(decoding: notice.body, as: UTF8.self))")
        }
        let toldOldco = notices.contains { $0.uri.hasPrefix("/oldco") }
        print(
            "oldco (rights endpoint /oldco/privacy) was told: \(toldOldco ? "yes" : "nothing: it never received u-1002's data")"
        )
        if let stored = try await runtime.store.rightsRequest(id: request.id) {
            let statuses = stored.recipients.map { "\($0.vendor) \($0.status.rawValue)" }.joined(separator: ", ")
            print("request \(stored.id.prefix(8))…: \(stored.status.rawValue); \(statuses)")
        }
        print("")
        try await step(
            "7. After the erasure: a service that still holds u-1002's data cannot send it",
            path: "/vendors/acme/events",
            json: #"{"events":[{"user_id":"u-1002","page":"/again"}]}"#
        )
    }

    func consent(_ subject: String, _ status: ConsentStatus, vendor: String = "acme") async throws {
        _ = try await runtime.consents.put([
            ConsentRecord(
                subject: subject,
                purpose: "analytics",
                vendor: vendor,
                status: status,
                givenAt: .now(),
                source: "demo"
            )
        ])
    }

    func step(_ title: String, path: String, json: String) async throws {
        print(title)
        print(String(repeating: "-", count: title.count))
        let before = vendor.requests.count
        let response = try await client.post(path, purpose: "analytics", json: json)
        print("service sent    POST \(path)   Share-Purpose: analytics")
        print("                \(json)")
        let received = vendor.requests.dropFirst(before)
        if received.isEmpty {
            print("vendor received nothing")
        }
        for request in received {
            print(
                "vendor received \(request.method) \(request.uri)   Authorization: \(request.headers.first(name: "authorization") ?? "-")"
            )
            print("                \(String(decoding: request.body, as: UTF8.self))")
        }
        var answer = "gateway answered \(response.status)"
        if let records = response.headers.first(name: "share-records") { answer += "   Share-Records: \(records)" }
        if let redactions = response.headers.first(name: "share-redactions") {
            answer += "   Share-Redactions: \(redactions)"
        }
        print(answer)
        if response.status >= 400 {
            print("                \(response.body)")
        }
        if let id = response.headers.first(name: "share-id")
            ?? (try? JSONReader.parse(Array(response.body.utf8)))?["shareId"]?.stringValue
        {
            try await printEntry(id)
        }
        print("")
    }

    func printEntry(_ id: String) async throws {
        let rows = try await runtime.store.entries(LedgerQuery(origin: runtime.shareLog.origin, limit: 10_000))
        guard let row = rows.first(where: { $0.id == id }) else { return }
        let entry = try JSONReader.parse(row.bytes)
        var line = "ledger #\(row.seq)       \(entry["decision"]?.stringValue ?? "?")"
        if let reason = entry["reason"]?.stringValue {
            line += " (\(reason.replacingOccurrences(of: ProblemDetails.typePrefix, with: "")))"
        }
        if let received = entry["records"]?["received"]?.intValueFromNumberText,
            let sent = entry["records"]?["sent"]?.intValueFromNumberText
        {
            line += ", records \(sent)/\(received)"
        }
        if case .array(let refs)? = entry["subjectRefs"] {
            line +=
                ", subjects "
                + refs.compactMap { $0.stringValue.map { String($0.prefix(12)) + "…" } }.joined(separator: " ")
        }
        print(line)
        if case .array(let fields)? = entry["fields"] {
            for field in fields {
                let path = field["path"]?.stringValue ?? "?"
                let action = field["action"]?.stringValue ?? "?"
                let reason = field["reason"]?.stringValue ?? "?"
                print(
                    "                  \(path.padding(toLength: 16, withPad: " ", startingAt: 0)) \(action.padding(toLength: 11, withPad: " ", startingAt: 0)) \(reason)"
                )
            }
        }
        var outcomeRow = rows.first(where: { (try? JSONReader.parse($0.bytes))?["shareId"] == .string(id) })
        if outcomeRow == nil, entry["decision"] == .string("shared") {
            // The outcome is logged alongside the answer: give it a moment.
            for _ in 0..<50 where outcomeRow == nil {
                try await Task.sleep(for: .milliseconds(20))
                let again = try await runtime.store.entries(LedgerQuery(origin: runtime.shareLog.origin, limit: 10_000))
                outcomeRow = again.first(where: { (try? JSONReader.parse($0.bytes))?["shareId"] == .string(id) })
            }
        }
        if let outcome = outcomeRow {
            let value = try JSONReader.parse(outcome.bytes)
            print(
                "ledger #\(outcome.seq)       outcome: vendor answered \(value["upstreamStatus"]?.intValueFromNumberText ?? "-")"
            )
        }
    }

    func verifyLedger(directory: String) async throws {
        let origin = runtime.shareLog.origin
        guard let checkpoint = try await runtime.store.latestCheckpoint(origin: origin) else { return }
        var export: [UInt8] = []
        try await LedgerExporter(store: runtime.store).export(origin: origin) { export += $0 }
        try Data(export).write(to: URL(fileURLWithPath: directory + "/export.jsonl"))
        try checkpoint.note.write(toFile: directory + "/checkpoint.txt", atomically: true, encoding: .utf8)
        let key = runtime.keys.signer.verifierKeyString
        try (key + "\n").write(toFile: directory + "/key.txt", atomically: true, encoding: .utf8)
        let result = ExportVerifier.verify(
            export: export,
            checkpointNote: Array(checkpoint.note.utf8),
            verifierKey: key
        )
        print(
            """
            The share log
            -------------
            \(checkpoint.note)
            Verified offline: \(result.message)
            Check it yourself:
              gatewayd audit verify --entries \(directory)/export.jsonl --checkpoint \(directory)/checkpoint.txt --key \(directory)/key.txt
              python3 tools/verify-export.py --entries \(directory)/export.jsonl --checkpoint \(directory)/checkpoint.txt --key \(directory)/key.txt
            """
        )
    }
}

extension JSONValue {
    var intValueFromNumberText: String? {
        if case .number(let number) = self { return number.literal }
        return nil
    }
}

/// The demo's agreements, pointed at the demo vendor.
enum DemoAgreements {
    static let acme = """
        <?xml version="1.0" encoding="UTF-8"?>
        <agreement xmlns="urn:vendor-gateway:dpa:1" id="acme-analytics" version="3">
          <vendor id="acme" name="Acme Analytics GmbH" country="DE" contact="privacy@acme.example"/>
          <term effective="2026-01-01" expires="2027-12-31"/>
          <vetting assessedOn="2025-11-20" riskTier="medium"><certification>ISO27001</certification></vetting>
          <processing>
            <purpose ref="analytics" basis="consent">
              <category ref="user.unique_id.pseudonymous"/>
              <category ref="user.behavior.browsing_history"/>
              <category ref="user.contact.email" transform="hash"/>
            </purpose>
            <purpose ref="essential.fraud_detection" basis="legitimate_interest">
              <category ref="user.device.ip_address" transform="generalize"/>
            </purpose>
            <prohibited ref="user.financial"/>
            <prohibited ref="user.health_and_medical"/>
          </processing>
          <retention days="90"/>
          <transfers><region>EU</region></transfers>
          <subprocessors><subprocessor name="CloudHost Inc" country="US" service="hosting"/></subprocessors>
          <breachNotification hours="24" contact="security@acme.example"/>
          <endpoint baseURL="https://127.0.0.1:VENDOR_PORT/v2" credential="acme-api-key">
            <allowedService>checkout</allowedService>
          </endpoint>
          <rights endpoint="https://127.0.0.1:VENDOR_PORT/v2/privacy/requests" credential="acme-api-key">
            <request type="erasure"/>
          </rights>
          <dataMap>
            <operation method="POST" path="/events" records="$.events[*]" subject="@.user_id">
              <field path="@.user_id" category="user.unique_id.pseudonymous"/>
              <field path="@.email" category="user.contact.email"/>
              <field path="@.page" category="user.behavior.browsing_history"/>
              <field path="@.card_number" category="user.financial.credit_card"/>
              <field path="@.ip" category="user.device.ip_address"/>
              <field path="$.batch_id" category="system.operations"/>
              <query name="campaign" category="system.operations"/>
            </operation>
          </dataMap>
        </agreement>
        """

    static let expired = """
        <?xml version="1.0" encoding="UTF-8"?>
        <agreement xmlns="urn:vendor-gateway:dpa:1" id="oldco-dpa" version="1">
          <vendor id="oldco" name="OldCo Ltd" country="GB" contact="privacy@oldco.example"/>
          <term effective="2025-01-01" expires="2026-06-30"/>
          <vetting assessedOn="2024-11-20" riskTier="low"/>
          <processing>
            <purpose ref="analytics" basis="consent"><category ref="user.unique_id.pseudonymous"/></purpose>
          </processing>
          <retention days="30"/>
          <transfers><region>UK</region></transfers>
          <subprocessors/>
          <breachNotification hours="48" contact="security@oldco.example"/>
          <endpoint baseURL="https://127.0.0.1:VENDOR_PORT"><allowedService>checkout</allowedService></endpoint>
          <rights endpoint="https://127.0.0.1:VENDOR_PORT/oldco/privacy"><request type="erasure"/></rights>
          <dataMap>
            <operation method="POST" path="/track" subject="$.user_id">
              <field path="$.user_id" category="user.unique_id.pseudonymous"/>
            </operation>
          </dataMap>
        </agreement>
        """
}
