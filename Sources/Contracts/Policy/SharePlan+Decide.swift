extension SharePlan {
    /// Step 2 and 3 of the decision: each record's lawful basis, then each field's fate.
    ///
    /// `consents` may hold any records of the request's subjects; those for other purposes or vendors are
    /// ignored. Pure: no I/O, no clock, no randomness.
    public func decide(consents: [ConsentRecord], transformer: FieldTransformer) -> ShareDecision {
        var bySubject: [Identifier: [ConsentRecord]] = [:]
        for record in consents { bySubject[Identifier(record.subject), default: []].append(record) }
        let vendor = agreement.vendorID

        var outcomes: [RecordOutcome] = []
        outcomes.reserveCapacity(records.count)
        var keptConsents: [ConsentRecord?] = []
        var keptIndices: [Int] = []
        for (index, record) in records.enumerated() {
            guard case .object = record.value else {
                outcomes.append(
                    RecordOutcome(
                        index: index,
                        subject: record.subject,
                        kept: false,
                        reason: .recordMalformed,
                        consentRefs: []
                    )
                )
                continue
            }
            guard let subject = record.subject else {
                outcomes.append(
                    RecordOutcome(index: index, subject: nil, kept: false, reason: .subjectMissing, consentRefs: [])
                )
                continue
            }
            let outcome = LawfulBasisCheck.evaluate(
                basis: purposePlan.basis,
                purpose: purposePlan.purpose,
                vendor: vendor,
                globalPrivacyControl: request.globalPrivacyControl,
                consents: bySubject[Identifier(subject)] ?? [],
                now: request.now
            )
            switch outcome {
            case .allowed(let consent):
                outcomes.append(
                    RecordOutcome(
                        index: index,
                        subject: subject,
                        kept: true,
                        reason: nil,
                        consentRefs: consent.map { [$0.id] } ?? []
                    )
                )
                keptConsents.append(consent)
                keptIndices.append(index)
            case .refused(let reason, let consent):
                outcomes.append(
                    RecordOutcome(
                        index: index,
                        subject: subject,
                        kept: false,
                        reason: reason,
                        consentRefs: consent.map { [$0.id] } ?? []
                    )
                )
            }
        }

        var decision = ShareDecision(
            refusal: nil,
            body: nil,
            query: [],
            records: outcomes,
            fields: [],
            lawfulBasis: purposePlan.basis,
            redactions: 0
        )
        if keptIndices.isEmpty {
            decision.refusal = Self.refusal(for: outcomes, batched: operation.recordsMembers != nil)
            return decision
        }

        var walker = FieldWalker(basis: purposePlan.basis, transformer: transformer)
        if let recordTree = purposePlan.record {
            var keptRecords: [JSONValue] = []
            keptRecords.reserveCapacity(keptIndices.count)
            for (position, index) in keptIndices.enumerated() {
                walker.scope = [keptConsents[position]]
                keptRecords.append(walker.apply(records[index].value, node: recordTree) ?? .object([]))
            }
            walker.scope = keptConsents
            walker.records = keptRecords
            decision.body = walker.apply(body ?? .object([]), node: purposePlan.body)
        } else {
            walker.scope = keptConsents
            decision.body = body.map { walker.apply($0, node: purposePlan.body) ?? .object([]) }
        }
        walker.scope = keptConsents
        for parameter in query {
            if let rule = purposePlan.queries[Identifier(parameter.key)],
                let value = walker.apply(rule: rule, to: parameter.value)
            {
                decision.query.append(JSONMember(parameter.key, value))
            } else if purposePlan.queries[Identifier(parameter.key)] == nil {
                walker.count(path: FieldWalker.unmappedQueryPath, category: nil, .removed, .unmapped)
            }
        }
        decision.fields = walker.outcomes()
        decision.redactions = walker.redactions
        return decision
    }

    /// The refusal when no record is left: the records' common reason, or `no-lawful-basis`.
    static func refusal(for outcomes: [RecordOutcome], batched: Bool) -> ShareRefusal {
        let reasons = Set(outcomes.compactMap(\.reason))
        let count = outcomes.count
        if reasons.count == 1, let reason = reasons.first {
            let what = batched ? "none of the \(count) records has" : "the subject has no"
            let detail: String
            switch reason {
            case .consentMissing: detail = "\(what) consent for this purpose and vendor"
            case .consentWithdrawn:
                detail =
                    batched ? "every record's consent was withdrawn" : "the subject withdrew consent for this purpose"
            case .consentExpired:
                detail = batched ? "every record's consent has expired" : "the subject's consent has expired"
            case .objection:
                detail = batched ? "every subject objected to this purpose" : "the subject objected to this purpose"
            case .gpcOptOut: detail = "Global Privacy Control opts the subject out of sale or sharing"
            case .subjectMissing:
                detail =
                    batched ? "no record names its subject" : "the request names no subject (Share-Subject or the body)"
            default: detail = batched ? "no record is well-formed" : "the record is malformed"
            }
            return ShareRefusal(reason.rawValue, detail)
        }
        return ShareRefusal(
            "no-lawful-basis",
            "none of the \(count) records has a lawful basis for this purpose and vendor"
        )
    }
}
