import AsyncHTTPClient
import Contracts
import Foundation
import Gateway
import NIOCore
import NIOHTTP1
import Testing

/// A generative leak test of the data plane. Its oracle comes from DESIGN ("Data plane", "Decision, per record",
/// "Identifiers are their bytes", "Contracts (DPA XML)", "Share log"), not from the code.
///
/// For each example agreement (`contracts/agreements/*.xml`, pointed at the local test vendor) and for
/// `TestAgreements.acme`, a seeded generator builds random requests from the agreement's data map. Every string
/// value, every unmapped member or query name made up by the generator and every subject id is a unique marker
/// (`mk` and 12 hex digits; a subject twin adds a suffix such as NFC `-\u{E9}z` against NFD `-e\u{301}z`). For
/// each marker the generator notes the data-map paths at which it may reach the vendor as it is. A marker may
/// reach the vendor only where it sits as one scalar in a mapped field (or a mapped query parameter) whose
/// category leaves: non-personal, or allowed for the purpose, not prohibited, not transformed, within the
/// consent's categories (consent basis) and named explicitly when sensitive. It may not when the request is
/// refused as a whole (purpose, term, undeclared operation, duplicate keys, a body that cannot be inspected,
/// no record with a lawful basis) or when its record has no lawful basis. Where DESIGN leaves something open
/// (other bases than consent, legitimate interest and contract; body-level fields of a batch; no subject
/// under a non-consent basis) the oracle allows the marker: it never asserts more than DESIGN says.
///
/// Assertions, per case:
/// 1. no marker reaches the vendor (raw and percent-decoded URI and body, decoded JSON or form members,
///    headers) anywhere the oracle does not allow;
/// 2. a marker that does reach it sits at a path that the case's share entry (found by `Share-Id`) reports as
///    `sent`, `hash`, `mask` or `generalize`;
/// 3. no marker appears in any share-log entry, nor in the gateway's answers to the client (log lines: the
///    harness's `PersonalValueWatch` checks a sample of about 100 markers per agreement);
/// 4. a refused request sends nothing; a request DESIGN refuses is refused (duplicate keys with a 4xx); a
///    forwarded one is sent once; canonically equivalent but byte-different member names are not duplicates.
///
/// Vendor requests are attributed to cases by their `X-Request-Id` (`glk-N`), else by the markers they hold.
/// A failure names the seed and case; to replay one case: `GATEWAY_LEAK_SEED=S GATEWAY_LEAK_AGREEMENT=NAME
/// GATEWAY_LEAK_ONLY_CASE=N swift test --filter GenerativeLeakTests`. `GATEWAY_LEAK_CASES` sets the cases per
/// agreement (default 400), `GATEWAY_LEAK_CONCURRENCY` the requests in flight (default 8);
/// `scripts/leak-hunt.sh` runs many seeds.
@Suite("Generative leak test", .serialized)
struct GenerativeLeakTests {
    static let agreementNames = LeakAgreements.names()

    @Test func everyExampleAgreementIsCovered() {
        #expect(Self.agreementNames.count >= 6, "agreements found: \(Self.agreementNames)")
    }

    @Test(arguments: agreementNames)
    func noMarkerLeaks(_ agreement: String) async throws {
        try await LeakHunt.run(agreement)
    }
}

// MARK: - Running

private enum LeakHunt {
    static let maxRecordedIssues = 25
    static let watchedMarkers = 100

    static func run(_ name: String) async throws {
        let settings = LeakSettings.fromEnvironment()
        for problem in settings.problems {
            Issue.record(Comment(rawValue: problem))
        }
        if let only = settings.onlyAgreement, only != name {
            return
        }
        let agreement = try LeakAgreements.load(name)
        let numbers = settings.onlyCase.map { [$0] } ?? Array(0..<settings.cases)
        let cases = numbers.map { LeakGenerator.make(agreement, seed: settings.seed, number: $0) }
        print("GenerativeLeakTests \(name): GATEWAY_LEAK_SEED=\(settings.seed), \(cases.count) cases")
        var options = GatewayHarness.Options()
        options.agreements = [agreement.xml]
        if let credential = agreement.credential {
            options.credentials = [credential: "sk_test_\(credential)"]
        }
        try await withGateway(options) { gateway in
            // The harness's log watch searches every value it is told about in every log line and entry: give it
            // a bounded sample (requests go out through `exchange`, which notes nothing).
            gateway.watch.note(Self.watchSample(cases))
            let results = await Self.send(cases, to: gateway, concurrency: settings.concurrency)
            let forwarded = results.filter { $0.response?.status == 200 }.count
            let ledger = try await Self.settledLedger(gateway, outcomes: forwarded)
            var checker = LeakChecker(agreement: agreement, settings: settings)
            checker.check(cases, results: results, requests: gateway.vendor.requests, ledger: ledger)
            for issue in checker.issues.prefix(Self.maxRecordedIssues) {
                Issue.record(Comment(rawValue: issue))
            }
            if checker.issues.count > Self.maxRecordedIssues {
                let more = checker.issues.count - Self.maxRecordedIssues
                Issue.record(Comment(rawValue: "... and \(more) more failures (GATEWAY_LEAK_SEED=\(settings.seed))"))
            }
            print("GenerativeLeakTests \(name): \(checker.stats.summary)")
        }
    }

    /// About `watchedMarkers` markers, spread over the cases.
    static func watchSample(_ cases: [LeakCase]) -> [String] {
        let all = cases.flatMap { $0.markers.map(\.text) }
        let step = max(1, all.count / watchedMarkers)
        return stride(from: 0, to: all.count, by: step).map { all[$0] }
    }

    /// Runs the cases with at most `concurrency` requests in flight.
    static func send(_ cases: [LeakCase], to gateway: GatewayHarness, concurrency: Int) async -> [LeakResult] {
        await withTaskGroup(of: LeakResult.self, returning: [LeakResult].self) { group in
            var results: [LeakResult] = []
            var next = 0
            while next < cases.count && next < max(1, concurrency) {
                let leakCase = cases[next]
                group.addTask { await Self.perform(leakCase, gateway: gateway) }
                next += 1
            }
            while let result = await group.next() {
                results.append(result)
                if next < cases.count {
                    let leakCase = cases[next]
                    group.addTask { await Self.perform(leakCase, gateway: gateway) }
                    next += 1
                }
            }
            return results.sorted { $0.number < $1.number }
        }
    }

    static func perform(_ leakCase: LeakCase, gateway: GatewayHarness) async -> LeakResult {
        var result = LeakResult(number: leakCase.number)
        if !leakCase.consents.isEmpty {
            do {
                _ = try await gateway.runtime.consents.put(leakCase.consents)
            } catch {
                result.setupError = "\(error)"
                return result
            }
        }
        do {
            result.response = try await gateway.send(
                LeakText.method(leakCase.method),
                leakCase.target,
                headers: leakCase.headers,
                body: leakCase.body,
                watched: false
            )
        } catch {
            result.clientError = "\(error)"
        }
        return result
    }

    /// The ledger once the outcome entries of the forwarded requests (logged alongside the answers) are in.
    static func settledLedger(_ gateway: GatewayHarness, outcomes: Int) async throws -> [JSONValue] {
        var ledger = try await gateway.ledger()
        for _ in 0..<100 {
            let logged = ledger.filter { $0["kind"]?.stringValue == "outcome" }.count
            if logged >= outcomes { break }
            try await Task.sleep(for: .milliseconds(50))
            ledger = try await gateway.ledger()
        }
        return ledger
    }
}

private struct LeakSettings: Sendable {
    var seed: UInt64 = 20_261_203
    var cases = 400
    var concurrency = 8
    var onlyCase: Int?
    var onlyAgreement: String?
    var problems: [String] = []

    static func fromEnvironment() -> LeakSettings {
        let environment = ProcessInfo.processInfo.environment
        var settings = LeakSettings()
        if let text = environment["GATEWAY_LEAK_SEED"], !text.isEmpty {
            if let seed = parse(text) {
                settings.seed = seed
            } else {
                settings.problems.append("GATEWAY_LEAK_SEED=\(text) is not an unsigned 64-bit number")
            }
        }
        if let text = environment["GATEWAY_LEAK_CASES"], !text.isEmpty {
            if let cases = Int(text), cases >= 0 {
                settings.cases = cases
            } else {
                settings.problems.append("GATEWAY_LEAK_CASES=\(text) is not a count")
            }
        }
        if let text = environment["GATEWAY_LEAK_CONCURRENCY"], let value = Int(text), value > 0 {
            settings.concurrency = value
        }
        if let text = environment["GATEWAY_LEAK_ONLY_CASE"], !text.isEmpty {
            settings.onlyCase = Int(text)
        }
        if let text = environment["GATEWAY_LEAK_AGREEMENT"], !text.isEmpty {
            settings.onlyAgreement = text
        }
        return settings
    }

    static func parse(_ text: String) -> UInt64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("0x") || trimmed.hasPrefix("0X") {
            return UInt64(trimmed.dropFirst(2), radix: 16)
        }
        return UInt64(trimmed)
    }
}

/// SplitMix64: small, fast, and the same sequence on every platform for a seed.
private struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed of case `number` of `agreement`: each case is generated on its own, so one case replays alone.
    static func caseSeed(_ seed: UInt64, agreement: String, number: Int) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in agreement.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
        }
        var mixer = SplitMix64(seed: seed ^ hash ^ (UInt64(number) &* 0x9E37_79B9_7F4A_7C15))
        return mixer.next()
    }
}

// MARK: - Agreements and the taxonomy, read from the repository

