import Contracts
import Foundation
import NIOHTTP1
import Testing

@testable import Gateway

/// The database stops while traffic flows: shares are refused (nothing reaches the vendor), readiness goes
/// red, and both recover on their own when it is back, with no acknowledged entry lost.
@Suite(
    "PostgreSQL outage",
    .serialized,
    .timeLimit(.minutes(4)),
    .enabled(
        if: TestPostgres.enabled && TestPostgresCluster.binaries != nil,
        "needs PostgreSQL server binaries and the PostgreSQL run"
    )
)
struct DatabaseOutageTests {
    @Test func gatewayFailsClosedAndRecovers() async throws {
        let cluster = try TestPostgresCluster()
        defer { cluster.destroy() }
        try TestPostgres.psql(cluster.url, "CREATE DATABASE outage")
        var options = GatewayHarness.Options()
        options.database = "postgres://postgres@127.0.0.1:\(cluster.port)/outage"
        options.extraConfiguration["storage.timeoutSeconds"] = "2"
        try await withGateway(options) { gateway in
            try await gateway.grant("u1")
            let body = #"{"events":[{"user_id":"u1","page":"/p"}]}"#
            var acknowledged: [String] = []
            for _ in 0..<5 {
                let response = try await gateway.share("/vendors/acme/events", json: body)
                #expect(response.status == 200)
                if let id = response.shareID { acknowledged.append(id) }
            }
            let delivered = gateway.vendor.requests.count

            try cluster.stop()
            for _ in 0..<3 {
                let response = try await gateway.share("/vendors/acme/events", json: body)
                #expect(response.status == 503, "\(response.text)")
            }
            #expect(gateway.vendor.requests.count == delivered, "nothing reaches the vendor while the database is down")
            let notReady = try await gateway.admin(.GET, "/readyz", token: nil)
            #expect(notReady.status == 503)
            #expect(notReady.json?["checks"]?["database"] == .bool(false))

            try cluster.start()
            var recovered = false
            for _ in 0..<60 {
                try await Task.sleep(for: .milliseconds(500))
                let response = try await gateway.share("/vendors/acme/events", json: body)
                if response.status == 200 {
                    recovered = true
                    if let id = response.shareID { acknowledged.append(id) }
                    break
                }
            }
            #expect(recovered, "the gateway did not recover after the database came back")
            #expect(try await gateway.admin(.GET, "/readyz", token: nil).status == 200)
            let ids = Set(try await gateway.ledger().compactMap { $0["id"]?.stringValue })
            for id in acknowledged {
                #expect(ids.contains(id), "acknowledged share \(id) is missing from the log")
            }
            let check = try await LedgerSelfCheck(store: gateway.runtime.store, origin: gateway.runtime.shareLog.origin)
                .run()
            #expect(check.ok, "\(check.message)")
        }
    }
}
