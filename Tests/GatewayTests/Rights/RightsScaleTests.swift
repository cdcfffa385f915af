import Contracts
import Foundation
import Gateway
import NIOHTTP1
import Testing

/// How long finding a subject's recipients takes on a large log: a subject with 10,000 shares among
/// 1,000,000 entries. A measurement, not a timed assertion: it runs only with `GATEWAY_RIGHTS_SCALE=1`
/// (`scripts/rights-scale.sh`, release build) and prints what it measured.
@Suite(
    "Rights requests on a large log",
    .enabled(if: ProcessInfo.processInfo.environment["GATEWAY_RIGHTS_SCALE"] == "1", "set GATEWAY_RIGHTS_SCALE=1")
)
struct RightsScaleTests {
    @Test func recipientsOfASubjectWithTenThousandSharesAmongAMillionEntries() async throws {
        let total = Int(ProcessInfo.processInfo.environment["GATEWAY_RIGHTS_SCALE_ENTRIES"] ?? "") ?? 1_000_000
        let ours = 10_000
        try await withGateway(.init(agreements: [TestAgreements.acme])) { gateway in
            let keys = gateway.runtime.keys
            let target = keys.subjectRef("scale-subject")
            let origin = "scale.example/other"
            let batch = 10_000
            let every = total / ours
            let started = ContinuousClock.now
            var seq = 0
            while seq < total {
                var rows: [LedgerEntryRow] = []
                rows.reserveCapacity(batch)
                for index in seq..<min(total, seq + batch) {
                    let ref = index % every == 0 ? target : keys.subjectRef("other-\(index)")
                    let time = Timestamp(epochMilliseconds: 1_780_000_000_000 + Int64(index) * 1000)
                    let entry = JSONValue.object([
                        JSONMember("seq", .number(JSONNumber(index))),
                        JSONMember("origin", .string(origin)),
                        JSONMember("id", .string("scale-\(index)")),
                        JSONMember("time", .string(time.rfc3339)),
                        JSONMember("kind", .string("share")),
                        JSONMember("vendor", .string("acme")),
                        JSONMember(
                            "contract",
                            .object([
                                JSONMember("id", .string("acme-analytics")),
                                JSONMember("version", .number(JSONNumber(3))),
                            ])
                        ),
                        JSONMember("purpose", .string("analytics")),
                        JSONMember("method", .string("POST")),
                        JSONMember("operation", .string("/events")),
                        JSONMember("subjectRefs", .array([.string(ref)])),
                        JSONMember(
                            "fields",
                            .array([
                                .object([
                                    JSONMember("path", .string("@.user_id")),
                                    JSONMember("category", .string("user.unique_id.pseudonymous")),
                                    JSONMember("action", .string("sent")),
                                ])
                            ])
                        ),
                        JSONMember("decision", .string("shared")),
                    ])
                    rows.append(
                        LedgerEntryRow(
                            origin: origin,
                            seq: index,
                            id: "scale-\(index)",
                            time: time,
                            kind: "share",
                            vendor: "acme",
                            purpose: "analytics",
                            decision: "shared",
                            shareID: nil,
                            subjectRefs: [ref],
                            bytes: try CanonicalJSON.bytes(entry)
                        )
                    )
                }
                try await gateway.runtime.store.commit(
                    origin: origin,
                    entries: rows,
                    nodes: [:],
                    checkpoint: nil,
                    mappings: []
                )
                seq += batch
            }
            print("RightsScale: wrote \(total) entries in \(ContinuousClock.now - started)")
            let consent = try await gateway.token(.consent, name: "dpo")
            for round in 1...3 {
                let clock = ContinuousClock.now
                let filed = try await gateway.admin(
                    .POST,
                    "/v1/subjects/scale-subject/requests",
                    token: consent,
                    body: Array(#"{"type":"rectification","reference":"round-\#(round)"}"#.utf8)
                )
                let elapsed = ContinuousClock.now - clock
                #expect(filed.status == 202 || filed.status == 200)
                guard case .array(let recipients)? = filed.json?["recipients"] else {
                    Issue.record("no recipients")
                    return
                }
                #expect(recipients.compactMap { $0["vendor"]?.stringValue } == ["acme"])
                print("RightsScale: round \(round): \(ours) shares of \(total) entries, request answered in \(elapsed)")
                // The next round files a new request: confirm this one so it is done.
                if let id = filed.json?["id"]?.stringValue {
                    _ = try await gateway.admin(.POST, "/v1/requests/\(id)/recipients/acme/confirm", token: consent)
                }
            }
        }
    }
}
