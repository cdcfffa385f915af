/// Where an agreement version stands in its lifecycle, as far as shares are concerned.
public enum ContractStanding: String, Sendable, Hashable {
    case pending
    case approved
    case suspended
    case terminated
}

/// An agreement version prepared for fast decisions: every data-map path is classified for every purpose
/// once, so a request only applies the consent-dependent rules.
public final class CompiledAgreement: Sendable {
    public let agreement: Agreement
    /// `sha256:<hex>` of the exact bytes that were registered.
    public let digest: String
    let operations: [Identifier: CompiledOperation]

    public init(agreement: Agreement, digest: String, taxonomy: Taxonomy = .builtIn) {
        self.agreement = agreement
        self.digest = digest
        var operations: [Identifier: CompiledOperation] = [:]
        for operation in agreement.operations {
            operations[Self.key(operation.method, operation.path)] = CompiledOperation(
                operation: operation,
                agreement: agreement,
                taxonomy: taxonomy
            )
        }
        self.operations = operations
    }

    static func key(_ method: String, _ path: String) -> Identifier {
        Identifier(method + " " + path)
    }

    /// The vendor's id.
    public var vendorID: String { agreement.vendor.id }
}

/// One declared operation, classified for every purpose of its agreement.
final class CompiledOperation: Sendable {
    let operation: Agreement.Operation
    /// Members leading from the body to the records array, when the operation is batched.
    let recordsMembers: [String]?
    /// Members leading from a record (or the body) to the subject id.
    let subjectMembers: [String]?
    let plans: [Identifier: PurposePlan]

    init(operation: Agreement.Operation, agreement: Agreement, taxonomy: Taxonomy) {
        self.operation = operation
        self.recordsMembers = operation.records.map { Self.memberNames($0.segments.dropLast()) }
        self.subjectMembers = operation.subject.map { Self.memberNames($0.segments[...]) }
        var plans: [Identifier: PurposePlan] = [:]
        for grant in agreement.purposes {
            guard let purpose = taxonomy.purpose(grant.ref) else { continue }
            plans[Identifier(grant.ref)] = PurposePlan(
                purpose: purpose,
                basis: grant.basis ?? purpose.basis,
                grant: grant,
                operation: operation,
                prohibited: agreement.prohibited,
                taxonomy: taxonomy
            )
        }
        self.plans = plans
    }

    static func memberNames(_ segments: ArraySlice<DataPath.Segment>) -> [String] {
        segments.compactMap { segment in
            if case .member(let name) = segment { return name }
            return nil
        }
    }
}

/// The classification of an operation's paths for one purpose.
struct PurposePlan: Sendable {
    let purpose: Purpose
    let basis: LawfulBasis
    /// The tree over the body. For a batched operation its records node holds `record`'s rules.
    let body: PathNode
    /// The tree over one record, for batched operations.
    let record: PathNode?
    let queries: [Identifier: FieldRule]

    init(
        purpose: Purpose,
        basis: LawfulBasis,
        grant: Agreement.PurposeGrant,
        operation: Agreement.Operation,
        prohibited: [String],
        taxonomy: Taxonomy
    ) {
        self.purpose = purpose
        self.basis = basis
        func rule(_ path: String, _ category: String) -> FieldRule {
            let personal = taxonomy.isPersonal(category)
            let verdict: FieldRule.Verdict
            if !personal {
                verdict = .send(nil)
            } else if prohibited.contains(where: { DataCategory.overlaps(category, $0) }) {
                verdict = .remove(.prohibited)
            } else if let allowed = grant.categories
                .filter({ DataCategory.isWithin(category, $0.ref) })
                .max(by: { $0.ref.utf8.count < $1.ref.utf8.count })
            {
                verdict = .send(allowed.transform)
            } else {
                verdict = .remove(.notInContract)
            }
            return FieldRule(
                path: path,
                category: category,
                isPersonal: personal,
                isSensitive: personal && taxonomy.mayContainSensitive(category),
                sensitiveRoot: taxonomy.category(category)?.sensitiveRoot,
                verdict: verdict
            )
        }
        let bodyBuilder = PathNode.Builder()
        if let records = operation.records {
            let recordBuilder = PathNode.Builder()
            for field in operation.fields {
                let node =
                    field.path.root == .record
                    ? recordBuilder.node(at: field.path.segments)
                    : bodyBuilder.node(at: field.path.segments)
                node.rule = rule(field.path.description, field.category)
            }
            let recordsNode = bodyBuilder.node(at: records.segments)
            recordsNode.isRecords = true
            self.record = recordBuilder.freeze(text: "@")
        } else {
            for field in operation.fields {
                bodyBuilder.node(at: field.path.segments).rule = rule(field.path.description, field.category)
            }
            self.record = nil
        }
        self.body = bodyBuilder.freeze(text: "$")
        var queries: [Identifier: FieldRule] = [:]
        for query in operation.queries {
            queries[Identifier(query.name)] = rule("?" + query.name, query.category)
        }
        self.queries = queries
    }
}
