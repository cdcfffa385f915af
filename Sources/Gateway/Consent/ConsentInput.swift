import Contracts

/// Reads consent records from JSON, strictly, as DESIGN's Consent section says.
///
/// Members: `purpose` (required, known), `vendor` (a registered vendor or `*`, default `*`), `status`
/// (`granted` or `withdrawn`), `categories` (known category ids, default none = all the contract allows),
/// `givenAt` (RFC 3339, required), `expiresAt` (RFC 3339 or null, default never), `source` (required),
/// `evidence` (optional). `subject` only where the caller allows it (JSON Lines). Any other member is refused.
/// Error messages name the member, never its value when the value could be personal.
public struct ConsentInput: Sendable {
    public let taxonomy: Taxonomy
    /// Whether a vendor id is registered.
    public let isKnownVendor: @Sendable (String) -> Bool

    public init(taxonomy: Taxonomy, isKnownVendor: @escaping @Sendable (String) -> Bool) {
        self.taxonomy = taxonomy
        self.isKnownVendor = isKnownVendor
    }

    static let allowedMembers: Set<String> = [
        "purpose", "vendor", "status", "categories", "givenAt", "expiresAt", "source", "evidence",
    ]

    /// One record from a JSON object. `subject` is the path's subject, or nil when the object must carry one.
    public func record(_ value: JSONValue, subject pathSubject: String?) throws(ConsentInputError) -> ConsentRecord {
        guard case .object(let members) = value else {
            throw ConsentInputError("a consent record must be a JSON object")
        }
        for member in members {
            if member.key == "subject" {
                guard pathSubject == nil else {
                    throw ConsentInputError("`subject` comes from the URL here; remove it from the body")
                }
                continue
            }
            guard Self.allowedMembers.contains(member.key) else {
                throw ConsentInputError("unknown member `\(FieldWalkerSafe.name(member.key))`")
            }
        }
        let subject: String
        if let pathSubject {
            subject = pathSubject
        } else {
            guard case .string(let text)? = value["subject"] else {
                throw ConsentInputError("`subject` is required and must be a string")
            }
            subject = text
        }
        try Self.checkSubject(subject)
        guard case .string(let purpose)? = value["purpose"] else {
            throw ConsentInputError("`purpose` is required and must be a string")
        }
        guard taxonomy.purpose(purpose) != nil else {
            let hint = taxonomy.suggestPurpose(for: purpose).map { "; did you mean `\($0)`?" } ?? ""
            throw ConsentInputError("unknown purpose `\(FieldWalkerSafe.name(purpose))`\(hint)")
        }
        var vendor = ConsentRecord.allVendors
        switch value["vendor"] {
        case nil, .null?: break
        case .string(let text)?:
            guard text == ConsentRecord.allVendors || isKnownVendor(text) else {
                throw ConsentInputError("unknown vendor `\(FieldWalkerSafe.name(text))`")
            }
            vendor = text
        default: throw ConsentInputError("`vendor` must be a string")
        }
        guard case .string(let statusText)? = value["status"], let status = ConsentStatus(rawValue: statusText) else {
            throw ConsentInputError("`status` must be `granted` or `withdrawn`")
        }
        var categories: [String] = []
        switch value["categories"] {
        case nil, .null?: break
        case .array(let items)?:
            guard items.count <= 64 else { throw ConsentInputError("`categories` holds at most 64 entries") }
            for item in items {
                guard case .string(let category) = item, taxonomy.category(category) != nil else {
                    throw ConsentInputError("`categories` holds an unknown category")
                }
                categories.append(category)
            }
        default: throw ConsentInputError("`categories` must be an array of category ids")
        }
        guard case .string(let givenText)? = value["givenAt"], let givenAt = Timestamp(rfc3339: givenText) else {
            throw ConsentInputError("`givenAt` is required and must be an RFC 3339 time")
        }
        var expiresAt: Timestamp?
        switch value["expiresAt"] {
        case nil, .null?: break
        case .string(let text)?:
            guard let time = Timestamp(rfc3339: text) else {
                throw ConsentInputError("`expiresAt` must be an RFC 3339 time")
            }
            guard time > givenAt else { throw ConsentInputError("`expiresAt` must be after `givenAt`") }
            expiresAt = time
        default: throw ConsentInputError("`expiresAt` must be an RFC 3339 time or null")
        }
        guard case .string(let source)? = value["source"], !source.isEmpty, source.utf8.count <= 128 else {
            throw ConsentInputError("`source` is required: a string of at most 128 bytes")
        }
        var evidence: String?
        switch value["evidence"] {
        case nil, .null?: break
        case .string(let text)? where text.utf8.count <= 256: evidence = text
        default: throw ConsentInputError("`evidence` must be a string of at most 256 bytes")
        }
        return ConsentRecord(
            subject: subject,
            purpose: purpose,
            vendor: vendor,
            status: status,
            categories: categories,
            givenAt: givenAt,
            expiresAt: expiresAt,
            source: source,
            evidence: evidence
        )
    }

    /// Subject ids: 1 to 256 bytes, no control characters.
    public static func checkSubject(_ subject: String) throws(ConsentInputError) {
        guard !subject.isEmpty, subject.utf8.count <= 256,
            !subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw ConsentInputError("a subject id is 1 to 256 bytes without control characters") }
    }
}

/// A consent record that cannot be accepted, with a message safe to show (no personal value).
public struct ConsentInputError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Echoes member names and ids in messages only when they look like identifiers.
enum FieldWalkerSafe {
    static func name(_ text: String) -> String {
        let utf8 = text.utf8
        let ok =
            !utf8.isEmpty && utf8.count <= 64
            && utf8.allSatisfy { DataPath.isNameByte($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "*") }
        return ok ? text : "…"
    }
}
