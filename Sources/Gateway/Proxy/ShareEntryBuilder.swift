import Contracts

/// Builds the share log's entries: what was decided, with subjects as refs and fields as paths, never a value.
struct ShareEntryBuilder: Sendable {
    let keys: GatewayKeys

    /// What is known of a request when it is decided or refused.
    struct Facts {
        var shareID: String
        var service: String
        var method: String
        var vendorID: String?
        var contract: ActiveContract?
        var purpose: String?
        /// The declared operation path, when the request matched one.
        var operation: String?
        var decision: ShareDecision?
        var recordsReceived: Int = 0
        var problem: ProblemDetails?
        var globalPrivacyControl = false
        /// Subjects named by a request refused before its records were decided.
        var namedSubjects: [String] = []
        /// Keep the subjects out of the erasable id-to-ref mapping (a refusal for an erased subject must not
        /// link them to the log again).
        var unlinked = false
    }

    func draft(_ facts: Facts) -> LogEntryDraft {
        let subjects = facts.decision?.subjects ?? facts.namedSubjects
        let mappings = subjects.map { SubjectRefMapping(subject: $0, ref: keys.subjectRef($0)) }
        let storedMappings = facts.unlinked ? [] : mappings
        let refs = mappings.map(\.ref)
        let refused = facts.problem != nil || facts.decision?.refusal != nil
        // `subjectRefs`: whose data left (a share), or whom the request named (a refusal). Subjects whose
        // records were all dropped appear only in `recordOutcomes`.
        var shownRefs = refs
        if !refused, let decision = facts.decision {
            var kept: Set<Identifier> = []
            for record in decision.records where record.kept {
                if let subject = record.subject { kept.insert(Identifier(subject)) }
            }
            shownRefs = mappings.filter { kept.contains(Identifier($0.subject)) }.map(\.ref)
        }
        var members: [JSONMember] = [
            JSONMember("service", .string(facts.service)),
            JSONMember("vendor", facts.vendorID.map(JSONValue.string) ?? .null),
            JSONMember("contract", contract(facts.contract)),
            JSONMember("purpose", facts.purpose.map(JSONValue.string) ?? .null),
            JSONMember("method", .string(facts.method)),
            JSONMember("operation", facts.operation.map(JSONValue.string) ?? .null),
            JSONMember("subjectRefs", .array(shownRefs.map(JSONValue.string))),
            JSONMember("consentRefs", .array((facts.decision?.consentRefs ?? []).map { .number(JSONNumber(Int($0))) })),
            JSONMember(
                "records",
                .object([
                    JSONMember(
                        "received",
                        .number(JSONNumber(facts.decision?.recordsReceived ?? facts.recordsReceived))
                    ),
                    JSONMember("sent", .number(JSONNumber(refused ? 0 : facts.decision?.recordsSent ?? 0))),
                ])
            ),
            JSONMember("fields", .array((refused ? [] : facts.decision?.fields ?? []).map(field))),
            JSONMember("decision", .string(refused ? "refused" : "shared")),
            JSONMember("reason", facts.problem.map { .string($0.type) } ?? .null),
            JSONMember("gpc", .bool(facts.globalPrivacyControl)),
        ]
        if let decision = facts.decision {
            members.append(JSONMember("lawfulBasis", decision.lawfulBasis.map { .string($0.rawValue) } ?? .null))
            members.append(JSONMember("recordOutcomes", .array(decision.records.filter { !$0.kept }.map(dropped))))
        }
        var draft = LogEntryDraft(
            id: facts.shareID,
            kind: .share,
            members: members,
            vendor: facts.vendorID,
            purpose: facts.purpose,
            decision: refused ? "refused" : "shared",
            subjectRefs: refs,
            mappings: storedMappings
        )
        draft.reason = facts.problem?.code
        return draft
    }

    func outcome(
        shareID: String,
        outcomeID: String,
        vendorID: String,
        status: Int?,
        error: String?,
        durationMs: Int
    ) -> LogEntryDraft {
        LogEntryDraft(
            id: outcomeID,
            kind: .outcome,
            members: [
                JSONMember("shareId", .string(shareID)),
                JSONMember("vendor", .string(vendorID)),
                JSONMember("upstreamStatus", status.map { .number(JSONNumber($0)) } ?? .null),
                JSONMember("error", error.map(JSONValue.string) ?? .null),
                JSONMember("durationMs", .number(JSONNumber(durationMs))),
            ],
            vendor: vendorID,
            shareID: shareID
        )
    }

    private func contract(_ active: ActiveContract?) -> JSONValue {
        guard let active else { return .null }
        return .object([
            JSONMember("id", .string(active.version.agreementID)),
            JSONMember("version", .number(JSONNumber(active.version.version))),
            JSONMember("digest", .string(active.version.digest)),
        ])
    }

    private func field(_ outcome: FieldOutcome) -> JSONValue {
        .object([
            JSONMember("path", .string(outcome.path)),
            JSONMember("category", outcome.category.map(JSONValue.string) ?? .null),
            JSONMember("action", .string(outcome.action.rawValue)),
            JSONMember("reason", .string(outcome.reason.rawValue)),
            JSONMember("count", .number(JSONNumber(outcome.count))),
        ])
    }

    private func dropped(_ record: RecordOutcome) -> JSONValue {
        .object([
            JSONMember("index", .number(JSONNumber(record.index))),
            JSONMember("reason", .string(record.reason?.rawValue ?? "unknown")),
            JSONMember("subjectRef", record.subject.map { .string(keys.subjectRef($0)) } ?? .null),
        ])
    }
}
