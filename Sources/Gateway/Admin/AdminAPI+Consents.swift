import Contracts
import HTTPTypes
import Hummingbird
import NIOCore

extension AdminAPI {
    var consentRoutes: [AdminRoute] {
        [
            AdminRoute(.put, "/v1/subjects/{id}/consents", roles: [.consent]) { request, context in
                let subject = try context.pathParameter("id")
                let bytes = try await request.bytes(context: context, limit: 1 << 20)
                let value: JSONValue
                do {
                    value = try JSONReader.parse(bytes)
                } catch {
                    throw ProblemDetails("invalid-request", "the body is not strict JSON: \(error)")
                }
                let items: [JSONValue]
                if case .array(let array) = value { items = array } else { items = [value] }
                guard !items.isEmpty, items.count <= 1000 else {
                    throw ProblemDetails("invalid-request", "send 1 to 1000 records")
                }
                let input = try await self.runtime.consentInput()
                var records: [ConsentRecord] = []
                var errors: [JSONValue] = []
                for (index, item) in items.enumerated() {
                    do throws(ConsentInputError) {
                        records.append(try input.record(item, subject: subject))
                    } catch {
                        errors.append(
                            .object([
                                JSONMember("index", AdminResponses.int(index)),
                                JSONMember("message", .string(error.message)),
                            ])
                        )
                    }
                }
                guard errors.isEmpty else {
                    throw ProblemDetails(
                        code: "invalid-consent",
                        status: 422,
                        detail: "\(errors.count) of \(items.count) records are not valid; nothing was stored",
                        extensions: [JSONMember("errors", .array(errors))]
                    )
                }
                let stored = try await self.runtime.consents.put(records)
                return AdminResponses.json(
                    .object([
                        JSONMember("stored", AdminResponses.int(stored.inserted)),
                        JSONMember("records", .array(stored.records.map(\.json))),
                    ])
                )
            },
            AdminRoute(.get, "/v1/subjects/{id}/consents", roles: [.consent]) { _, context in
                let subject = try context.pathParameter("id")
                let history = try await self.runtime.consents.history(subject: subject)
                let now = Timestamp.now()
                let current = ConsentRecord.currentStates(history).map { record -> JSONValue in
                    guard case .object(var members) = record.json else { return record.json }
                    members.append(JSONMember("expired", .bool(record.status == .granted && record.isExpired(at: now))))
                    return .object(members)
                }
                return AdminResponses.json(
                    .object([
                        JSONMember("subject", .string(subject)),
                        JSONMember("current", .array(current)),
                        JSONMember("history", .array(history.map(\.json))),
                    ])
                )
            },
            AdminRoute(.delete, "/v1/subjects/{id}", roles: [.consent]) { _, context in
                let subject = try context.pathParameter("id")
                let removed = try await self.runtime.consents.erase(subject: subject)
                return AdminResponses.json(
                    .object([
                        JSONMember("erased", .bool(true)),
                        JSONMember("consentRecordsRemoved", AdminResponses.int(removed)),
                        JSONMember(
                            "shareLog",
                            .string(
                                "unchanged; its entries are no longer linked to this subject (the id-to-ref mapping is erased)"
                            )
                        ),
                    ])
                )
            },
            AdminRoute(.post, "/v1/consents/import", roles: [.consent]) { request, _ in
                let input = try await self.runtime.consentInput()
                let importer = ConsentImporter(input: input, service: self.runtime.consents)
                var errors: [JSONValue] = []
                let report = try await importer.run(lines: BodyLines(body: request.body)) { line, message in
                    if errors.count < 1000 {
                        errors.append(
                            .object([
                                JSONMember("line", AdminResponses.int(line)), JSONMember("message", .string(message)),
                            ])
                        )
                    }
                }
                return AdminResponses.json(
                    .object([
                        JSONMember("lines", AdminResponses.int(report.lines)),
                        JSONMember("applied", AdminResponses.int(report.applied)),
                        JSONMember("stored", AdminResponses.int(report.stored)),
                        JSONMember("invalid", AdminResponses.int(report.invalid)),
                        JSONMember("errors", .array(errors)),
                        JSONMember("errorsTruncated", .bool(report.invalid > errors.count)),
                    ])
                )
            },
        ]
    }
}

/// The lines of a streamed request body (a million-line import never sits in memory whole).
struct BodyLines: AsyncSequence {
    typealias Element = [UInt8]
    let body: RequestBody

    struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: RequestBody.AsyncIterator
        var buffer: [UInt8] = []
        var start = 0
        var finished = false

        mutating func next() async throws -> [UInt8]? {
            while true {
                if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(buffer[start..<newline])
                    start = newline + 1
                    return line
                }
                if finished {
                    guard start < buffer.count else { return nil }
                    let line = Array(buffer[start...])
                    start = buffer.count
                    return line
                }
                buffer.removeFirst(start)
                start = 0
                if buffer.count > 1 << 20 {
                    throw ProblemDetails(code: "body-too-large", status: 413, detail: "a line is over 1 MiB")
                }
                if let chunk = try await chunks.next() {
                    buffer += chunk.readableBytesView
                } else {
                    finished = true
                }
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: body.makeAsyncIterator()) }
}
