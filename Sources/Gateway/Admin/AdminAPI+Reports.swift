import Contracts
import HTTPTypes
import Hummingbird

extension AdminAPI {
    var reportRoutes: [AdminRoute] {
        [
            AdminRoute(.get, "/v1/subjects/{id}/disclosures", roles: [.auditor]) { request, context in
                let subject = try context.pathParameter("id")
                // Through the erasable mapping: after erasure the gateway no longer links the subject to the log.
                guard let ref = try await self.runtime.store.ref(forSubject: subject) else {
                    return AdminResponses.json(DisclosureReport().json(subject: subject))
                }
                let report = try await DisclosureReport.make(store: self.runtime.store, subjectRef: ref)
                return AdminResponses.json(report.json(subject: subject))
            },
            AdminRoute(.get, "/v1/stats/shares", roles: [.auditor]) { request, _ in
                let now = Timestamp.now()
                func day(_ name: String) throws(ProblemDetails) -> CivilDate? {
                    guard let text = try request.queryValue(name) else { return nil }
                    if let date = CivilDate(text) { return date }
                    if let time = Timestamp(rfc3339: text) { return time.civilDate }
                    throw ProblemDetails("invalid-request", "`\(name)` is a date (YYYY-MM-DD) or an RFC 3339 time")
                }
                let until = try day("until") ?? now.civilDate
                let since = try day("since") ?? now.adding(seconds: -29 * 86_400).civilDate
                guard since <= until else { throw ProblemDetails("invalid-request", "`since` is after `until`") }
                let rows = try await self.runtime.store.shareStats(
                    sinceDay: since.description,
                    untilDay: until.description
                )
                return AdminResponses.json(ShareStats(rows: rows).json(since: since, until: until))
            },
            AdminRoute(.get, "/v1/incidents/impact", roles: [.auditor]) { request, _ in
                guard let vendor = try request.queryValue("vendor"), RequestTarget.isIdentifier(vendor) else {
                    throw ProblemDetails("invalid-request", "`vendor` is required")
                }
                let since = try request.queryTime("since")
                let until = try request.queryTime("until")
                if let since, let until, since > until {
                    throw ProblemDetails("invalid-request", "`since` is after `until`")
                }
                let report = try await ImpactReport.make(
                    store: self.runtime.store,
                    vendor: vendor,
                    since: since,
                    until: until
                )
                return AdminResponses.json(report.json)
            },
        ]
    }
}

/// GDPR Art. 15(1)(c): which vendors received a subject's data, for which purposes and categories, when.
struct DisclosureReport {
    struct VendorDisclosure {
        var purposes: Set<String> = []
        var categories: Set<String> = []
        var first: String = ""
        var last: String = ""
        var shares = 0
    }

    var vendors: [String: VendorDisclosure] = [:]
    var refused = 0

    static func make(store: any LedgerStore, subjectRef: String) async throws -> DisclosureReport {
        var report = DisclosureReport()
        var after: LedgerPosition?
        while true {
            let page = try await store.entries(
                LedgerQuery(subjectRef: subjectRef, kind: "share", after: after, limit: 2000)
            )
            for row in page {
                let entry = try JSONReader.parse(row.bytes)
                guard entry["decision"] == .string("shared") else {
                    report.refused += 1
                    continue
                }
                guard case .array(let refs)? = entry["subjectRefs"], refs.contains(.string(subjectRef)),
                    let vendor = entry["vendor"]?.stringValue, let time = entry["time"]?.stringValue
                else { continue }
                var disclosure = report.vendors[vendor, default: VendorDisclosure()]
                if let purpose = entry["purpose"]?.stringValue { disclosure.purposes.insert(purpose) }
                if case .array(let fields)? = entry["fields"] {
                    for field in fields where field["action"] != .string("removed") {
                        if let category = field["category"]?.stringValue, category.hasPrefix("user") {
                            disclosure.categories.insert(category)
                        }
                    }
                }
                if disclosure.first.isEmpty || time < disclosure.first { disclosure.first = time }
                if time > disclosure.last { disclosure.last = time }
                disclosure.shares += 1
                report.vendors[vendor] = disclosure
            }
            guard let last = page.last, page.count == 2000 else { break }
            after = LedgerPosition(origin: last.origin, seq: last.seq)
        }
        return report
    }

    func json(subject: String) -> JSONValue {
        .object([
            JSONMember("subject", .string(subject)),
            JSONMember(
                "recipients",
                .array(
                    vendors.keys.sorted().map { vendor in
                        let disclosure = vendors[vendor]!
                        return .object([
                            JSONMember("vendor", .string(vendor)),
                            JSONMember("purposes", .array(disclosure.purposes.sorted().map(JSONValue.string))),
                            JSONMember("categories", .array(disclosure.categories.sorted().map(JSONValue.string))),
                            JSONMember("firstShared", .string(disclosure.first)),
                            JSONMember("lastShared", .string(disclosure.last)),
                            JSONMember("shares", AdminResponses.int(disclosure.shares)),
                        ])
                    }
                )
            ),
            JSONMember("refusedRequests", AdminResponses.int(refused)),
        ])
    }
}

