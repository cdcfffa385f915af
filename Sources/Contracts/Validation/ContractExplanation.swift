/// A plain-language table of what may leave under an agreement, per purpose and operation, for people who
/// approve agreements.
public enum ContractExplanation {
    /// How the vendor is told of rights requests: by the API the agreement names, or by hand at its contact.
    static func rightsLine(_ agreement: Agreement) -> String {
        let contact = agreement.vendor.contact
        guard let rights = agreement.rights else {
            return "Rights notices: manual, to \(contact) (the agreement names no rights endpoint)\n"
        }
        let manual = Agreement.Rights.knownRequestTypes.filter { !rights.requestTypes.contains($0) }
        var line = "Rights notices: POST \(rights.endpoint) for \(rights.requestTypes.joined(separator: ", "))"
        line += ", answer within \(rights.respondWithinDays) days"
        if !manual.isEmpty { line += "; manual, to \(contact), for \(manual.joined(separator: ", "))" }
        return line + "\n"
    }

    public static func render(_ agreement: Agreement, taxonomy: Taxonomy = .builtIn) -> String {
        let compiled = CompiledAgreement(agreement: agreement, digest: "", taxonomy: taxonomy)
        var out = ""
        let vendor = agreement.vendor
        out += "\(agreement.id) version \(agreement.version): \(vendor.name) (\(vendor.id), \(vendor.country))\n"
        out +=
            "Term \(agreement.term.effective) to \(agreement.term.expires); retention \(agreement.retentionDays) days; "
        out += "transfers \(agreement.transfers.regions.joined(separator: ", ")); "
        out += "breach notice within \(agreement.breachNotification.hours) h\n"
        out +=
            "Endpoint \(agreement.endpoint.baseURL), for services: \(agreement.endpoint.allowedServices.joined(separator: ", "))\n"
        out += rightsLine(agreement)
        if !agreement.prohibited.isEmpty {
            out += "Never: \(agreement.prohibited.joined(separator: ", "))\n"
        }
        if !agreement.subprocessors.isEmpty {
            let list = agreement.subprocessors.map { "\($0.name) (\($0.country), \($0.service))" }
            out += "Sub-processors: \(list.joined(separator: "; "))\n"
        }
        for grant in agreement.purposes {
            guard let purpose = taxonomy.purpose(grant.ref) else { continue }
            let basis = grant.basis ?? purpose.basis
            out += "\nPurpose \(purpose.id) (\(purpose.name)); basis \(basis.rawValue)"
            if purpose.isSaleOrSharing { out += "; sale or sharing: refused under Global Privacy Control" }
            out += "\n"
            for operation in agreement.operations {
                guard
                    let plan = compiled.operations[CompiledAgreement.key(operation.method, operation.path)]?.plans[
                        Identifier(grant.ref)
                    ]
                else { continue }
                var heading = "  \(operation.method) \(operation.path)"
                if let records = operation.records { heading += ", one record per \(records)" }
                if let subject = operation.subject { heading += ", subject \(subject)" }
                out += heading + "\n"
                var rows: [[String]] = [["FIELD", "CATEGORY", "LEAVES"]]
                for field in operation.fields {
                    let rule = plan.ruleForExplanation(field.path, records: operation.records != nil)
                    rows.append([
                        field.path.description, field.category, rule.map { describe($0, basis: basis) } ?? "never",
                    ])
                }
                for query in operation.queries {
                    let rule = plan.queries[Identifier(query.name)]
                    rows.append(["?" + query.name, query.category, rule.map { describe($0, basis: basis) } ?? "never"])
                }
                rows.append(["anything else", "", "never (not in the data map)"])
                out += table(rows, indent: "    ")
            }
        }
        return out
    }

    static func describe(_ rule: FieldRule, basis: LawfulBasis) -> String {
        switch rule.verdict {
        case .remove(let reason):
            switch reason {
            case .prohibited: return "never (prohibited)"
            case .notInContract: return "never (not allowed for this purpose)"
            default: return "never (\(reason))"
            }
        case .send(let transform):
            var text: String
            switch transform {
            case nil: text = "as is"
            case .remove?: return "never (the agreement removes it)"
            case .hash?: text = "hashed (HMAC-SHA256 under a key for this vendor)"
            case .mask?: text = "masked (last four characters kept)"
            case .generalize?: text = "generalised (IP to network, date to year, postcode to 3 characters)"
            }
            if !rule.isPersonal { return text + " (not personal)" }
            if rule.isSensitive { return text + ", only with consent naming it explicitly" }
            switch basis {
            case .consent: text += ", with consent"
            default: text += ", unless the subject objected"
            }
            return text
        }
    }

    static func table(_ rows: [[String]], indent: String) -> String {
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            indent
                + row.enumerated().map { index, cell in
                    index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
                }.joined()
        }.joined(separator: "\n") + "\n"
    }
}

extension PurposePlan {
    /// The rule for a data-map path, found by walking the trees.
    func ruleForExplanation(_ path: DataPath, records: Bool) -> FieldRule? {
        var node: PathNode? = records && path.root == .record ? record : body
        for segment in path.segments {
            switch segment {
            case .member(let name): node = node?.members[Identifier(name)]
            case .everyElement: node = node?.elements
            }
        }
        return node?.rule
    }
}