private struct RuleModel: Sendable {
    /// The data-map path as declared (`@.email`, `$.batch_id`) or `?name` for a query parameter.
    var path: String
    var category: String
}

private struct QueryModel: Sendable {
    var name: String
    var category: String
}

private struct CategoryGrant: Sendable {
    var ref: String
    var transform: String?
}

private struct PurposeModel: Sendable {
    var ref: String
    var basis: String
    var categories: [CategoryGrant]
}

private enum PathSegment: Sendable {
    case member(String)
    case everyElement
}

/// The tree of a data map: where mapped fields sit, which member names lead to them, where records are.
private struct MapNode: Sendable {
    var rule: RuleModel?
    var members: [MapMember] = []
    /// The node of every array element (zero or one).
    var elements: [MapNode] = []
    var isRecords = false
    var isSubject = false

    var isLeaf: Bool { rule != nil || (members.isEmpty && elements.isEmpty) }

    func member(_ name: [UInt8]) -> MapNode? {
        members.first { Array($0.name.utf8) == name }?.node
    }

    func member(_ name: String) -> MapNode? {
        member(Array(name.utf8))
    }

    mutating func update(_ segments: ArraySlice<PathSegment>, _ change: (inout MapNode) -> Void) {
        guard let first = segments.first else {
            change(&self)
            return
        }
        switch first {
        case .member(let name):
            if let index = members.firstIndex(where: { Array($0.name.utf8) == Array(name.utf8) }) {
                members[index].node.update(segments.dropFirst(), change)
            } else {
                var node = MapNode()
                node.update(segments.dropFirst(), change)
                members.append(MapMember(name: name, node: node))
            }
        case .everyElement:
            if elements.isEmpty { elements = [MapNode()] }
            elements[0].update(segments.dropFirst(), change)
        }
    }
}

private struct MapMember: Sendable {
    var name: String
    var node: MapNode
}

private struct OperationModel: Sendable {
    var method: String
    var path: String
    var records: String?
    var subject: String?
    var fields: [RuleModel] = []
    var queries: [QueryModel] = []
    var map = MapNode()

    func isMappedQuery(_ name: String) -> Bool {
        queries.contains { Array($0.name.utf8) == Array(name.utf8) }
    }
}

private struct TaxonomyModel: Sendable {
    var sensitiveRoots: [String] = []
    var purposes: [String] = []
    var salePurposes: [String] = []

    init(tags: [XMLTag]) {
        for tag in tags where !tag.closing {
            if tag.name == "category", let id = tag.attributes["id"], tag.attributes["sensitive"] == "true" {
                sensitiveRoots.append(id)
            }
            if tag.name == "purpose", let id = tag.attributes["id"] {
                purposes.append(id)
                if tag.attributes["saleOrSharing"] == "true" { salePurposes.append(id) }
            }
        }
    }

    /// The special (Art. 9) category that `category` lies under, if any.
    func sensitiveRoot(of category: String) -> String? {
        sensitiveRoots.first { LeakRules.within(category, $0) }
    }
}

private struct LeakAgreement: Sendable {
    var name: String
    var xml: String
    var vendorID: String
    var credential: String?
    /// Certainly outside `term` today (a day of margin either side).
    var outOfTerm: Bool
    /// Certainly inside `term` today.
    var inTerm: Bool
    var purposes: [PurposeModel]
    var prohibited: [String]
    var operations: [OperationModel]
    var taxonomy: TaxonomyModel

    func declares(_ method: String, _ path: String) -> Bool {
        operations.contains { $0.method == method && $0.path == path }
    }
}

private enum LeakAgreements {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Proxy
        .deletingLastPathComponent()  // GatewayTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
    static let testAgreement = "TestAgreements.acme"

    /// `TestAgreements.acme`, then every file of `contracts/agreements`.
    static func names() -> [String] {
        let directory = repositoryRoot.appendingPathComponent("contracts/agreements").path
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return [testAgreement] + files.filter { $0.hasSuffix(".xml") }.sorted()
    }

    static func load(_ name: String) throws -> LeakAgreement {
        let taxonomyURL = repositoryRoot.appendingPathComponent("contracts/taxonomy.xml")
        let taxonomyText = try String(contentsOf: taxonomyURL, encoding: .utf8)
        let taxonomy = TaxonomyModel(tags: TagScanner.tags(taxonomyText))
        let xml: String
        if name == testAgreement {
            xml = TestAgreements.acme
        } else {
            let url = repositoryRoot.appendingPathComponent("contracts/agreements").appendingPathComponent(name)
            let text = try String(contentsOf: url, encoding: .utf8)
            guard let local = localized(text) else {
                throw HarnessError("\(name): no endpoint/@baseURL to point at the test vendor")
            }
            xml = local
        }
        return try model(name: name, xml: xml, taxonomy: taxonomy)
    }

    /// The agreement with its endpoint on the local test vendor, allowing the harness's client `demo-service`.
    static func localized(_ xml: String) -> String? {
        var text = xml
        guard let start = text.range(of: "baseURL=\"https://") else { return nil }
        guard let quote = text[start.upperBound...].firstIndex(of: "\"") else { return nil }
        let address = text[start.upperBound..<quote]
        let path = address.firstIndex(of: "/").map { String(address[$0...]) } ?? ""
        text.replaceSubrange(start.lowerBound..<quote, with: "baseURL=\"https://127.0.0.1:VENDOR_PORT\(path)")
        if !text.contains("<allowedService>demo-service</allowedService>") {
            guard let endpoint = text.range(of: "<endpoint ") else { return nil }
            guard let close = text[endpoint.upperBound...].firstIndex(of: ">") else { return nil }
            guard text[text.index(before: close)] != "/" else { return nil }
            text.insert(contentsOf: "\n    <allowedService>demo-service</allowedService>", at: text.index(after: close))
        }
        return text
    }

    static func model(name: String, xml: String, taxonomy: TaxonomyModel) throws -> LeakAgreement {
        var vendorID = ""
        var credential: String?
        var effective = ""
        var expires = ""
        var purposes: [PurposeModel] = []
        var purpose: PurposeModel?
        var prohibited: [String] = []
        var operations: [OperationModel] = []
        var operation: OperationModel?
        for tag in TagScanner.tags(xml) {
            let attributes = tag.attributes
            switch (tag.name, tag.closing) {
            case ("vendor", false):
                vendorID = attributes["id"] ?? ""
            case ("term", false):
                effective = attributes["effective"] ?? ""
                expires = attributes["expires"] ?? ""
            case ("purpose", false):
                purpose = PurposeModel(ref: attributes["ref"] ?? "", basis: attributes["basis"] ?? "", categories: [])
                if tag.selfClosing, let finished = purpose {
                    purposes.append(finished)
                    purpose = nil
                }
            case ("purpose", true):
                if let finished = purpose { purposes.append(finished) }
                purpose = nil
            case ("category", false):
                purpose?.categories.append(
                    CategoryGrant(ref: attributes["ref"] ?? "", transform: attributes["transform"])
                )
            case ("prohibited", false):
                prohibited.append(attributes["ref"] ?? "")
            case ("endpoint", false):
                credential = attributes["credential"]
            case ("operation", false):
                operation = OperationModel(
                    method: attributes["method"] ?? "",
                    path: attributes["path"] ?? "",
                    records: attributes["records"],
                    subject: attributes["subject"]
                )
                if tag.selfClosing, let finished = operation {
                    operations.append(mapped(finished))
                    operation = nil
                }
            case ("operation", true):
                if let finished = operation { operations.append(mapped(finished)) }
                operation = nil
            case ("field", false):
                operation?.fields.append(
                    RuleModel(path: attributes["path"] ?? "", category: attributes["category"] ?? "")
                )
            case ("query", false):
                operation?.queries.append(
                    QueryModel(name: attributes["name"] ?? "", category: attributes["category"] ?? "")
                )
            default:
                break
            }
        }
        guard !vendorID.isEmpty, !purposes.isEmpty, !operations.isEmpty else {
            throw HarnessError("\(name): no vendor, purpose or operation found")
        }
        let today = Int((Date().timeIntervalSince1970 / 86_400).rounded(.down))
        let start = civilDays(effective) ?? Int.min / 2
        let end = civilDays(expires) ?? Int.max / 2
        return LeakAgreement(
            name: name,
            xml: xml,
            vendorID: vendorID,
            credential: credential,
            outOfTerm: today < start - 1 || today > end + 1,
            inTerm: today > start && today < end,
            purposes: purposes,
            prohibited: prohibited,
            operations: operations,
            taxonomy: taxonomy
        )
    }

    /// The operation with its data map as a tree.
    static func mapped(_ operation: OperationModel) -> OperationModel {
        var result = operation
        let records = operation.records.map { segments($0).segments } ?? []
        let batched = operation.records != nil
        if batched {
            result.map.update(records[...]) { $0.isRecords = true }
        }
        for field in operation.fields {
            result.map.update(absolute(field.path, records: records, batched: batched)[...]) { $0.rule = field }
        }
        if let subject = operation.subject {
            result.map.update(absolute(subject, records: records, batched: batched)[...]) { $0.isSubject = true }
        }
        return result
    }

    static func absolute(_ path: String, records: [PathSegment], batched: Bool) -> [PathSegment] {
        let parsed = segments(path)
        return parsed.root == "@" && batched ? records + parsed.segments : parsed.segments
    }

