import Contracts
import HTTPTypes
import Hummingbird

extension AdminAPI {
    /// `POST /v1/preview`: the exact decision and outgoing body for a sample payload and hypothetical consents,
    /// against the vendor's latest registered version (pending included). Nothing is sent or logged as a share.
    var previewRoute: AdminRoute {
        AdminRoute(.post, "/v1/preview", roles: [.procurement, .admin]) { request, context in
            let bytes = try await request.bytes(context: context, limit: 1 << 20)
            let input: JSONValue
            do { input = try JSONReader.parse(bytes) } catch {
                throw ProblemDetails("invalid-request", "the body is not strict JSON: \(error)")
            }
            return AdminResponses.json(try await self.preview(input))
        }
    }

    static let previewMembers: Set<String> = [
        "vendor", "purpose", "method", "operation", "body", "consents", "service", "subject", "query", "gpc", "version",
    ]

    func preview(_ input: JSONValue) async throws -> JSONValue {
        guard case .object(let members) = input else { throw ProblemDetails("invalid-request", "send a JSON object") }
        for member in members where !Self.previewMembers.contains(member.key) {
            throw ProblemDetails("invalid-request", "unknown member `\(FieldWalkerSafe.name(member.key))`")
        }
        guard let vendorID = input["vendor"]?.stringValue, RequestTarget.isIdentifier(vendorID) else {
            throw ProblemDetails("invalid-request", "`vendor` is required")
        }
        guard let method = input["method"]?.stringValue?.uppercased(), SharePipeline.allowedMethods.contains(method)
        else {
            throw ProblemDetails("invalid-request", "`method` is GET, POST, PUT, PATCH or DELETE")
        }
        guard let operation = input["operation"]?.stringValue, operation.hasPrefix("/") else {
            throw ProblemDetails("invalid-request", "`operation` is the vendor-relative path, e.g. /events")
        }
        let versions = try await runtime.store.versions(vendorID: vendorID)
        let wanted: AgreementVersionRecord?
        if let number = input["version"]?.intValueFromNumber {
            wanted = versions.first { $0.version == number }
        } else {
            wanted = versions.last
        }
        guard let version = wanted, let xml = try await runtime.store.xml(vendorID: vendorID, version: version.version)
        else {
            throw ProblemDetails("not-found", "no such vendor or version")
        }
        let agreement = try runtime.registry.validator.validate(xml)
        let compiled = CompiledAgreement(agreement: agreement, digest: version.digest, taxonomy: runtime.taxonomy)
        var query: [JSONMember] = []
        if case .object(let items)? = input["query"] {
            for item in items {
                guard case .string = item.value else {
                    throw ProblemDetails("invalid-request", "`query` values are strings")
                }
                query.append(item)
            }
        }
        let shareRequest = ShareRequest(
            method: method,
            path: operation,
            purpose: input["purpose"]?.stringValue,
            service: input["service"]?.stringValue ?? agreement.endpoint.allowedServices.first ?? "",
            globalPrivacyControl: input["gpc"] == .bool(true),
            subject: input["subject"]?.stringValue,
            now: .now(),
            maxRecords: runtime.configuration.limits.maxRecords
        )
        var result: [JSONMember] = [
            JSONMember(
                "contract",
                .object([
                    JSONMember("id", .string(version.agreementID)),
                    JSONMember("version", AdminResponses.int(version.version)),
                    JSONMember("digest", .string(version.digest)),
                    JSONMember("status", .string(version.status.rawValue)),
                ])
            )
        ]
        switch compiled.plan(shareRequest, standing: .approved, body: input["body"], query: query) {
        case .failure(let refusal):
            result += Self.previewRefusal(refusal)
            return .object(result)
        case .success(let plan):
            let consents = try previewConsents(input["consents"], subjects: plan.subjects)
            let decision = plan.decide(
                consents: consents,
                transformer: FieldTransformer(hashKey: runtime.keys.hashKey(forVendor: vendorID))
            )
            if let refusal = decision.refusal {
                result += Self.previewRefusal(refusal)
            } else {
                result.append(JSONMember("decision", .string("shared")))
                result.append(JSONMember("reason", .null))
                result.append(JSONMember("body", decision.body ?? .null))
                result.append(JSONMember("query", .object(decision.query)))
            }
            result.append(JSONMember("redactions", AdminResponses.int(decision.redactions)))
            result.append(
                JSONMember(
                    "fields",
                    .array(
                        decision.fields.map { field in
                            .object([
                                JSONMember("path", .string(field.path)),
                                JSONMember("category", AdminResponses.string(field.category)),
                                JSONMember("action", .string(field.action.rawValue)),
                                JSONMember("reason", .string(field.reason.rawValue)),
                                JSONMember("count", AdminResponses.int(field.count)),
                            ])
                        }
                    )
                )
            )
            result.append(
                JSONMember(
                    "records",
                    .object([
                        JSONMember("received", AdminResponses.int(decision.recordsReceived)),
                        JSONMember("sent", AdminResponses.int(decision.recordsSent)),
                        JSONMember(
                            "outcomes",
                            .array(
                                decision.records.map { record in
                                    .object([
                                        JSONMember("index", AdminResponses.int(record.index)),
                                        JSONMember("kept", .bool(record.kept)),
                                        JSONMember("reason", AdminResponses.string(record.reason?.rawValue)),
                                    ])
                                }
                            )
                        ),
                    ])
                )
            )
            return .object(result)
        }
    }

    static func previewRefusal(_ refusal: ShareRefusal) -> [JSONMember] {
        [
            JSONMember("decision", .string("refused")),
            JSONMember(
                "reason",
                .object([
                    JSONMember("type", .string(ProblemDetails.typePrefix + refusal.code)),
                    JSONMember("detail", .string(refusal.detail)),
                ])
            ),
            JSONMember("body", .null),
        ]
    }

    /// The hypothetical consents: a record without `subject` applies to every subject of the request.
    func previewConsents(_ value: JSONValue?, subjects: [String]) throws -> [ConsentRecord] {
        guard let value, value != .null else { return [] }
        guard case .array(let items) = value else { throw ProblemDetails("invalid-request", "`consents` is an array") }
        let input = ConsentInput(taxonomy: runtime.taxonomy, isKnownVendor: { _ in true })
        var records: [ConsentRecord] = []
        for (index, item) in items.enumerated() {
            do throws(ConsentInputError) {
                if item["subject"] != nil {
                    var record = try input.record(item, subject: nil)
                    record.id = Int64(index + 1)
                    records.append(record)
                } else {
                    for subject in subjects {
                        var record = try input.record(item, subject: subject)
                        record.id = Int64(index + 1)
                        records.append(record)
                    }
                }
            } catch {
                throw ProblemDetails(
                    code: "invalid-consent",
                    status: 422,
                    detail: "consent \(index) is not valid: \(error.message)",
                    extensions: [
                        JSONMember(
                            "errors",
                            .array([
                                .object([
                                    JSONMember("index", AdminResponses.int(index)),
                                    JSONMember("message", .string(error.message)),
                                ])
                            ])
                        )
                    ]
                )
            }
        }
        return records
    }
}

extension JSONValue {
    var intValueFromNumber: Int? {
        if case .number(let number) = self { return number.intValue }
        return nil
    }
}
