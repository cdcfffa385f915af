/// The vocabulary contracts are written in: data categories (a tree), data-subject categories and purposes.
public struct Taxonomy: Sendable {
    public private(set) var categories: [String: DataCategory]
    public private(set) var purposes: [String: Purpose]
    public private(set) var dataSubjects: [String: DataSubjectCategory]

    public init(
        categories: [DataCategory],
        purposes: [Purpose],
        dataSubjects: [DataSubjectCategory] = []
    ) {
        self.categories = Dictionary(categories.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.purposes = Dictionary(purposes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.dataSubjects = Dictionary(dataSubjects.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The category with `id`.
    public func category(_ id: String) -> DataCategory? {
        // Byte for byte: the dictionary's `String` keys match canonically equivalent text too.
        categories[id].flatMap { $0.id.isBytewiseEqual(to: id) ? $0 : nil }
    }

    /// The purpose with `id`.
    public func purpose(_ id: String) -> Purpose? {
        purposes[id].flatMap { $0.id.isBytewiseEqual(to: id) ? $0 : nil }
    }

    /// Whether `id` is personal data (under `user`).
    public func isPersonal(_ id: String) -> Bool {
        DataCategory.isWithin(id, DataCategory.personalRoot)
    }

    /// Whether `id` is, or lies under, a special (Art. 9) category.
    public func isSensitive(_ id: String) -> Bool {
        categories[id]?.isSensitive ?? false
    }

    /// Whether any category below `id` (or `id` itself) is sensitive: a field classified as `user` may
    /// carry health data, so it is treated as sensitive.
    public func mayContainSensitive(_ id: String) -> Bool {
        if isSensitive(id) { return true }
        return categories.values.contains { $0.isSensitive && DataCategory.isWithin($0.id, id) }
    }
}

extension Taxonomy {
    /// The closest known category id to `id`, for "did you mean" hints.
    public func suggestCategory(for id: String) -> String? {
        Suggestion.closest(to: id, in: categories.keys)
    }

    /// The closest known purpose id to `id`.
    public func suggestPurpose(for id: String) -> String? {
        Suggestion.closest(to: id, in: purposes.keys)
    }
}
