/// A node of the data-category tree, e.g. `user.contact.email`.
public struct DataCategory: Sendable, Hashable {
    /// The dotted id; a child's id is its parent's id plus one segment.
    public var id: String
    public var name: String
    /// True when this category or one of its ancestors is a GDPR Art. 9 special category.
    public var isSensitive: Bool
    /// The id of the Art. 9 root this category falls under, when sensitive.
    public var sensitiveRoot: String?

    public init(id: String, name: String, isSensitive: Bool = false, sensitiveRoot: String? = nil) {
        self.id = id
        self.name = name
        self.isSensitive = isSensitive
        self.sensitiveRoot = sensitiveRoot
    }

    /// Whether `category` is `ancestor` or lies below it in the tree.
    @inlinable
    public static func isWithin(_ category: String, _ ancestor: String) -> Bool {
        guard category.hasPrefix(ancestor) else { return false }
        let categoryUTF8 = category.utf8
        let ancestorCount = ancestor.utf8.count
        if categoryUTF8.count == ancestorCount { return true }
        let next = categoryUTF8[categoryUTF8.index(categoryUTF8.startIndex, offsetBy: ancestorCount)]
        return next == UInt8(ascii: ".")
    }

    /// Whether two categories overlap: one is within the other.
    @inlinable
    public static func overlaps(_ lhs: String, _ rhs: String) -> Bool {
        isWithin(lhs, rhs) || isWithin(rhs, lhs)
    }

    /// The root of personal data; categories outside it (such as `system.operations`) are not personal.
    public static let personalRoot = "user"
}
