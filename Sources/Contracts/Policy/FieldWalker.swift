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
        let path: String
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
                if let child = node.members[member.key] {
                    if let result = apply(member.value, node: child) {
                        kept.append(JSONMember(member.key, result))
                    }
                } else {
                    count(
                        path: Self.displayPath(parent: node.text, key: member.key, separator: "."),
                        category: nil,
                        .removed,
                        .unmapped
                    )
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
            for member in members {
                count(
                    path: Self.displayPath(parent: node.text, key: member.key, separator: "."),
                    category: nil,
                    .removed,
                    .unmapped
                )
            }
            return members.isEmpty ? .object([]) : nil
        default:
            count(path: node.text, category: nil, .removed, .unexpectedShape)
            return nil
        }
    }

    /// Decides one mapped value.
    mutating func apply(rule: FieldRule, to value: JSONValue) -> JSONValue? {
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
        counts[Key(path: path, category: category, action: action, reason: reason), default: 0] += 1
        if action != .sent { redactions += 1 }
    }

    /// The outcomes, sorted by path, then action.
    func outcomes() -> [FieldOutcome] {
        counts.map { key, count in
            FieldOutcome(path: key.path, category: key.category, action: key.action, reason: key.reason, count: count)
        }
        .sorted {
            ($0.path, $0.action.rawValue, $0.reason.rawValue) < ($1.path, $1.action.rawValue, $1.reason.rawValue)
        }
    }

    /// A path for an unmapped member. Keys are client-chosen and could be personal values (an email used as
    /// a key), so only identifier-like keys are written; others appear as `*`.
    static func displayPath(parent: String, key: String, separator: String) -> String {
        let utf8 = key.utf8
        let identifierLike =
            !utf8.isEmpty && utf8.count <= 64
            && utf8.allSatisfy { DataPath.isNameByte($0) }
            && !utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        return parent + separator + (identifierLike ? key : "*")
    }
}
