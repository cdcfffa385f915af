/// The classification rule of one mapped path, prepared for a purpose.
struct FieldRule: Sendable {
    enum Verdict: Sendable {
        /// The agreement lets the field leave, transformed or not; consent may still remove it.
        case send(Transform?)
        /// The agreement alone removes the field.
        case remove(FieldReason)
    }

    let path: String
    let category: String
    let isPersonal: Bool
    /// The category is, or may contain, a special (Art. 9) category.
    let isSensitive: Bool
    /// The Art. 9 category the field's category lies under; `nil` when the category is broader than any
    /// (`user`), so no consent can name it explicitly.
    let sensitiveRoot: String?
    let verdict: Verdict
}

/// A node of the tree of mapped paths: where rules sit and which members lead to them.
final class PathNode: Sendable {
    let text: String
    let rule: FieldRule?
    let members: [Identifier: PathNode]
    let elements: PathNode?
    /// The array elements below this node are the operation's records.
    let isRecords: Bool

    init(text: String, rule: FieldRule?, members: [Identifier: PathNode], elements: PathNode?, isRecords: Bool) {
        self.text = text
        self.rule = rule
        self.members = members
        self.elements = elements
        self.isRecords = isRecords
    }

    /// A mutable tree used while compiling.
    final class Builder {
        var rule: FieldRule?
        var members: [Identifier: Builder] = [:]
        var memberOrder: [String] = []
        var elements: Builder?
        var isRecords = false

        func node(at segments: [DataPath.Segment]) -> Builder {
            var node = self
            for segment in segments {
                switch segment {
                case .member(let name):
                    if let next = node.members[Identifier(name)] {
                        node = next
                    } else {
                        let next = Builder()
                        node.members[Identifier(name)] = next
                        node.memberOrder.append(name)
                        node = next
                    }
                case .everyElement:
                    if node.elements == nil { node.elements = Builder() }
                    node = node.elements!
                }
            }
            return node
        }

        func freeze(text: String) -> PathNode {
            var frozen: [Identifier: PathNode] = [:]
            for name in memberOrder {
                frozen[Identifier(name)] = members[Identifier(name)]!.freeze(text: text + "." + name)
            }
            return PathNode(
                text: text,
                rule: rule,
                members: frozen,
                elements: elements?.freeze(text: text + "[*]"),
                isRecords: isRecords
            )
        }
    }
}
