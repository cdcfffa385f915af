import Contracts

/// Finds a rights request's recipients from the share log: the vendors that some `shared` entry of any
/// instance's log names the subject for, through the subject-ref index (`log_entry_subjects`).
struct RecipientFinder: Sendable {
    let store: any GatewayStore
    let validator: ContractValidator
    let keys: GatewayKeys

    /// What one vendor received of the subject.
    struct Found: Sendable {
        var vendor: String
        var categories: Set<String> = []
        var first: Timestamp
        var last: Timestamp
        /// The subject's id in each form the vendor received it, without repeats, in the order first seen.
        var identifiers: [NoticeIdentifier] = []
    }

    func find(
        subject: String,
        ref: String,
        type: RightsRequestType,
        purposes: [String],
        categories: [String]
    ) async throws -> [Found] {
        var found: [String: Found] = [:]
        var subjectPaths = SubjectPathCache()
        var after: LedgerPosition?
        let pageSize = 2000
        while true {
            let page = try await store.entries(
                LedgerQuery(subjectRef: ref, decision: "shared", kind: "share", after: after, limit: pageSize)
            )
            for row in page {
                let entry = try JSONReader.parse(row.bytes)
                // The index also lists the subjects a share named but did not send; the entry says whose data left.
                guard case .array(let refs)? = entry["subjectRefs"], refs.contains(.string(ref)),
                    let vendor = entry["vendor"]?.stringValue,
                    let time = entry["time"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
                else { continue }
                if type == .objection {
                    guard let purpose = entry["purpose"]?.stringValue, purposes.contains(purpose) else { continue }
                }
                var received: [(path: String, category: String?, action: String)] = []
                if case .array(let fields)? = entry["fields"] {
                    for field in fields {
                        guard let path = field["path"]?.stringValue, let action = field["action"]?.stringValue else {
                            continue
                        }
                        received.append((path, field["category"]?.stringValue, action))
                    }
                }
                let sent = received.filter { $0.action != FieldAction.removed.rawValue }
                var receivedCategories = Set(sent.compactMap(\.category).filter { $0.hasPrefix("user") })
                if type == .rectification, !categories.isEmpty {
                    receivedCategories = receivedCategories.filter { category in
                        categories.contains { Self.category(category, isWithin: $0) }
                    }
                    guard !receivedCategories.isEmpty else { continue }
                }
                var vendorFound = found[vendor] ?? Found(vendor: vendor, first: time, last: time)
                vendorFound.categories.formUnion(receivedCategories)
                if time < vendorFound.first { vendorFound.first = time }
                if time > vendorFound.last { vendorFound.last = time }
                if let identifier = try await identifier(
                    subject: subject,
                    entry: entry,
                    vendor: vendor,
                    received: received,
                    paths: &subjectPaths
                ), !vendorFound.identifiers.contains(identifier) {
                    vendorFound.identifiers.append(identifier)
                }
                found[vendor] = vendorFound
            }
            guard let last = page.last, page.count == pageSize else { break }
            after = LedgerPosition(origin: last.origin, seq: last.seq)
        }
        return found.keys.sorted().map { found[$0]! }
    }

    /// The form the vendor received the subject's id in with this share: the operation's subject field as it
    /// left (as is, hashed or masked as the contract says), or nil when the id did not leave, or when the
    /// entry cannot say whether this subject's id left (the field was sent for some records and removed for
    /// others).
    private func identifier(
        subject: String,
        entry: JSONValue,
        vendor: String,
        received: [(path: String, category: String?, action: String)],
        paths: inout SubjectPathCache
    ) async throws -> NoticeIdentifier? {
        guard case .number(let number)? = entry["contract"]?["version"], let version = number.intValue,
            let method = entry["method"]?.stringValue,
            let operation = entry["operation"]?.stringValue,
            let subjectPath = try await paths.subjectPath(
                vendor: vendor,
                version: version,
                method: method,
                operation: operation,
                store: store,
                validator: validator
            )
        else { return nil }
        let atPath = received.filter { $0.path == subjectPath }
        guard let first = atPath.first, atPath.allSatisfy({ $0.action == first.action }) else { return nil }
        return paths.identifier(vendor: vendor, path: first.path, action: first.action, category: first.category) {
            guard let action = FieldAction(rawValue: first.action) else { return nil }
            let transformer = FieldTransformer(hashKey: keys.hashKey(forVendor: vendor))
            let category = first.category ?? ""
            let value: JSONValue?
            switch action {
            case .sent: value = .string(subject)
            case .hash: value = transformer.apply(.hash, to: .string(subject), category: category)
            case .mask: value = transformer.apply(.mask, to: .string(subject), category: category)
            case .generalize: value = transformer.apply(.generalize, to: .string(subject), category: category)
            case .removed: value = nil
            }
            return value?.stringValue.map { NoticeIdentifier(path: first.path, value: $0) }
        }
    }

    /// Whether `category` is `ancestor` or lies under it in the taxonomy's tree (`user.contact.email` under
    /// `user.contact`).
    static func category(_ category: String, isWithin ancestor: String) -> Bool {
        category == ancestor || category.hasPrefix(ancestor + ".")
    }
}

/// The subject path of each (vendor, agreement version, operation) as the log writes it (`@.user_id`), and
/// each identifier form, worked out once per request rather than once per entry.
struct SubjectPathCache {
    private var paths: [String: String?] = [:]
    private var agreements: [String: Agreement?] = [:]
    private var identifiers: [String: NoticeIdentifier?] = [:]

    mutating func identifier(
        vendor: String,
        path: String,
        action: String,
        category: String?,
        make: () -> NoticeIdentifier?
    ) -> NoticeIdentifier? {
        let key = "\(vendor)\n\(path)\n\(action)\n\(category ?? "")"
        if let known = identifiers[key] { return known }
        let made = make()
        identifiers[key] = made
        return made
    }

    mutating func subjectPath(
        vendor: String,
        version: Int,
        method: String,
        operation: String,
        store: any GatewayStore,
        validator: ContractValidator
    ) async throws -> String? {
        let key = "\(vendor)\n\(version)\n\(method)\n\(operation)"
        if let known = paths[key] { return known }
        let agreementKey = "\(vendor)\n\(version)"
        let agreement: Agreement?
        if let known = agreements[agreementKey] {
            agreement = known
        } else {
            agreement = try await store.xml(vendorID: vendor, version: version).flatMap { try? validator.validate($0) }
            agreements[agreementKey] = agreement
        }
        // The log writes a field's path as the data map spells it; the subject path is compared parsed, once.
        let path = agreement.flatMap { agreement -> String? in
            guard let operation = agreement.operation(method: method, path: operation), let subject = operation.subject
            else { return nil }
            return operation.fields.first { $0.path == subject }.map { $0.path.description } ?? subject.description
        }
        paths[key] = path
        return path
    }
}
