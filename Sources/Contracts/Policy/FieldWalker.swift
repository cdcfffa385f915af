/// Walks a payload along the tree of mapped paths, deciding each value and counting the outcomes.
struct FieldWalker {
    let basis: LawfulBasis
    let transformer: FieldTransformer
    /// The consents the current value answers to: one for a record's own fields, every kept record's for
    /// body-level fields and query parameters (a value leaves only if every one of them allows it).
    var scope: [ConsentRecord?] = []
    /// The kept, already redacted records, placed at the records node.
    var records: [JSONValue] = []
    private(set) var redactions = 0
    private var counts: [Key: Int] = [:]

    private struct Key: Hashable {
        let path: Identifier
        let category: String?
        let action: FieldAction
        let reason: FieldReason
    }

    init(basis: LawfulBasis, transformer: FieldTransformer) {
        self.basis = basis
        self.transformer = transformer
    }

    /// The value to send in place of `value` at `node`, or `nil` when nothing of it may leave.
    mutating func apply(_ value: JSONValue, node: PathNode) -> JSONValue? {
        if let rule = node.rule {
            return apply(rule: rule, to: value)
        }
        if node.isRecords {
            return .array(records)
        }
        switch value {
        case .object(let members) where !node.members.isEmpty:
            var kept: [JSONMember] = []
            kept.reserveCapacity(members.count)
            for member in members {
                if let child = node.members[Identifier(member.key)] {
                    if let result = apply(member.value, node: child) {
                        kept.append(JSONMember(member.key, result))
                    }
                } else {
                    count(path: Self.unmappedPath(parent: node.text), category: nil, .removed, .unmapped)
                }
            }
            // A container emptied by redaction is left out; one that came empty stays.
            return kept.isEmpty && !members.isEmpty ? nil : .object(kept)
        case .array(let elements) where node.elements != nil:
            let child = node.elements!
            if child.isRecords { return .array(records) }
            var kept: [JSONValue] = []
            kept.reserveCapacity(elements.count)
            for element in elements {
                if let result = apply(element, node: child) { kept.append(result) }
            }
            return kept.isEmpty && !elements.isEmpty ? nil : .array(kept)
        case .object(let members) where node.members.isEmpty:
            for _ in members {
                count(path: Self.unmappedPath(parent: node.text), category: nil, .removed, .unmapped)
            }
            return members.isEmpty ? .object([]) : nil
        default:
            count(path: node.text, category: nil, .removed, .unexpectedShape)
            return nil
        }
    }

    /// Decides one mapped value. A mapped field carries one JSON scalar: an object or array where the data map
    /// names a field leaves in no form, whatever the verdict (DESIGN, decision rule 3).
    mutating func apply(rule: FieldRule, to value: JSONValue) -> JSONValue? {
        switch value {
        case .object, .array:
            count(path: rule.path, category: rule.category, .removed, .notAScalar)
            return nil
        case .null, .bool, .number, .string:
            break
        }
        switch rule.verdict {
        case .remove(let reason):
            count(path: rule.path, category: rule.category, .removed, reason)
            return nil
        case .send(let transform):
            if rule.isPersonal, let refusal = consentRefusal(rule) {
                count(path: rule.path, category: rule.category, .removed, refusal)
                return nil
            }
            guard let transform else {
                count(path: rule.path, category: rule.category, .sent, rule.isPersonal ? .allowed : .nonPersonal)
                return value
            }
            if transform == .remove {
                count(path: rule.path, category: rule.category, .removed, .contractTransform)
                return nil
            }
            guard let transformed = transformer.apply(transform, to: value, category: rule.category) else {
                count(path: rule.path, category: rule.category, .removed, .cannotTransform)
                return nil
            }
            let action: FieldAction
            switch transform {
            case .hash: action = .hash
            case .mask: action = .mask
            case .generalize: action = .generalize
            case .remove: action = .removed
            }
            count(path: rule.path, category: rule.category, action, .contractTransform)
            return transformed
        }
    }

    /// Why the consents in scope keep a personal field the agreement allows from leaving, if they do.
    private func consentRefusal(_ rule: FieldRule) -> FieldReason? {
        guard basis == .consent else {
            return rule.isSensitive ? .sensitiveNeedsExplicitConsent : nil
        }
        for consent in scope {
            let categories = consent?.categories ?? []
            if !categories.isEmpty, !categories.contains(where: { DataCategory.isWithin(rule.category, $0) }) {
                return .notConsented
            }
            if rule.isSensitive {
                // Explicit: the consent names the category itself or a special category above it, never a
                // broader one such as `user`.
                guard let root = rule.sensitiveRoot,
                    categories.contains(where: {
                        DataCategory.isWithin(rule.category, $0) && DataCategory.isWithin($0, root)
                    })
                else { return .sensitiveNeedsExplicitConsent }
            }
        }
        return nil
    }

    mutating func count(path: String, category: String?, _ action: FieldAction, _ reason: FieldReason) {
        counts[Key(path: Identifier(path), category: category, action: action, reason: reason), default: 0] += 1
        if action != .sent { redactions += 1 }
    }

    /// The outcomes, sorted by path, then action.
    func outcomes() -> [FieldOutcome] {
        counts.map { key, count in
            FieldOutcome(
                path: key.path.text,
                category: key.category,
                action: key.action,
                reason: key.reason,
                count: count
            )
        }
        .sorted {
            (Identifier($0.path), $0.action.rawValue, $0.reason.rawValue)
                < (Identifier($1.path), $1.action.rawValue, $1.reason.rawValue)
        }
    }

    /// The logged path of an unmapped member: `parent.*`, counted. Member names are client-chosen and can be
    /// personal values (an email or a customer id used as a key), and the log is append-only, so a name the
    /// data map does not know is never written (DESIGN, "Share log").
    static func unmappedPath(parent: String) -> String {
        parent + ".*"
    }

    /// The logged path of unmapped query parameters (their names are never written either).
    static let unmappedQueryPath = "?*"
}