    /// `$.a.b[*].c` as its root and segments.
    static func segments(_ path: String) -> (root: Character, segments: [PathSegment]) {
        var rest = Substring(path)
        let root = rest.first ?? "$"
        rest = rest.dropFirst()
        var segments: [PathSegment] = []
        while let next = rest.first {
            if rest.hasPrefix("[*]") {
                segments.append(.everyElement)
                rest = rest.dropFirst(3)
            } else if next == "." {
                rest = rest.dropFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                segments.append(.member(String(name)))
                rest = rest.dropFirst(name.count)
            } else {
                rest = rest.dropFirst()
            }
        }
        return (root, segments)
    }

    /// Days since 1970-01-01 of `YYYY-MM-DD`.
    static func civilDays(_ text: String) -> Int? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        let month = parts[1]
        let day = parts[2]
        let year = month <= 2 ? parts[0] - 1 : parts[0]
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

private struct XMLTag: Sendable {
    var name: String
    var attributes: [String: String]
    var closing: Bool
    var selfClosing: Bool
}

/// Reads the start and end tags of a simple XML document (the agreements and the taxonomy): enough for a model,
/// independent of the gateway's own XML reading.
private enum TagScanner {
    static func tags(_ text: String) -> [XMLTag] {
        let bytes = Array(text.utf8)
        var tags: [XMLTag] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<") else {
                index += 1
                continue
            }
            if starts(bytes, at: index, with: "<!--") {
                index = find(bytes, "-->", from: index) + 3
                continue
            }
            let end = find(bytes, ">", from: index)
            let next = index + 1 < bytes.count ? bytes[index + 1] : 0
            if next != UInt8(ascii: "?") && next != UInt8(ascii: "!") && index + 1 < end {
                tags.append(parse(Array(bytes[(index + 1)..<end])))
            }
            index = end + 1
        }
        return tags
    }

    static func starts(_ bytes: [UInt8], at index: Int, with prefix: String) -> Bool {
        let needle = Array(prefix.utf8)
        return index + needle.count <= bytes.count && bytes[index..<(index + needle.count)].elementsEqual(needle)
    }

    /// The index of `needle` from `start`, or the end of `bytes`.
    static func find(_ bytes: [UInt8], _ needle: String, from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            if starts(bytes, at: index, with: needle) { return index }
            index += 1
        }
        return bytes.count
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static func parse(_ inner: [UInt8]) -> XMLTag {
        var body = inner[...]
        let closing = body.first == UInt8(ascii: "/")
        if closing { body = body.dropFirst() }
        let selfClosing = body.last == UInt8(ascii: "/")
        if selfClosing { body = body.dropLast() }
        let name = body.prefix { !isSpace($0) }
        body = body.dropFirst(name.count)
        var attributes: [String: String] = [:]
        while true {
            body = body.drop(while: isSpace)
            guard let equals = body.firstIndex(of: UInt8(ascii: "=")) else { break }
            let key = String(decoding: body[..<equals], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            body = body[(equals + 1)...].drop(while: isSpace)
            guard let quote = body.first, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { break }
            body = body.dropFirst()
            guard let close = body.firstIndex(of: quote) else { break }
            attributes[key] = unescape(String(decoding: body[..<close], as: UTF8.self))
            body = body[(close + 1)...]
        }
        return XMLTag(
            name: String(decoding: name, as: UTF8.self),
            attributes: attributes,
            closing: closing,
            selfClosing: selfClosing
        )
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

// MARK: - The oracle's rules (DESIGN, "Decision, per record")

private enum LeakRules {
    /// Categories are hierarchical: `user.contact.email` is within `user.contact`.
    static func within(_ category: String, _ ancestor: String) -> Bool {
        category == ancestor || category.hasPrefix(ancestor + ".")
    }

    /// Personal data is under `user`; everything else (`system.operations`) leaves as it is.
    static func isPersonal(_ category: String) -> Bool {
        within(category, "user")
    }
}

/// A subject's current consent for the case's purpose and this vendor (or `*`).
private enum ConsentState: Sendable {
    case absent
    case granted([String])
    case withdrawn
}

/// Whether a record has a lawful basis, as far as DESIGN says.
private enum RecordBasis: Sendable {
    case yes([String])
    case no(String)
    case unknown

    var isNo: Bool {
        if case .no = self { return true }
        return false
    }
}

private struct Verdict {
    var may: Bool
    var why: String
}

/// One place where the generator put a marker.
private struct Placement {
    var text: String
    /// The mapped field (or query parameter) the marker is the scalar value of; `nil` when it is anything else
    /// (an unmapped member or name, inside a container, a header...).
    var rule: RuleModel?
    /// The record it belongs to (`nil`: the body or query of a batch, a header).
    var record: Int?
    var note: String
}

/// A marker of a case and where it may reach the vendor as it is.
private struct MarkerFate: Sendable {
    var text: String
    var bytes: [UInt8]
    /// Data-map paths (UTF-8) where it may arrive as it is; empty: nowhere.
    var allowed: [[UInt8]]
    var notes: [String]
}

/// One generated request and what the oracle expects of it.
private struct LeakCase: Sendable {
    var number: Int
    var operation: Int
    var method: String
    var target: String
    var headers: [(String, String)]
    var body: [UInt8]?
    var bodyText: String
    var consents: [ConsentRecord]
    var consentNotes: [String]
    var markers: [MarkerFate]
    /// Why DESIGN refuses the request as a whole, when it does.
    var expectedRefusal: String?
    /// The JSON body has two members whose names are the same bytes once unescaped.
    var duplicateKeys: Bool
    /// The JSON body has two members whose names are canonically equivalent but different bytes.
    var lookalikeKeys: Bool
}

private struct LeakResult: Sendable {
    var number: Int
    var response: GatewayHarness.Response?
    var clientError: String?
    var setupError: String?
}

// MARK: - Generating

private enum GenValue {
    /// A string; `escape` writes that scalar as `\uXXXX` in the JSON text (it decodes to the same string).
    case string(String, escape: Int?)
    /// A number, `true`, `false` or `null`.
    case literal(String)
    case array([GenValue])
    case object([GenMember])
}

private struct GenMember {
    var key: String
    var escape: Int?
    var value: GenValue
}

private struct QueryPair {
    var name: String
    /// This byte of the name is percent-encoded although it need not be.
    var encodeAt: Int?
    var value: String
    /// Every byte of the value is percent-encoded.
    var encodeAll: Bool
}

private struct PurposeHeader {
    var value: String?
    var valid: Bool
}

private struct LeakGenerator {
    let agreement: LeakAgreement
    let operation: OperationModel
    var rng: SplitMix64
    var placements: [Placement] = []
    /// Each record's subject id (`nil`: it names none).
    var recordSubjects: [String?] = []
    var recordsGenerated = false
    var duplicateKeys = false
    var lookalikeKeys = false
    var subjectPool: [String] = []
    var consentStates: [[UInt8]: ConsentState] = [:]
    var consents: [ConsentRecord] = []
    var consentNotes: [String] = []
    var headerSubject: String?

    static let junkWords = [
        "extra", "notes", "ssn", "password", "internal_id", "nickname", "__proto__", "constructor", "shoe_size",
        "Email", "e-mail", "\u{E9}mail", "e\u{301}mail", "na\u{EF}ve", "\u{212A}ey", "user id", "",
    ]

    /// Pairs of subject-id suffixes that look alike (or are canonically equivalent) but are different bytes.
    static let subjectTwins: [(String, String)] = [
        ("-\u{E9}z", "-e\u{301}z"),
        ("-Kz", "-\u{212A}z"),
        ("-abz", "-ABz"),
        ("-xz", "-\u{200B}xz"),
        ("-\u{C5}z", "-\u{212B}z"),
    ]

    /// Pairs of member-name suffixes that are canonically equivalent but different bytes.
    static let equivalentNames: [(String, String)] = [
        ("-\u{E9}z", "-e\u{301}z"),
        ("-Kz", "-\u{212A}z"),
        ("-\u{C5}z", "-\u{212B}z"),
    ]

    static func make(_ agreement: LeakAgreement, seed: UInt64, number: Int) -> LeakCase {
        var rng = SplitMix64(seed: SplitMix64.caseSeed(seed, agreement: agreement.name, number: number))
        let index = Int.random(in: 0..<agreement.operations.count, using: &rng)
        var generator = LeakGenerator(agreement: agreement, operation: agreement.operations[index], rng: rng)
        return generator.build(number: number, operationIndex: index)
    }

    // MARK: Randomness

    mutating func unit() -> Double {
        Double(rng.next() >> 11) / 9_007_199_254_740_992.0
    }

    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &rng)
    }

    mutating func int(_ range: Range<Int>) -> Int {
        Int.random(in: range, using: &rng)
    }

    mutating func pick<T>(_ items: [T]) -> T {
        items[int(0..<items.count)]
    }

    mutating func marker() -> String {
        let raw = String(rng.next() & 0xFFFF_FFFF_FFFF, radix: 16)
        return "mk" + String(repeating: "0", count: 12 - raw.count) + raw
    }

    mutating func place(_ text: String, rule: RuleModel?, record: Int?, note: String) {
        placements.append(Placement(text: text, rule: rule, record: record, note: note))
    }

    /// A fresh marker that is never sent (its position removes it).
    mutating func removedMarker(record: Int?, note: String) -> String {
        let text = marker()
        place(text, rule: nil, record: record, note: note)
        return text
    }

    // MARK: The case

    mutating func build(number: Int, operationIndex: Int) -> LeakCase {
        let purpose = pick(agreement.purposes)
        var refusal: String? = agreement.outOfTerm ? "the agreement is not in term today" : nil
        let purposeHeader = makePurposeHeader(purpose)
        if !purposeHeader.valid && refusal == nil {
            refusal = "Share-Purpose is missing or not a purpose of the agreement"
        }
        var method = operation.method
        var path = operation.path
        var vendor = agreement.vendorID
        if chance(0.05), let variant = undeclaredVariant() {
            method = variant.method
            path = variant.path
            vendor = variant.vendor
            if refusal == nil { refusal = "the operation or vendor is not declared" }
        }

        for _ in 0..<int(1...3) {
            let group = newSubjects()
            subjectPool += group
            addConsent(for: group[0], purpose: purpose)
            if group.count > 1 && chance(0.3) { addConsent(for: group[1], purpose: purpose) }
        }
        if operation.subject == nil && chance(0.9) { headerSubject = pick(subjectPool) }
        if operation.records == nil { recordSubjects = [operation.subject == nil ? headerSubject : nil] }
        let gpc = chance(0.15)

        var bodyText: String?
        var contentType: String?
        var textPlain = false
        let record: Int? = operation.records == nil ? 0 : nil
        if operation.method != "GET" {
            if operation.fields.isEmpty {
                if chance(0.3) {
                    bodyText = LeakJSON.render(junkObject(record: record, note: "$", depth: 1))
                    contentType = "application/json"
                }
            } else if operation.records == nil && chance(0.25) {
                bodyText = makeForm()
                contentType = "application/x-www-form-urlencoded"
            } else {
                bodyText = LeakJSON.render(rootValue())
                let roll = unit()
                if roll < 0.85 {
                    contentType = "application/json"
                } else if roll < 0.92 {
                    contentType = "application/json; charset=utf-8"
                } else if roll < 0.97 {
                    contentType = "application/vnd.leak+json"
                } else {
                    contentType = "text/plain"
                    textPlain = true
                }
            }
        }
        let query = makeQuery(record: record)
        let target = "/vendors/\(vendor)\(path)" + (query.isEmpty ? "" : "?" + query)

        var headers: [(String, String)] = [("x-request-id", "glk-\(number)")]
        if let value = purposeHeader.value { headers.append(("share-purpose", value)) }
        if let subject = headerSubject {
            headers.append(("share-subject", subject))
            place(subject, rule: nil, record: nil, note: "the Share-Subject header")
        }
        if let contentType { headers.append(("content-type", contentType)) }
        if gpc { headers.append(("sec-gpc", "1")) }
        if chance(0.3) {
            for _ in 0..<int(1...2) { headers.append(personalHeader()) }
        }
        var body = bodyText.map { Array($0.utf8) }
        if body != nil && chance(0.06) {
            body = body.map(GzipEncoder.encode)
            headers.append(("content-encoding", "gzip"))
        }

        if duplicateKeys && refusal == nil { refusal = "two member names are the same once unescaped" }
        if textPlain && refusal == nil { refusal = "a text/plain body cannot be inspected" }
        let bases = recordSubjects.map { basis(for: $0, purpose: purpose, gpc: gpc) }
        if refusal == nil {
            if operation.records != nil {
                if recordsGenerated && bases.allSatisfy(\.isNo) {
                    refusal = bases.isEmpty ? "the batch holds no record" : "no record of the batch has a lawful basis"
                }
            } else if let first = bases.first, first.isNo {
                refusal = "the request's subject has no lawful basis"
            }
        }
        return LeakCase(
            number: number,
            operation: operationIndex,
            method: method,
            target: target,
            headers: headers,
            body: body,
            bodyText: bodyText ?? "",
            consents: consents,
            consentNotes: consentNotes,
            markers: fates(refusal: refusal, bases: bases, purpose: purpose),
            expectedRefusal: refusal,
            duplicateKeys: duplicateKeys,
            lookalikeKeys: lookalikeKeys
        )
    }

    func fates(refusal: String?, bases: [RecordBasis], purpose: PurposeModel) -> [MarkerFate] {
        var fates: [MarkerFate] = []
        var index: [[UInt8]: Int] = [:]
        for placement in placements {
            let verdict =
                refusal.map { Verdict(may: false, why: "the request is refused: \($0)") }
                ?? fate(placement, bases: bases, purpose: purpose)
            let bytes = Array(placement.text.utf8)
            let note = "\(placement.note): \(verdict.may ? "may be sent" : "must not be sent") (\(verdict.why))"
            let allowed = verdict.may ? placement.rule.map { [Array($0.path.utf8)] } ?? [] : []
            if let existing = index[bytes] {
                fates[existing].notes.append(note)
                fates[existing].allowed += allowed
            } else {
                index[bytes] = fates.count
                fates.append(MarkerFate(text: placement.text, bytes: bytes, allowed: allowed, notes: [note]))
            }
        }
        return fates
    }

    /// Whether a marker at `placement` may leave as it is (DESIGN, decision rules 2 and 3).
    func fate(_ placement: Placement, bases: [RecordBasis], purpose: PurposeModel) -> Verdict {
        guard let rule = placement.rule else { return Verdict(may: false, why: "not a mapped scalar") }
        var consented: [String]?
        if let record = placement.record, record < bases.count {
            switch bases[record] {
            case .no(let why):
                return Verdict(may: false, why: "its record has no lawful basis: \(why)")
            case .yes(let categories):
                consented = categories
            case .unknown:
                break
            }
        }
        let category = rule.category
        if !LeakRules.isPersonal(category) { return Verdict(may: true, why: "non-personal") }
        if agreement.prohibited.contains(where: { LeakRules.within(category, $0) }) {
            return Verdict(may: false, why: "\(category) is prohibited")
        }
        let grants = purpose.categories.filter { LeakRules.within(category, $0.ref) }
        if grants.isEmpty { return Verdict(may: false, why: "\(category) is not allowed for \(purpose.ref)") }
        if !grants.contains(where: { $0.transform == nil }) {
            let transforms = grants.compactMap(\.transform).joined(separator: ",")
            return Verdict(may: false, why: "\(category) leaves only transformed (\(transforms))")
        }
        guard purpose.basis == "consent", let consented else { return Verdict(may: true, why: "allowed") }
        if !consented.isEmpty && !consented.contains(where: { LeakRules.within(category, $0) }) {
            return Verdict(may: false, why: "\(category) is outside the consent's categories \(consented)")
        }
        if let root = agreement.taxonomy.sensitiveRoot(of: category) {
            let explicit = consented.contains { LeakRules.within(category, $0) && LeakRules.within($0, root) }
            if !explicit { return Verdict(may: false, why: "sensitive \(category) is not named by the consent") }
        }
        return Verdict(may: true, why: "allowed and consented")
    }

    /// A record's lawful basis (DESIGN, decision rule 2), as far as DESIGN says.
    func basis(for subject: String?, purpose: PurposeModel, gpc: Bool) -> RecordBasis {
        if gpc && agreement.taxonomy.salePurposes.contains(purpose.ref) {
            return .no("Sec-GPC on a sale or sharing purpose")
        }
        let state = subject.flatMap { consentStates[Array($0.utf8)] } ?? .absent
        switch purpose.basis {
        case "consent":
            guard subject != nil else { return .no("the record names no subject") }
            if case .granted(let categories) = state { return .yes(categories) }
            return .no("no current, unexpired grant for this vendor or *")
        case "legitimate_interest", "contract":
            guard subject != nil else { return .unknown }
            if case .withdrawn = state { return .no("the subject objected") }
            return .yes([])
        default:
            return .unknown
        }
    }

    // MARK: Purpose, operation, subjects, consent

    mutating func makePurposeHeader(_ purpose: PurposeModel) -> PurposeHeader {
        let roll = unit()
        if roll < 0.86 { return PurposeHeader(value: purpose.ref, valid: true) }
        if roll < 0.90 { return PurposeHeader(value: nil, valid: false) }
        if roll < 0.94 {
            let others = agreement.taxonomy.purposes.filter { candidate in
                !agreement.purposes.contains { Self.related(candidate, $0.ref) }
            }
            if others.isEmpty { return PurposeHeader(value: purpose.ref, valid: true) }
            return PurposeHeader(value: pick(others), valid: false)
        }
        if roll < 0.97 {
            var variants = [LeakText.capitalized(purpose.ref), purpose.ref + ".x", purpose.ref.uppercased()]
            if let kelvin = LeakText.replacingFirst("k", in: purpose.ref, with: "\u{212A}") { variants.append(kelvin) }
            return PurposeHeader(value: pick(variants), valid: false)
        }
        return PurposeHeader(value: removedMarker(record: nil, note: "the Share-Purpose header"), valid: false)
    }

    /// One purpose is the other or lies under it.
    static func related(_ one: String, _ other: String) -> Bool {
        one == other || one.hasPrefix(other + ".") || other.hasPrefix(one + ".")
    }

    mutating func undeclaredVariant() -> (method: String, path: String, vendor: String)? {
        var options: [(method: String, path: String, vendor: String)] = [
            (operation.method, operation.path.uppercased(), agreement.vendorID),
            (operation.method, operation.path + "/extra", agreement.vendorID),
            (operation.method, operation.path, agreement.vendorID.uppercased()),
        ]
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            options.append((method, operation.path, agreement.vendorID))
        }
        let undeclared = options.filter { option in
            !(option.vendor == agreement.vendorID && agreement.declares(option.method, option.path))
        }
        if undeclared.isEmpty { return nil }
        return pick(undeclared)
    }

    /// One subject, or two that look alike but are different bytes (two subjects, DESIGN).
    mutating func newSubjects() -> [String] {
        let base = marker()
        if chance(0.55) { return [base] }
        let twin = pick(Self.subjectTwins)
        let first = base + twin.0
        let second = base + twin.1
        return chance(0.5) ? [first, second] : [second, first]
    }

    mutating func subjectValue() -> String {
        if subjectPool.isEmpty || chance(0.1) { return marker() }
        return pick(subjectPool)
    }

    static func consent(
        _ subject: String,
        _ purpose: String,
        _ vendor: String,
        _ status: ConsentStatus,
        _ categories: [String],
        givenAt: Int64,
        expiresAt: Int64? = nil
    ) -> ConsentRecord {
        ConsentRecord(
            subject: subject,
            purpose: purpose,
            vendor: vendor,
            status: status,
            categories: categories,
            givenAt: Timestamp(epochMilliseconds: givenAt),
            expiresAt: expiresAt.map { Timestamp(epochMilliseconds: $0) },
            source: "leak-test"
        )
    }

    mutating func addConsent(for subject: String, purpose: PurposeModel) {
        let vendor = chance(0.5) ? agreement.vendorID : "*"
        let now = Timestamp.now().epochMilliseconds
        let minute: Int64 = 60_000
        let day: Int64 = 86_400_000
        let ref = purpose.ref
        let roll = unit()
        var state = ConsentState.absent
        var note = "no consent"
        var records: [ConsentRecord] = []
        if roll < 0.15 {
            note = "no consent"
        } else if roll < 0.42 {
            records = [Self.consent(subject, ref, vendor, .granted, [], givenAt: now - minute)]
            state = .granted([])
            note = "granted for \(vendor)"
        } else if roll < 0.60 {
            let categories = consentCategories(purpose)
            records = [Self.consent(subject, ref, vendor, .granted, categories, givenAt: now - minute)]
            state = .granted(categories)
            note = "granted for \(vendor) with \(categories)"
        } else if roll < 0.68 {
            records = [Self.consent(subject, ref, vendor, .withdrawn, [], givenAt: now - minute)]
            state = .withdrawn
            note = "withdrawn for \(vendor)"
        } else if roll < 0.73 {
            records = [
                Self.consent(subject, ref, vendor, .granted, [], givenAt: now - 2 * day, expiresAt: now - day)
            ]
            note = "granted for \(vendor), expired"
        } else if roll < 0.78 {
            records = [
                Self.consent(subject, ref, vendor, .granted, [], givenAt: now - 2 * minute),
                Self.consent(subject, ref, vendor, .withdrawn, [], givenAt: now - minute),
            ]
            state = .withdrawn
            note = "granted then withdrawn for \(vendor)"
        } else if roll < 0.85 {
            let categories = chance(0.5) ? consentCategories(purpose) : []
            records = [
                Self.consent(subject, ref, vendor, .withdrawn, [], givenAt: now - 2 * minute),
                Self.consent(subject, ref, vendor, .granted, categories, givenAt: now - minute),
            ]
            state = .granted(categories)
            note = "withdrawn then granted for \(vendor) with \(categories)"
        } else if roll < 0.90 {
            let others = agreement.purposes.map(\.ref).filter { $0 != ref }
            let other = others.isEmpty ? "train_ai_system" : pick(others)
            records = [Self.consent(subject, other, vendor, .granted, [], givenAt: now - minute)]
            note = "granted for another purpose (\(other))"
        } else if roll < 0.95 {
            records = [Self.consent(subject, ref, "zz-other-vendor", .granted, [], givenAt: now - minute)]
            note = "granted for another vendor"
        }
        consents += records
        consentStates[Array(subject.utf8)] = state
        consentNotes.append("\(LeakText.visible(subject)) \(note)")
    }

    mutating func consentCategories(_ purpose: PurposeModel) -> [String] {
        var candidates = ["user", "user.behavior", "user.health_and_medical", "user.location"]
        for grant in purpose.categories {
            candidates.append(grant.ref)
            if let dot = grant.ref.lastIndex(of: ".") { candidates.append(String(grant.ref[..<dot])) }
        }
        candidates += operation.fields.map(\.category)
        candidates += operation.queries.map(\.category)
        var chosen: [String] = []
        for _ in 0..<int(1...3) {
            let category = pick(candidates)
            if !chosen.contains(category) { chosen.append(category) }
        }
        return chosen
    }

    mutating func personalHeader() -> (String, String) {
        let text = removedMarker(record: nil, note: "a personal request header")
        switch int(0...5) {
        case 0: return ("x-user-email", text + "@example.com")
        case 1: return ("x-customer-id", text)
        case 2: return ("cookie", "sid=" + text)
        case 3: return ("referer", "https://shop.example/account?u=" + text)
        case 4: return ("from", text + "@example.com")
        default: return ("x-subject", text)
        }
    }

    // MARK: Names

    /// A name that looks like `name` but is other bytes: case, spaces, invisible or combining characters,
    /// compatibility or look-alike letters, U+212A KELVIN SIGN, NFC and NFD accents.
    mutating func nameVariant(_ name: String) -> String {
        let count = name.unicodeScalars.count
        var options = [
            name.uppercased(), LeakText.capitalized(name), name + " ", " " + name, name + "\u{301}", name + "\u{0}",
            LeakText.inserting("\u{200B}", into: name, at: int(1...max(1, count - 1))),
            LeakText.inserting("\u{AD}", into: name, at: int(1...max(1, count - 1))),
        ]
        if let kelvin = LeakText.replacingFirst("k", in: name, with: "\u{212A}") { options.append(kelvin) }
        if let wide = LeakText.fullwidth(name, at: int(0..<max(1, count))) { options.append(wide) }
        if let homoglyph = LeakText.homoglyph(name) { options.append(homoglyph) }
        if let composed = LeakText.replacingFirst("e", in: name, with: "\u{E9}") { options.append(composed) }
        if let decomposed = LeakText.replacingFirst("e", in: name, with: "e\u{301}") { options.append(decomposed) }
        let variants = options.filter { Array($0.utf8) != Array(name.utf8) }
        return variants.isEmpty ? name + " " : pick(variants)
    }

    mutating func junkName(record: Int?, note: String) -> String {
        if chance(0.5) { return removedMarker(record: record, note: "\(note) (an unmapped member name)") }
        return pick(Self.junkWords)
    }

    /// Notes duplicate (same bytes) and look-alike (canonically equivalent, other bytes) names in one object.
    mutating func noteKeys(_ members: [GenMember]) {
        for first in 0..<members.count {
            for second in (first + 1)..<members.count {
                let one = members[first].key
                let other = members[second].key
                if Array(one.utf8) == Array(other.utf8) {
                    duplicateKeys = true
                } else if one == other {
                    lookalikeKeys = true
                }
            }
        }
    }

    // MARK: JSON

    mutating func rootValue() -> GenValue {
        let record: Int? = operation.records == nil ? 0 : nil
        if operation.records == nil && chance(0.03) {
            return .array([object(for: operation.map, at: "$[*]", record: record, forced: true, depth: 1)])
        }
        return object(for: operation.map, at: "$", record: record, forced: false, depth: 0)
    }

    mutating func scalar() -> GenValue {
        .literal(pick(["0", "42", "-7", "3.25", "1e3", "true", "false", "null"]))
    }

    mutating func junkValue(record: Int?, note: String, depth: Int) -> GenValue {
        let roll = unit()
        if roll < 0.45 || depth > 6 { return .string(removedMarker(record: record, note: note), escape: nil) }
        if roll < 0.55 { return .string(removedMarker(record: record, note: note), escape: int(0..<2)) }
        if roll < 0.70 { return scalar() }
        if roll < 0.85 { return junkObject(record: record, note: note, depth: depth + 1) }
        return junkArray(record: record, note: note, depth: depth + 1)
    }

    mutating func junkObject(record: Int?, note: String, depth: Int) -> GenValue {
        var members: [GenMember] = []
        var used: Set<[UInt8]> = []
        for _ in 0..<int(1...3) {
            let name = junkName(record: record, note: note)
            guard used.insert(Array(name.utf8)).inserted else { continue }
            members.append(
                GenMember(key: name, escape: nil, value: junkValue(record: record, note: note, depth: depth))
            )
        }
        noteKeys(members)
        return .object(members)
    }

    mutating func junkArray(record: Int?, note: String, depth: Int) -> GenValue {
        var items: [GenValue] = []
        for _ in 0..<int(1...3) {
            items.append(junkValue(record: record, note: note, depth: depth))
        }
        return .array(items)
    }

    /// An object shaped like `node`: its mapped members (some with JSON-escaped names), variants of their names,
    /// unmapped members, sometimes a canonically equivalent pair of names or a duplicate name.
    mutating func object(for node: MapNode, at path: String, record: Int?, forced: Bool, depth: Int) -> GenValue {
        var members: [GenMember] = []
        for member in node.members.shuffled(using: &rng) {
            let memberPath = "\(path).\(member.name)"
            if chance(0.9) {
                let generated = value(
                    for: member.node,
                    at: memberPath,
                    record: record,
                    forced: forced,
                    depth: depth + 1
                )
                let escape: Int? = chance(0.12) ? int(0..<member.name.unicodeScalars.count) : nil
                members.append(GenMember(key: member.name, escape: escape, value: generated))
            }
            if chance(0.2) {
                let variant = nameVariant(member.name)
                if node.member(variant) == nil {
                    let note = "\(path).\(LeakText.visible(variant)) (a variant of \(member.name))"
                    let junk = junkValue(record: record, note: note, depth: depth + 1)
                    members.append(GenMember(key: variant, escape: nil, value: junk))
                }
            }
        }
        for _ in 0..<int(0...2) {
            let name = junkName(record: record, note: "\(path).*")
            if node.member(name) == nil {
                let note = "\(path).\(LeakText.visible(name)) (unmapped)"
                members.append(
                    GenMember(key: name, escape: nil, value: junkValue(record: record, note: note, depth: depth + 1))
                )
            }
        }
        if chance(0.05) {
            let base = marker()
            let pair = pick(Self.equivalentNames)
            for suffix in [pair.0, pair.1] {
                let name = base + suffix
                let note = "\(path).\(LeakText.visible(name)) (one of two canonically equivalent names)"
                place(name, rule: nil, record: record, note: note)
                members.append(
                    GenMember(key: name, escape: nil, value: junkValue(record: record, note: note, depth: depth + 1))
                )
            }
        }
        if !members.isEmpty && chance(0.03) {
            let original = members[int(0..<members.count)]
            let escape: Int? = original.escape == nil ? int(0..<max(1, original.key.unicodeScalars.count)) : nil
            let note = "\(path).\(LeakText.visible(original.key)) (a duplicate name)"
            members.append(
                GenMember(
                    key: original.key,
                    escape: escape,
                    value: junkValue(record: record, note: note, depth: depth + 1)
                )
            )
        }
        members.shuffle(using: &rng)
        noteKeys(members)
        return .object(members)
    }

    /// A value for `node`: mostly the expected shape, sometimes another one (which removes what it holds).
    mutating func value(for node: MapNode, at path: String, record: Int?, forced: Bool, depth: Int) -> GenValue {
        if depth > 7 { return junkValue(record: record, note: "\(path) (deep)", depth: depth) }
        if node.isLeaf { return leaf(node, at: path, record: record, forced: forced, depth: depth) }
        if let element = node.elements.first {
            let roll = unit()
            if roll < 0.75 {
                if element.isRecords && !forced { return records(element, depth: depth) }
                var items: [GenValue] = []
                for _ in 0..<int(0...3) {
                    let inner = forced || element.isRecords
                    items.append(value(for: element, at: "\(path)[*]", record: record, forced: inner, depth: depth + 1))
                }
                return .array(items)
            }
            if roll < 0.87 {
                return junkObject(record: record, note: "\(path) (an object where a list is mapped)", depth: depth + 1)
            }
            if roll < 0.95 {
                return .string(
                    removedMarker(record: record, note: "\(path) (a string where a list is mapped)"),
                    escape: nil
                )
            }
            return scalar()
        }
        let roll = unit()
        if roll < 0.8 { return object(for: node, at: path, record: record, forced: forced, depth: depth) }
        if roll < 0.88 {
            return .array([object(for: node, at: "\(path)[*]", record: record, forced: true, depth: depth + 1)])
        }
        if roll < 0.95 {
            return .string(
                removedMarker(record: record, note: "\(path) (a string where an object is mapped)"),
                escape: nil
            )
        }
        return scalar()
    }

    /// A mapped field: mostly one string marker (the subject id at the subject path), sometimes a container
    /// (removed whole, `not-a-scalar`) or another scalar.
    mutating func leaf(_ node: MapNode, at path: String, record: Int?, forced: Bool, depth: Int) -> GenValue {
        let roll = unit()
        if roll < 0.76 {
            let isSubject = node.isSubject && !forced
            let text = isSubject ? subjectValue() : marker()
            let note = forced ? "\(path) (inside a container of the wrong shape)" : path
            place(text, rule: forced ? nil : node.rule, record: record, note: note)
            if isSubject, let record, record < recordSubjects.count { recordSubjects[record] = text }
            return .string(text, escape: chance(0.1) ? int(0..<2) : nil)
        }
        if roll < 0.84 {
            return junkObject(record: record, note: "\(path) (an object in a mapped field)", depth: depth + 1)
        }
        if roll < 0.92 {
            return junkArray(record: record, note: "\(path) (a list in a mapped field)", depth: depth + 1)
        }
        return scalar()
    }

    /// The records of a batch: objects mostly, sometimes a string or a list (no subject, no lawful basis).
    mutating func records(_ node: MapNode, depth: Int) -> GenValue {
        recordsGenerated = true
        let count = chance(0.04) ? 0 : int(1...4)
        var items: [GenValue] = []
        for _ in 0..<count {
            let index = recordSubjects.count
            recordSubjects.append(operation.subject == nil ? headerSubject : nil)
            let roll = unit()
            if roll < 0.9 {
                items.append(object(for: node, at: "@[\(index)]", record: index, forced: false, depth: depth + 1))
            } else if roll < 0.95 {
                recordSubjects[index] = nil
                items.append(.string(removedMarker(record: index, note: "record \(index) is a string"), escape: nil))
            } else {
                recordSubjects[index] = nil
                items.append(junkArray(record: index, note: "record \(index) is a list", depth: depth + 1))
            }
        }
        return .array(items)
    }

    // MARK: Query and form

    mutating func makeQuery(record: Int?) -> String {
        var pairs: [QueryPair] = []
        var used: Set<[UInt8]> = []
        for query in operation.queries.shuffled(using: &rng) {
            if chance(0.75) {
                var value = marker()
                if query.category.hasPrefix("user.unique_id"), let subject = headerSubject, chance(0.5) {
                    value = subject
                }
                let rule = RuleModel(path: "?" + query.name, category: query.category)
                place(value, rule: rule, record: record, note: "?" + query.name)
                let encodeAt: Int? = chance(0.15) ? int(0..<query.name.utf8.count) : nil
                pairs.append(QueryPair(name: query.name, encodeAt: encodeAt, value: value, encodeAll: chance(0.2)))
                used.insert(Array(query.name.utf8))
            }
            if chance(0.25) {
                let variant = nameVariant(query.name)
                if !operation.isMappedQuery(variant) && used.insert(Array(variant.utf8)).inserted {
                    let note = "?\(LeakText.visible(variant)) (a variant of \(query.name))"
                    let value = removedMarker(record: record, note: note)
                    pairs.append(QueryPair(name: variant, encodeAt: nil, value: value, encodeAll: chance(0.2)))
                }
            }
        }
        for _ in 0..<int(0...2) {
            let name = junkName(record: record, note: "a query name")
            if !name.isEmpty && !operation.isMappedQuery(name) && used.insert(Array(name.utf8)).inserted {
                let value = removedMarker(record: record, note: "?\(LeakText.visible(name)) (unmapped)")
                pairs.append(QueryPair(name: name, encodeAt: nil, value: value, encodeAll: false))
            }
        }
        pairs.shuffle(using: &rng)
        return LeakText.formEncoded(pairs)
    }

    /// A form body for a one-record operation: a flat object of strings.
    mutating func makeForm() -> String {
        var pairs: [QueryPair] = []
        var used: Set<[UInt8]> = []
        let root = operation.map
        for member in root.members.shuffled(using: &rng) {
            if member.node.isLeaf {
                if chance(0.85) {
                    let value = member.node.isSubject ? subjectValue() : marker()
                    place(value, rule: member.node.rule, record: 0, note: "form member \(member.name)")
                    if member.node.isSubject { recordSubjects[0] = value }
                    let encodeAt: Int? = chance(0.15) ? int(0..<member.name.utf8.count) : nil
                    pairs.append(QueryPair(name: member.name, encodeAt: encodeAt, value: value, encodeAll: chance(0.2)))
                    used.insert(Array(member.name.utf8))
                }
            } else if chance(0.4) {
                let child = member.node.members.first?.name
                let name = child.map { "\(member.name).\($0)" } ?? member.name
                if root.member(name) == nil && used.insert(Array(name.utf8)).inserted {
                    let value = removedMarker(record: 0, note: "form member \(name) (a container as a flat name)")
                    pairs.append(QueryPair(name: name, encodeAt: nil, value: value, encodeAll: false))
                }
            }
            if chance(0.25) {
                let variant = nameVariant(member.name)
                if root.member(variant) == nil && used.insert(Array(variant.utf8)).inserted {
                    let note = "form member \(LeakText.visible(variant)) (a variant of \(member.name))"
                    let value = removedMarker(record: 0, note: note)
                    pairs.append(QueryPair(name: variant, encodeAt: nil, value: value, encodeAll: chance(0.2)))
                }
            }
        }
        for _ in 0..<int(0...2) {
            let name = junkName(record: 0, note: "a form name")
            if !name.isEmpty && root.member(name) == nil && used.insert(Array(name.utf8)).inserted {
                let value = removedMarker(record: 0, note: "form member \(LeakText.visible(name)) (unmapped)")
                pairs.append(QueryPair(name: name, encodeAt: nil, value: value, encodeAll: false))
            }
        }
        pairs.shuffle(using: &rng)
        return LeakText.formEncoded(pairs)
    }
}

