import Contracts
import Foundation
import NIOHTTP1
import Testing

@testable import Gateway

/// `GET /v1/stats/shares`: per day, shares and refusals per vendor and refusals by reason, from the aggregate
/// the share log keeps in each commit.
@Suite("Share statistics")
struct ShareStatsTests {
    @Test func sharesAndRefusalsAreCountedPerDayVendorAndReason() async throws {
        try await withGateway { gateway in
            let auditor = try await gateway.token(.auditor, name: "audit")
            try await gateway.grant("u1")
            let body = #"{"events":[{"user_id":"u1","page":"/p"}]}"#
            #expect(try await gateway.share("/vendors/acme/events", json: body).status == 200)
            #expect(try await gateway.share("/vendors/acme/events", json: body).status == 200)
            let noConsent = #"{"events":[{"user_id":"u2","page":"/p"}]}"#
            #expect(try await gateway.share("/vendors/acme/events", json: noConsent).status == 403)
            #expect(try await gateway.share("/vendors/nobody/events", json: body).status == 404)

            let stats = try await gateway.admin(.GET, "/v1/stats/shares", token: auditor)
            #expect(stats.status == 200)
            let today = Timestamp.now().civilDate.description
            #expect(stats.json?["until"] == .string(today))
            guard case .array(let days)? = stats.json?["days"], let day = days.last else {
                Issue.record("no days: \(stats.text)")
                return
            }
            #expect(day["day"] == .string(today))
            #expect(
                day["vendors"]
                    == .array([
                        .object([
                            JSONMember("vendor", .null), JSONMember("shared", .number(JSONNumber(0))),
                            JSONMember("refused", .number(JSONNumber(1))),
                        ]),
                        .object([
                            JSONMember("vendor", .string("acme")), JSONMember("shared", .number(JSONNumber(2))),
                            JSONMember("refused", .number(JSONNumber(1))),
                        ]),
                    ])
            )
            #expect(
                day["refusals"]
                    == .array([
                        .object([
                            JSONMember("reason", .string("consent-missing")),
                            JSONMember("count", .number(JSONNumber(1))),
                        ]),
                        .object([
                            JSONMember("reason", .string("vendor-unknown")),
                            JSONMember("count", .number(JSONNumber(1))),
                        ]),
                    ])
            )
            // A window without activity has no days; bad windows are refused.
            let empty = try await gateway.admin(
                .GET,
                "/v1/stats/shares?since=2026-01-01&until=2026-01-31",
                token: auditor
            )
            #expect(empty.json?["days"] == .array([]))
            #expect(
                try await gateway.admin(.GET, "/v1/stats/shares?since=2026-02-01&until=2026-01-01", token: auditor)
                    .status == 400
            )
            #expect(try await gateway.admin(.GET, "/v1/stats/shares?since=yesterday", token: auditor).status == 400)
            #expect(try await gateway.admin(.GET, "/v1/stats/shares", token: nil).status == 401)
        }
    }
}

@Suite("Who am I")
struct WhoAmITests {
    @Test func eachTokenLearnsItsNameAndRole() async throws {
        try await withGateway { gateway in
            for role in [Role.admin, .procurement, .consent, .auditor] {
                let token = try await gateway.token(role, name: "person-\(role.rawValue)")
                let answer = try await gateway.admin(.GET, "/v1/whoami", token: token)
                #expect(answer.status == 200)
                #expect(answer.json?["role"] == .string(role.rawValue))
                #expect(answer.json?["name"] == .string("person-\(role.rawValue)"))
            }
            #expect(try await gateway.admin(.GET, "/v1/whoami", token: nil).status == 401)
            #expect(try await gateway.admin(.GET, "/v1/whoami", token: "not-a-token").status == 401)
        }
    }
}
