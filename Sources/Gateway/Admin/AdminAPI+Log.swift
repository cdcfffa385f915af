import Contracts
import HTTPTypes
import Hummingbird
import NIOCore

extension AdminAPI {
    func origin(_ request: Request) throws(ProblemDetails) -> String {
        try request.queryValue("origin") ?? runtime.shareLog.origin
    }

    var logRoutes: [AdminRoute] {
        [
            AdminRoute(.get, "/v1/log/checkpoint", roles: [.auditor]) { request, _ in
                guard let checkpoint = try await self.runtime.store.latestCheckpoint(origin: try self.origin(request))
                else {
                    throw ProblemDetails("not-found", "the log has no checkpoint yet")
                }
                return AdminResponses.text(checkpoint.note)
            },
            AdminRoute(.get, "/v1/log/checkpoints", roles: [.auditor]) { request, _ in
                let limit = try request.queryInt("limit", range: 1...1000) ?? 100
                let checkpoints = try await self.runtime.store.checkpoints(
                    origin: try self.origin(request),
                    limit: limit
                )
                return AdminResponses.json(
                    .object([
                        JSONMember(
                            "checkpoints",
                            .array(
                                checkpoints.map { checkpoint in
                                    .object([
                                        JSONMember("origin", .string(checkpoint.origin)),
                                        JSONMember("treeSize", AdminResponses.int(checkpoint.size)),
                                        JSONMember("rootHash", .string(Base64.encode(checkpoint.rootHash))),
                                        JSONMember("time", AdminResponses.time(checkpoint.time)),
                                        JSONMember("note", .string(checkpoint.note)),
                                    ])
                                }
                            )
                        )
                    ])
                )
            },
            AdminRoute(.get, "/v1/log/proof/inclusion", roles: [.auditor]) { request, _ in
                guard let seq = try request.queryInt("seq", range: 0...Int(Int32.max) * 1024),
                    let size = try request.queryInt("size", range: 1...Int(Int32.max) * 1024)
                else { throw ProblemDetails("invalid-request", "`seq` and `size` are required") }
                let origin = try self.origin(request)
                guard seq < size else { throw ProblemDetails("invalid-request", "`seq` must be less than `size`") }
                guard size <= (try await self.runtime.store.ledgerSize(origin: origin)) else {
                    throw ProblemDetails("invalid-request", "the log is not that large")
                }
                let proof = try await LedgerProofs(store: self.runtime.store, origin: origin).inclusionProof(
                    leafIndex: seq,
                    treeSize: size
                )
                return AdminResponses.json(
                    .object([
                        JSONMember("leafIndex", AdminResponses.int(seq)),
                        JSONMember("treeSize", AdminResponses.int(size)),
                        JSONMember("hashes", .array(proof.map { .string(Base64.encode($0)) })),
                    ])
                )
            },
            AdminRoute(.get, "/v1/log/proof/consistency", roles: [.auditor]) { request, _ in
                guard let from = try request.queryInt("from", range: 1...Int(Int32.max) * 1024),
                    let to = try request.queryInt("to", range: 1...Int(Int32.max) * 1024)
                else { throw ProblemDetails("invalid-request", "`from` and `to` are required") }
                guard from <= to else { throw ProblemDetails("invalid-request", "`from` must not be after `to`") }
                let origin = try self.origin(request)
                guard to <= (try await self.runtime.store.ledgerSize(origin: origin)) else {
                    throw ProblemDetails("invalid-request", "the log is not that large")
                }
                let proof = try await LedgerProofs(store: self.runtime.store, origin: origin).consistencyProof(
                    from: from,
                    to: to
                )
                return AdminResponses.json(
                    .object([
                        JSONMember("from", AdminResponses.int(from)),
                        JSONMember("to", AdminResponses.int(to)),
                        JSONMember("hashes", .array(proof.map { .string(Base64.encode($0)) })),
                    ])
                )
            },
            AdminRoute(.get, "/v1/log/public-key", roles: [.auditor]) { request, _ in
                let origin = try self.origin(request)
                if origin == self.runtime.shareLog.origin {
                    return AdminResponses.text(self.runtime.keys.signer.verifierKeyString + "\n")
                }
                guard
                    let key = try await self.runtime.store.origins().first(where: { $0.origin == origin })?.verifierKey
                else {
                    throw ProblemDetails("not-found", "no log with this origin")
                }
                return AdminResponses.text(key + "\n")
            },
            AdminRoute(.get, "/v1/log/origins", roles: [.auditor]) { _, _ in
                let origins = try await self.runtime.store.origins()
                return AdminResponses.json(
                    .object([
                        JSONMember(
                            "origins",
                            .array(
                                origins.map {
                                    .object([
                                        JSONMember("origin", .string($0.origin)),
                                        JSONMember("verifierKey", .string($0.verifierKey)),
                                    ])
                                }
                            )
                        )
                    ])
                )
            },
            AdminRoute(.get, "/v1/log/tile/{tile*}", roles: [.auditor]) { _, context in
                // C2SP tlog-tiles: this instance's log, read from the stored Merkle nodes (immutable once
                // written). A full tile exists once its 256 nodes do; a partial one for any width stored.
                guard let tile = TilePath(context.parameters.getCatchAll()) else {
                    throw ProblemDetails(
                        "not-found",
                        "tile paths are L/N or L/N.p/W in the tlog-tiles form (N as x001/234), L 0 to 7, W 1 to 255"
                    )
                }
                let origin = self.runtime.shareLog.origin
                let ids = tile.nodes
                let stored = try await self.runtime.store.nodeHashes(origin: origin, ids)
                var body: [UInt8] = []
                body.reserveCapacity(ids.count * 32)
                for id in ids {
                    guard let hash = stored[id] else {
                        throw ProblemDetails("not-found", "the log does not have this tile (yet)")
                    }
                    body += hash
                }
                var headers = HTTPFields()
                headers[.contentType] = "application/octet-stream"
                headers[.cacheControl] =
                    tile.partialWidth == nil ? "public, max-age=31536000, immutable" : "no-store"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
            },
            AdminRoute(.get, "/v1/log/verify", roles: [.auditor]) { request, _ in
                let result = try await LedgerSelfCheck(store: self.runtime.store, origin: try self.origin(request))
                    .run()
                return AdminResponses.json(result.json, status: result.ok ? .ok : .internalServerError)
            },
        ]
    }
}
