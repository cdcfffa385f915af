/// A purpose of processing, e.g. `analytics`, with its default lawful basis.
public struct Purpose: Sendable, Hashable {
    public var id: String
    public var name: String
    /// The basis used when an agreement does not name one.
    public var basis: LawfulBasis
    /// Sale or sharing for cross-context advertising (CCPA/CPRA): refused under Global Privacy Control.
    public var isSaleOrSharing: Bool

    public init(id: String, name: String, basis: LawfulBasis, isSaleOrSharing: Bool) {
        self.id = id
        self.name = name
        self.basis = basis
        self.isSaleOrSharing = isSaleOrSharing
    }
}

/// A category of data subjects (GDPR Art. 28(3)), e.g. `customer`.
public struct DataSubjectCategory: Sendable, Hashable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}
