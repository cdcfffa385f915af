import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension AdminAPI {
    /// The filters of `/v1/shares` and its export.
    struct ShareFilters {
        var vendor: String?
        var subjectRef: String?
        var purpose: String?
        var decision: String?
        var since: Timestamp?
        var until: Timestamp?
        var origin: String?
    }

    /// The filters; a subject is looked up through the erasable mapping, so an erased subject matches nothing.
    func shareFilters(_ request: Request) async throws -> ShareFilters {
        var filters = ShareFilters()
        filters.vendor = try request.queryValue("vendor")
        if let vendor = filters.vendor, !RequestTarget.isIdentifier(vendor) {
            throw ProblemDetails("invalid-request", "`vendor` is not a vendor id")
        }
        if let subject = try request.queryValue("subject") {
            do { try ConsentInput.checkSubject(subject) } catch {
                throw ProblemDetails("invalid-request", "`subject` is not a valid subject id")
            }
            filters.subjectRef = try await runtime.store.ref(forSubject: subject) ?? "unmapped"
        }
        filters.purpose = try request.queryValue("purpose")
        filters.decision = try request.queryValue("decision")
        if let decision = filters.decision, decision != "shared", decision != "refused" {
            throw ProblemDetails("invalid-request", "`decision` is `shared` or `refused`")
        }
        filters.since = try request.queryTime("since")
        filters.until = try request.queryTime("until")
        if let since = filters.since, let until = filters.until, since > until {
            throw ProblemDetails("invalid-request", "`since` is after `until`")
        }
        filters.origin = try request.queryValue("origin")
        return filters
    }

    var shareRoutes: [AdminRoute] {
        [
            AdminRoute(.get, "/v1/shares", roles: [.auditor]) { request, _ in
                let filters = try await self.shareFilters(request)
                let limit = try request.queryInt("limit", range: 1...1000) ?? 100
                let after = try (try request.queryValue("cursor")).map { cursor throws(ProblemDetails) in
                    try self.cursors.decode(cursor)
                }
                let page = try await self.runtime.store.entries(
                    LedgerQuery(
                        origin: filters.origin,
                        vendor: filters.vendor,
                        subjectRef: filters.subjectRef,
                        purpose: filters.purpose,
                        decision: filters.decision,
                        since: filters.since,
                        until: filters.until,
                        after: after,
                        limit: limit + 1
                    )
                )
                let visible = page.prefix(limit)
                var entries: [JSONValue] = []
                for row in visible { entries.append(try JSONReader.parse(row.bytes)) }
                let next =
                    page.count > limit
                    ? visible.last.map { self.cursors.encode(LedgerPosition(origin: $0.origin, seq: $0.seq)) } : nil
                return AdminResponses.json(
                    .object([
                        JSONMember("entries", .array(entries)), JSONMember("nextCursor", AdminResponses.string(next)),
                    ])
                )
            },
            AdminRoute(.get, "/v1/shares/export", roles: [.auditor]) { request, _ in
                let filters = try await self.shareFilters(request)
                let format = try request.queryValue("format") ?? "jsonl"
                guard format == "jsonl" || format == "csv" else {
                    throw ProblemDetails("invalid-request", "`format` is `jsonl` or `csv`")
                }
                let exporter = LedgerExporter(store: self.runtime.store)
                var headers = HTTPFields()
                headers[.contentType] = format == "csv" ? "text/csv; charset=utf-8" : "application/jsonl"
                headers[.cacheControl] = "no-store"
                let body = ResponseBody { writer in
                    if format == "csv" {
                        try await writer.write(ByteBuffer(string: ShareCSV.header))
                    }
                    try await exporter.export(
                        origin: filters.origin,
                        since: filters.since,
                        until: filters.until,
                        vendor: filters.vendor,
                        subjectRef: filters.subjectRef,
                        purpose: filters.purpose,
                        decision: filters.decision
                    ) { chunk in
                        if format == "csv" {
                            try await writer.write(ByteBuffer(string: try ShareCSV.rows(jsonLines: chunk)))
                        } else {
                            try await writer.write(ByteBuffer(bytes: chunk))
                        }
                    }
                    try await writer.finish(nil)
                }
                return Response(status: .ok, headers: headers, body: body)
            },
        ]
    }
}

/// The share log as CSV (RFC 4180, every field quoted), one row per entry.
enum ShareCSV {
    static let columns = [
        "origin", "seq", "id", "time", "kind", "service", "vendor", "contract_id", "contract_version",
        "contract_digest",
        "purpose", "method", "operation", "decision", "reason", "records_received", "records_sent", "subject_refs",
        "consent_refs", "share_id", "upstream_status",
    ]
    static let header = columns.map(quote).joined(separator: ",") + "\r\n"

    static func rows(jsonLines chunk: [UInt8]) throws -> String {
        var out = ""
        for line in chunk.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            let entry = try JSONReader.parse(Array(line))
            func text(_ value: JSONValue?) -> String {
                switch value {
                case .string(let string)?: return string
                case .number(let number)?: return number.literal
                case .bool(let bool)?: return bool ? "true" : "false"
                case .array(let items)?: return items.map { text($0) }.joined(separator: " ")
                default: return ""
                }
            }
            let values = [
                text(entry["origin"]), text(entry["seq"]), text(entry["id"]), text(entry["time"]), text(entry["kind"]),
                text(entry["service"]), text(entry["vendor"]), text(entry["contract"]?["id"]),
                text(entry["contract"]?["version"]), text(entry["contract"]?["digest"]), text(entry["purpose"]),
                text(entry["method"]), text(entry["operation"]), text(entry["decision"]), text(entry["reason"]),
                text(entry["records"]?["received"]), text(entry["records"]?["sent"]), text(entry["subjectRefs"]),
                text(entry["consentRefs"]), text(entry["shareId"]), text(entry["upstreamStatus"]),
            ]
            out += values.map(quote).joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// Quotes a field; a leading `=`, `+`, `-` or `@` is defused for spreadsheet programs.
    static func quote(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