/// GDPR Art. 33/34: who and what a vendor received in a window.
struct ImpactReport {
    var vendor: String
    var since: Timestamp?
    var until: Timestamp?
    var shares = 0
    var refs: Set<String> = []
    var categories: [String: Int] = [:]
    var mappable: [SubjectRefMapping] = []

    static func make(
        store: any LedgerStore,
        vendor: String,
        since: Timestamp?,
        until: Timestamp?
    ) async throws -> ImpactReport {
        var report = ImpactReport(vendor: vendor, since: since, until: until)
        var after: LedgerPosition?
        while true {
            let page = try await store.entries(
                LedgerQuery(
                    vendor: vendor,
                    decision: "shared",
                    kind: "share",
                    since: since,
                    until: until,
                    after: after,
                    limit: 2000
                )
            )
            for row in page {
                let entry = try JSONReader.parse(row.bytes)
                report.shares += 1
                if case .array(let refs)? = entry["subjectRefs"] {
                    for ref in refs { if let text = ref.stringValue { report.refs.insert(text) } }
                }
                var seen: Set<String> = []
                if case .array(let fields)? = entry["fields"] {
                    for field in fields where field["action"] != .string("removed") {
                        if let category = field["category"]?.stringValue, category.hasPrefix("user"),
                            seen.insert(category).inserted
                        {
                            report.categories[category, default: 0] += 1
                        }
                    }
                }
            }
            guard let last = page.last, page.count == 2000 else { break }
            after = LedgerPosition(origin: last.origin, seq: last.seq)
        }
        report.mappable = try await store.subjects(forRefs: Array(report.refs))
        return report
    }

    var json: JSONValue {
        .object([
            JSONMember("vendor", .string(vendor)),
            JSONMember("since", AdminResponses.time(since)),
            JSONMember("until", AdminResponses.time(until)),
            JSONMember("shares", AdminResponses.int(shares)),
            JSONMember("subjects", AdminResponses.int(refs.count)),
            JSONMember("subjectIds", .array(mappable.map(\.subject).sorted().map(JSONValue.string))),
            JSONMember("unmappableSubjects", AdminResponses.int(refs.count - Set(mappable.map(\.ref)).count)),
            JSONMember(
                "categories",
                .array(
                    categories.keys.sorted().map {
                        .object([
                            JSONMember("category", .string($0)),
                            JSONMember("shares", AdminResponses.int(categories[$0]!)),
                        ])
                    }
                )
            ),
        ])
    }
}

/// Shares and refusals per day per vendor, and refusals by reason, from the aggregate the share log keeps.
struct ShareStats {
    let rows: [ShareStatRow]

    func json(since: CivilDate, until: CivilDate) -> JSONValue {
        var days: [String: [ShareStatRow]] = [:]
        for row in rows { days[row.day, default: []].append(row) }
        return .object([
            JSONMember("since", .string(since.description)),
            JSONMember("until", .string(until.description)),
            JSONMember(
                "days",
                .array(
                    days.keys.sorted().map { day in
                        let cells = days[day]!
                        var vendors: [String: (shared: Int, refused: Int)] = [:]
                        var reasons: [String: Int] = [:]
                        for cell in cells {
                            var counts = vendors[cell.vendor, default: (0, 0)]
                            if cell.decision == "shared" {
                                counts.shared += cell.count
                            } else {
                                counts.refused += cell.count
                                reasons[cell.reason.isEmpty ? "unknown" : cell.reason, default: 0] += cell.count
                            }
                            vendors[cell.vendor] = counts
                        }
                        return .object([
                            JSONMember("day", .string(day)),
                            JSONMember(
                                "vendors",
                                .array(
                                    vendors.keys.sorted().map { vendor in
                                        .object([
                                            // Requests that named no registered vendor are counted under null.
                                            JSONMember("vendor", vendor.isEmpty ? .null : .string(vendor)),
                                            JSONMember("shared", AdminResponses.int(vendors[vendor]!.shared)),
                                            JSONMember("refused", AdminResponses.int(vendors[vendor]!.refused)),
                                        ])
                                    }
                                )
                            ),
                            JSONMember(
                                "refusals",
                                .array(
                                    reasons.keys.sorted().map { reason in
                                        .object([
                                            JSONMember("reason", .string(reason)),
                                            JSONMember("count", AdminResponses.int(reasons[reason]!)),
                                        ])
                                    }
                                )
                            ),
                        ])
                    }
                )
            ),
        ])
    }
}
