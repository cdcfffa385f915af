import Contracts
import HTTPTypes
import Hummingbird

extension AdminAPI {
    var healthRoutes: [AdminRoute] {
        [
            // Who the token belongs to (the console reads its role here rather than probing routes).
            AdminRoute(.get, "/v1/whoami", roles: [.admin, .procurement, .consent, .auditor]) { _, context in
                let principal = context.principal!
                return AdminResponses.json(
                    .object([
                        JSONMember("name", .string(principal.name)),
                        JSONMember("role", .string(principal.role.rawValue)),
                    ])
                )
            },
            AdminRoute(.get, "/healthz", roles: []) { _, _ in
                AdminResponses.json(.object([JSONMember("status", .string("ok"))]))
            },
            AdminRoute(.get, "/readyz", roles: []) { _, _ in
                let checks = await self.readiness()
                let ready = !checks.isEmpty && checks.values.allSatisfy { $0 }
                return AdminResponses.json(
                    .object([
                        JSONMember("ready", .bool(ready)),
                        JSONMember("checks", .object(checks.keys.sorted().map { JSONMember($0, .bool(checks[$0]!)) })),
                    ]),
                    status: ready ? .ok : .serviceUnavailable
                )
            },
            AdminRoute(.get, "/metrics", roles: []) { _, _ in
                AdminResponses.text(
                    self.runtime.metrics.render(),
                    contentType: "text/plain; version=0.0.4; charset=utf-8"
                )
            },
        ]
    }

    var adminRoutes: [AdminRoute] {
        [
            AdminRoute(.get, "/v1/admin/calls", roles: [.auditor]) { request, _ in
                let limit = try request.queryInt("limit", range: 1...1000) ?? 100
                let after = try request.queryInt("cursor", range: 0...Int.max) ?? 0
                let calls = try await self.runtime.store.calls(after: Int64(after), limit: limit)
                return AdminResponses.json(
                    .object([
                        JSONMember(
                            "calls",
                            .array(
                                calls.map { call in
                                    .object([
                                        JSONMember("id", AdminResponses.int(Int(call.id))),
                                        JSONMember("time", AdminResponses.time(call.time)),
                                        JSONMember("principal", .string(call.principal)),
                                        JSONMember("role", .string(call.role)),
                                        JSONMember("method", .string(call.method)),
                                        JSONMember("route", .string(call.route)),
                                        JSONMember("status", AdminResponses.int(call.status)),
                                        JSONMember("outcome", .string(call.outcome)),
                                    ])
                                }
                            )
                        ),
                        JSONMember("nextCursor", calls.count == limit ? .string(String(calls.last!.id)) : .null),
                    ])
                )
            },
            AdminRoute(.get, "/v1/tokens", roles: [.admin]) { _, _ in
                let tokens = try await self.runtime.store.tokens()
                return AdminResponses.json(
                    .object([
                        JSONMember(
                            "tokens",
                            .array(
                                tokens.map { token in
                                    .object([
                                        JSONMember("id", .string(token.id)),
                                        JSONMember("name", .string(token.name)),
                                        JSONMember("role", .string(token.role.rawValue)),
                                        JSONMember("createdAt", AdminResponses.time(token.createdAt)),
                                        JSONMember("revokedAt", AdminResponses.time(token.revokedAt)),
                                    ])
                                }
                            )
                        )
                    ])
                )
            },
            AdminRoute(.delete, "/v1/tokens/{id}", roles: [.admin]) { _, context in
                let id = try context.pathParameter("id")
                guard try await self.tokens.revoke(id) else {
                    throw ProblemDetails("not-found", "no active token with this id or name")
                }
                return AdminResponses.json(.object([JSONMember("revoked", .bool(true))]))
            },
        ]
    }
}