private enum LeakJSON {
    static func render(_ value: GenValue) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    static func write(_ value: GenValue, into out: inout String) {
        switch value {
        case .string(let text, let escape):
            writeString(text, escape: escape, into: &out)
        case .literal(let text):
            out += text
        case .array(let items):
            out += "["
            for (offset, item) in items.enumerated() {
                if offset > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (offset, member) in members.enumerated() {
                if offset > 0 { out += "," }
                writeString(member.key, escape: member.escape, into: &out)
                out += ":"
                write(member.value, into: &out)
            }
            out += "}"
        }
    }

    /// A JSON string; the scalars are written as they are (no normalisation), control characters escaped.
    static func writeString(_ text: String, escape: Int?, into out: inout String) {
        out += "\""
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            if offset == escape && scalar.value <= 0xFFFF {
                out += "\\u" + hex4(scalar.value)
            } else if scalar == "\"" || scalar == "\\" {
                out += "\\"
                out.unicodeScalars.append(scalar)
            } else if scalar.value < 0x20 {
                out += "\\u" + hex4(scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    static func hex4(_ value: UInt32) -> String {
        let raw = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - raw.count)) + raw
    }
}

// MARK: - Text helpers

private enum LeakText {
    static func method(_ text: String) -> HTTPMethod {
        switch text {
        case "GET": .GET
        case "POST": .POST
        case "PUT": .PUT
        case "PATCH": .PATCH
        case "DELETE": .DELETE
        default: .RAW(value: text)
        }
    }

    /// `text` with every scalar outside printable ASCII as `\u{...}`, so NFC and NFD read differently.
    static func visible(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value < 0x7F {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            }
        }
        return out
    }

    static func capitalized(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }

    static func replacingFirst(_ target: Unicode.Scalar, in text: String, with replacement: String) -> String? {
        var out = ""
        var done = false
        for scalar in text.unicodeScalars {
            if !done && scalar == target {
                out += replacement
                done = true
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return done ? out : nil
    }

    static func inserting(_ insertion: String, into text: String, at position: Int) -> String {
        var out = ""
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            if offset == position { out += insertion }
            out.unicodeScalars.append(scalar)
        }
        if position >= text.unicodeScalars.count { out += insertion }
        return out
    }

    /// The letter at `position` as its fullwidth compatibility form (NFKC-equivalent, not NFC).
    static func fullwidth(_ text: String, at position: Int) -> String? {
        var scalars = Array(text.unicodeScalars)
        guard position < scalars.count else { return nil }
        let value = scalars[position].value
        let wide: UInt32
        switch value {
        case 0x61...0x7A: wide = 0xFF41 + value - 0x61
        case 0x41...0x5A: wide = 0xFF21 + value - 0x41
        default: return nil
        }
        guard let scalar = Unicode.Scalar(wide) else { return nil }
        scalars[position] = scalar
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }

    /// The first letter that has a Cyrillic look-alike, replaced by it.
    static func homoglyph(_ text: String) -> String? {
        let table: [(Unicode.Scalar, String)] = [
            ("a", "\u{430}"), ("e", "\u{435}"), ("o", "\u{43E}"), ("p", "\u{440}"), ("c", "\u{441}"), ("i", "\u{456}"),
        ]
        for (letter, lookalike) in table {
            if let replaced = replacingFirst(letter, in: text, with: lookalike) { return replaced }
        }
        return nil
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func percentEncoded(_ text: String, forcing position: Int?, all: Bool) -> String {
        let digits = Array("0123456789ABCDEF")
        var out = ""
        for (offset, byte) in text.utf8.enumerated() {
            if !all && offset != position && isUnreserved(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out.append("%")
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
        }
        return out
    }

    static func formEncoded(_ pairs: [QueryPair]) -> String {
        pairs.map { pair in
            let name = percentEncoded(pair.name, forcing: pair.encodeAt, all: false)
            return name + "=" + percentEncoded(pair.value, forcing: nil, all: pair.encodeAll)
        }
        .joined(separator: "&")
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `%XX` as its byte and `+` as a space; anything else as it is.
    static func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    /// The decoded name-value pairs of a query string or form body.
    static func pairs(_ bytes: [UInt8]) -> [(name: [UInt8], value: [UInt8])] {
        bytes.split(separator: UInt8(ascii: "&")).map { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count > 1 ? percentDecoded(Array(parts[1])) : []
            return (name: percentDecoded(Array(parts[0])), value: value)
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return needle.isEmpty }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return true
            }
            index += 1
        }
        return false
    }

    static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    /// The 12 hex digits of every `mk` token (a marker's identity) in `bytes`.
    static func tokens(in bytes: [UInt8]) -> [String] {
        var found: [String] = []
        var index = 0
        while index + 14 <= bytes.count {
            if bytes[index] == UInt8(ascii: "m") && bytes[index + 1] == UInt8(ascii: "k") {
                let digits = bytes[(index + 2)..<(index + 14)]
                if digits.allSatisfy(isLowerHex) {
                    found.append(String(decoding: digits, as: UTF8.self))
                    index += 14
                    continue
                }
            }
            index += 1
        }
        return found
    }

    /// Every string (and member name) in a JSON value.
    static func strings(in value: JSONValue, into out: inout [[UInt8]]) {
        switch value {
        case .string(let text):
            out.append(Array(text.utf8))
        case .array(let items):
            for item in items { strings(in: item, into: &out) }
        case .object(let members):
            for member in members {
                out.append(Array(member.key.utf8))
                strings(in: member.value, into: &out)
            }
        default:
            break
        }
    }
}

// MARK: - Checking

/// A decoded piece of what the vendor received, and where it was.
private struct Found {
    var bytes: [UInt8]
    /// The data-map path of a mapped field (`@.email`, `?campaign`), or a description of any other place.
    var location: String
}

private struct VendorView {
    var found: [Found] = []
    /// Raw and percent-decoded URI and body.
    var flat: [[UInt8]] = []
    var problem: String?
}

private struct LeakStats: Sendable {
    var cases = 0
    var forwarded = 0
    var refused = 0
    var uncertain = 0
    var clientErrors = 0
    var vendorRequests = 0
    var unattributed = 0
    var markers = 0
    var mayArrive = 0
    var arrived = 0

    var summary: String {
        "\(cases) cases: \(forwarded) forwarded, \(refused) refused, \(uncertain) uncertain (\(clientErrors) client "
            + "errors); \(vendorRequests) vendor requests (\(unattributed) unattributed); \(markers) markers, "
            + "\(mayArrive) allowed somewhere, \(arrived) arrived"
    }
}

private struct LeakChecker {
    let agreement: LeakAgreement
    let settings: LeakSettings
    var issues: [String] = []
    var stats = LeakStats()
    var cases: [Int: LeakCase] = [:]
    /// Marker hex digits -> case number (-1 when two cases drew the same digits).
    var owners: [String: Int] = [:]

    static let sendingActions: Set<String> = ["sent", "hash", "mask", "generalize"]

    init(agreement: LeakAgreement, settings: LeakSettings) {
        self.agreement = agreement
        self.settings = settings
    }

    mutating func fail(_ number: Int, _ text: String) {
        let summary = cases[number].map(Self.describe) ?? ""
        let replay =
            "GATEWAY_LEAK_SEED=\(settings.seed) GATEWAY_LEAK_AGREEMENT=\(agreement.name) "
            + "GATEWAY_LEAK_ONLY_CASE=\(number) swift test --filter GenerativeLeakTests"
        issues.append(
            "[leak seed=\(settings.seed) agreement=\(agreement.name) case=\(number)] \(text)\n\(summary)"
                + "    replay: \(replay)"
        )
    }

    mutating func general(_ text: String) {
        issues.append("[leak seed=\(settings.seed) agreement=\(agreement.name)] \(text)")
    }

    static func describe(_ leakCase: LeakCase) -> String {
        let headers = leakCase.headers.map { "\($0.0): \(LeakText.visible($0.1))" }.joined(separator: "; ")
        let body = LeakText.visible(String(leakCase.bodyText.prefix(2_000)))
        return "    request: \(leakCase.method) \(LeakText.visible(leakCase.target))\n    headers: \(headers)\n"
            + "    body: \(body)\n    consents: \(leakCase.consentNotes.joined(separator: "; "))\n"
    }

    mutating func check(
        _ list: [LeakCase],
        results: [LeakResult],
        requests: [TestVendor.Received],
        ledger: [JSONValue]
    ) {
        for leakCase in list {
            cases[leakCase.number] = leakCase
            for marker in leakCase.markers {
                guard let hex = LeakText.tokens(in: Array(marker.bytes.prefix(14))).first else { continue }
                if let owner = owners[hex], owner != leakCase.number {
                    owners[hex] = -1
                } else {
                    owners[hex] = leakCase.number
                }
            }
        }

        // 3. No marker in the share log, whatever the entry.
        var entries: [String: JSONValue] = [:]
        for entry in ledger {
            if let id = entry["id"]?.stringValue { entries[id] = entry }
            for hex in LeakText.tokens(in: JSONWriter.bytes(entry)) {
                guard let owner = owners[hex], owner >= 0 else { continue }
                let kind = entry["kind"]?.stringValue ?? "?"
                fail(owner, "marker mk\(hex) is in the share log (\(kind) entry \(entry["id"]?.stringValue ?? "?"))")
            }
        }

        // Attribute the vendor's requests to cases: by X-Request-Id, else by the markers they hold.
        var byCase: [Int: [TestVendor.Received]] = [:]
        var tagged = 0
        for request in requests {
            var tokenOwners: [Int] = []
            for text in Self.rawTexts(of: request) {
                for hex in LeakText.tokens(in: text) {
                    if let owner = owners[hex], owner >= 0, !tokenOwners.contains(owner) { tokenOwners.append(owner) }
                }
            }
            let tag = Self.tag(of: request)
            if tag != nil { tagged += 1 }
            let attributed = tag ?? (tokenOwners.count == 1 ? tokenOwners[0] : nil)
            guard let owner = attributed, cases[owner] != nil else {
                if tokenOwners.count > 1 { general("one vendor request holds markers of cases \(tokenOwners)") }
                stats.unattributed += 1
                continue
            }
            byCase[owner, default: []].append(request)
            for other in tokenOwners where other != owner {
                fail(other, "a marker of this case reached the vendor in the request of case \(owner)")
            }
        }
        let byTag = !requests.isEmpty && tagged == requests.count

        for result in results {
            guard let leakCase = cases[result.number] else { continue }
            check(leakCase, result, requests: byCase[result.number] ?? [], entries: entries, byTag: byTag)
        }

        stats.vendorRequests = requests.count
        if requests.count < stats.forwarded || requests.count > stats.forwarded + stats.uncertain {
            general(
                "the vendor received \(requests.count) requests for \(stats.forwarded) forwarded and "
                    + "\(stats.uncertain) uncertain cases"
            )
        }
        if agreement.inTerm && list.count >= 100 && stats.forwarded == 0 {
            general("no case was forwarded, so this run proves nothing: is the agreement set up for the test?")
        }
    }

    mutating func check(
        _ leakCase: LeakCase,
        _ result: LeakResult,
        requests: [TestVendor.Received],
        entries: [String: JSONValue],
        byTag: Bool
    ) {
        stats.cases += 1
        stats.markers += leakCase.markers.count
        stats.mayArrive += leakCase.markers.filter { !$0.allowed.isEmpty }.count
        let number = leakCase.number
        if let error = result.setupError {
            fail(number, "the case's consent records could not be stored: \(error)")
            return
        }
        guard let response = result.response else {
            stats.clientErrors += 1
            stats.uncertain += 1
            for request in requests { checkMarkers(leakCase, request, entry: nil) }
            return
        }

        // 3. Nothing of any case in the answer to the client.
        var answer: [[UInt8]] = [response.body]
        for (name, value) in response.headers {
            answer.append(Array(name.utf8))
            answer.append(Array(value.utf8))
        }
        if let json = response.json { LeakText.strings(in: json, into: &answer) }
        for text in answer {
            for hex in LeakText.tokens(in: text) where owners[hex] != nil {
                fail(number, "marker mk\(hex) is in the gateway's answer to the client (status \(response.status))")
            }
        }

        let type = response.problemType ?? ""
        let isProblem = (response.headers.first(name: "content-type") ?? "").hasPrefix("application/problem+json")
        let forwarded = response.status == 200
        let refused = !forwarded && isProblem && !type.hasPrefix(ProblemDetails.typePrefix + "upstream-")
        if forwarded {
            stats.forwarded += 1
        } else if refused {
            stats.refused += 1
        } else {
            stats.uncertain += 1
        }

        // 4. Refusals DESIGN asks for, and nothing sent for a refusal.
        if let why = leakCase.expectedRefusal, forwarded {
            fail(number, "DESIGN refuses this request (\(why)), but the gateway forwarded it")
        }
        if leakCase.duplicateKeys && !(400..<500).contains(response.status) {
            fail(number, "duplicate member names (after unescaping) must be refused with a 4xx, got \(response.status)")
        }
        if leakCase.lookalikeKeys && !leakCase.duplicateKeys && type == ProblemDetails.typePrefix + "malformed-json" {
            let detail = response.json?["detail"]?.stringValue ?? ""
            fail(number, "a body with canonically equivalent, byte-different member names was refused: \(detail)")
        }
        if refused && !requests.isEmpty {
            fail(number, "the gateway refused the request (\(type)) but the vendor received \(requests.count)")
        }
        if forwarded && byTag && requests.count != 1 {
            fail(number, "the gateway answered 200 but the vendor received \(requests.count) requests for it")
        }

        var entry: JSONValue?
        if forwarded {
            if let id = response.shareID {
                entry = entries[id]
                if entry == nil {
                    fail(number, "no share-log entry has the answer's Share-Id \(id)")
                } else if entry?["decision"]?.stringValue != "shared" {
                    fail(number, "the share entry \(id) of a forwarded request is not `shared`")
                }
            } else {
                fail(number, "a forwarded answer has no Share-Id header")
            }
        } else if refused && type != ProblemDetails.typePrefix + "log-unavailable" {
            if let id = response.json?["shareId"]?.stringValue {
                if entries[id]?["decision"]?.stringValue != "refused" {
                    fail(number, "the refusal's shareId \(id) names no `refused` entry")
                }
            } else {
                fail(number, "the refusal (\(type)) carries no shareId")
            }
        } else if let id = response.shareID ?? response.json?["shareId"]?.stringValue {
            entry = entries[id]
        }

        // 1 and 2. What reached the vendor.
        for request in requests { checkMarkers(leakCase, request, entry: entry) }
    }

    mutating func checkMarkers(_ leakCase: LeakCase, _ request: TestVendor.Received, entry: JSONValue?) {
        let number = leakCase.number
        let view = Self.view(of: request, operation: agreement.operations[leakCase.operation])
        if let problem = view.problem { fail(number, problem) }
        let logged = Self.loggedFields(entry)
        for marker in leakCase.markers {
            let hits = view.found.filter { LeakText.contains($0.bytes, marker.bytes) }
            let notes = marker.notes.joined(separator: "\n      ")
            if hits.isEmpty {
                if view.flat.contains(where: { LeakText.contains($0, marker.bytes) }) {
                    fail(
                        number,
                        "marker \(LeakText.visible(marker.text)) reached the vendor (raw text):\n      \(notes)"
                    )
                }
                continue
            }
            stats.arrived += 1
            for hit in hits {
                let location = Array(hit.location.utf8)
                let place = LeakText.visible(hit.location)
                guard marker.allowed.contains(location) else {
                    fail(
                        number,
                        "marker \(LeakText.visible(marker.text)) reached the vendor at \(place):\n      \(notes)"
                    )
                    continue
                }
                let actions = logged[location] ?? []
                if actions.isDisjoint(with: Self.sendingActions) {
                    let said = actions.isEmpty ? "nothing" : actions.sorted().joined(separator: ", ")
                    fail(
                        number,
                        "marker \(LeakText.visible(marker.text)) reached the vendor at \(place), "
                            + "but the share entry reports \(said) for that path"
                    )
                }
            }
        }
    }

    /// The share entry's field paths (UTF-8) and the actions logged for each.
    static func loggedFields(_ entry: JSONValue?) -> [[UInt8]: Set<String>] {
        var logged: [[UInt8]: Set<String>] = [:]
        guard case .array(let fields)? = entry?["fields"] else { return logged }
        for field in fields {
            guard let path = field["path"]?.stringValue, let action = field["action"]?.stringValue else { continue }
            logged[Array(path.utf8), default: []].insert(action)
        }
        return logged
    }

    static func tag(of request: TestVendor.Received) -> Int? {
        guard let value = request.headers.first(name: "x-request-id"), value.hasPrefix("glk-") else { return nil }
        return Int(value.dropFirst(4))
    }

    static func rawTexts(of request: TestVendor.Received) -> [[UInt8]] {
        let uri = Array(request.uri.utf8)
        var texts = [uri, LeakText.percentDecoded(uri), request.body, LeakText.percentDecoded(request.body)]
        for (name, value) in request.headers {
            texts.append(Array(name.utf8))
            texts.append(Array(value.utf8))
        }
        return texts
    }

    /// Everything the vendor received, decoded, each piece with its place: a mapped field's data-map path, or
    /// a description of a place no marker may be.
    static func view(of request: TestVendor.Received, operation: OperationModel) -> VendorView {
        var view = VendorView()
        for (name, value) in request.headers {
            view.found.append(Found(bytes: Array(name.utf8), location: "a header name"))
            view.found.append(Found(bytes: Array(value.utf8), location: "header \(name.lowercased())"))
        }
        let uri = Array(request.uri.utf8)
        view.flat.append(uri)
        view.flat.append(LeakText.percentDecoded(uri))
        let question = uri.firstIndex(of: UInt8(ascii: "?"))
        let path = Array(uri[..<(question ?? uri.endIndex)])
        view.found.append(Found(bytes: LeakText.percentDecoded(path), location: "the request path"))
        if let question {
            for pair in LeakText.pairs(Array(uri[(question + 1)...])) {
                view.found.append(Found(bytes: pair.name, location: "a query name"))
                let mapped = operation.queries.first { Array($0.name.utf8) == pair.name }
                view.found.append(
                    Found(bytes: pair.value, location: mapped.map { "?" + $0.name } ?? "an unmapped query value")
                )
            }
        }
        let body = request.body
        guard !body.isEmpty else { return view }
        view.flat.append(body)
        view.flat.append(LeakText.percentDecoded(body))
        let type = request.headers.first(name: "content-type")?.lowercased() ?? ""
        if type.hasPrefix("application/x-www-form-urlencoded") {
            for pair in LeakText.pairs(body) {
                view.found.append(Found(bytes: pair.name, location: "a form member name"))
                let rule = operation.map.member(pair.name)?.rule
                view.found.append(Found(bytes: pair.value, location: rule?.path ?? "an unmapped form value"))
            }
        } else {
            do {
                let parsed = try JSONReader.parse(body)
                collect(parsed, node: operation.map, path: "$", into: &view.found)
            } catch {
                view.problem = "the vendor received a body that is not strict JSON (content-type \(type))"
            }
        }
        return view
    }

    /// Walks the vendor's JSON along the data map: a string at a mapped field is at the field's path.
    static func collect(_ value: JSONValue, node: MapNode?, path: String, into found: inout [Found]) {
        switch value {
        case .string(let text):
            let location = node?.rule?.path ?? "an unmapped value at \(path)"
            found.append(Found(bytes: Array(text.utf8), location: location))
        case .array(let items):
            let child = node?.elements.first
            let childPath = child?.isRecords == true ? "@" : "\(path)[*]"
            for item in items { collect(item, node: child, path: childPath, into: &found) }
        case .object(let members):
            for member in members {
                found.append(Found(bytes: Array(member.key.utf8), location: "a member name in \(path)"))
                collect(member.value, node: node?.member(member.key), path: "\(path).\(member.key)", into: &found)
            }
        default:
            break
        }
    }
}
