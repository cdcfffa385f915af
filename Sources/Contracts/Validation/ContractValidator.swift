/// Development settings that relax the endpoint checks (tests and local demos use them).
public struct ContractValidationOptions: Sendable, Hashable {
    /// Allow endpoints that are IP literals or private, loopback or link-local addresses.
    public var allowPrivateAddresses: Bool
    /// Allow `http://` endpoints.
    public var allowPlainHTTP: Bool

    public init(allowPrivateAddresses: Bool = false, allowPlainHTTP: Bool = false) {
        self.allowPrivateAddresses = allowPrivateAddresses
        self.allowPlainHTTP = allowPlainHTTP
    }
}

/// Reads an agreement and checks it for schema and meaning, reporting every problem at once.
public struct ContractValidator: Sendable {
    public var taxonomy: Taxonomy
    public var options: ContractValidationOptions

    public init(taxonomy: Taxonomy = .builtIn, options: ContractValidationOptions = .init()) {
        self.taxonomy = taxonomy
        self.options = options
    }

    /// The agreement in `bytes`, or every problem found in it.
    ///
    /// A document that breaks the schema is still read as far as it can be and checked for meaning, so one
    /// answer lists every error: a bad attribute does not hide a misspelt category elsewhere.
    public func validate(_ bytes: [UInt8]) throws(XMLDocumentError) -> Agreement {
        let (root, violations) = try SafeXML.readCollectingViolations(bytes, schema: Agreement.schema)
        guard root.name == "agreement", root.namespace == Agreement.namespace else {
            if !violations.isEmpty { throw XMLDocumentError(diagnostics: violations) }
            throw XMLDocumentError(line: root.line, "the root element must be `agreement` in \(Agreement.namespace)")
        }
        var reading: [XMLDiagnostic] = []
        let agreement = Agreement(element: root, problems: &reading)
        var meaning: [XMLDiagnostic] = []
        check(agreement, root: root, problems: &meaning)
        // What the model could not read (a date, a path) the schema usually reported on the same line already.
        let schemaLines = Set(violations.map(\.line))
        let problems = violations + reading.filter { !schemaLines.contains($0.line) } + meaning
        if !problems.isEmpty {
            throw XMLDocumentError(diagnostics: Self.ordered(problems))
        }
        return agreement
    }

    /// Problems by line, without exact repeats, in a stable order.
    static func ordered(_ problems: [XMLDiagnostic]) -> [XMLDiagnostic] {
        var seen: Set<String> = []
        var unique: [XMLDiagnostic] = []
        for problem in problems where seen.insert("\(problem.line)\u{0}\(problem.message)").inserted {
            unique.append(problem)
        }
        return unique.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
    }

    func check(_ agreement: Agreement, root: XMLElement, problems: inout [XMLDiagnostic]) {
        func problem(_ line: Int, _ message: String, _ hint: String? = nil) {
            problems.append(XMLDiagnostic(line: line, message: message, hint: hint))
        }
        func checkCategory(_ ref: String, _ line: Int) {
            guard taxonomy.category(ref) == nil else { return }
            problem(
                line,
                "unknown category `\(ref)`",
                taxonomy.suggestCategory(for: ref).map { "did you mean `\($0)`?" }
            )
        }
        /// The https and address rules every vendor URL (shares, rights notices) follows.
        func checkVendorURL(_ text: String, what: String, invalid: String, line: Int) {
            guard let url = EndpointURL(text) else {
                problem(
                    line,
                    "\(what) `\(text)` is not \(invalid)",
                    "write `https://host[:port][/path]` without user info, query or fragment"
                )
                return
            }
            if url.scheme != "https", !options.allowPlainHTTP {
                problem(line, "\(what) `\(text)` is not https", "vendors are reached over TLS only")
            }
            if url.hostIsIPLiteral || url.hostIsPrivate, !options.allowPrivateAddresses {
                problem(
                    line,
                    "\(what) host `\(url.host)` is an IP literal or a private, loopback or link-local address",
                    "use the vendor's DNS name; local hosts are allowed only with upstream.allowPrivateAddresses"
                )
            }
        }
        let termLine = root.child("term")?.line ?? root.line
        if agreement.term.effective > agreement.term.expires {
            problem(
                termLine,
                "`effective` (\(agreement.term.effective)) is after `expires` (\(agreement.term.expires))"
            )
        }
        for subject in agreement.dataSubjects where taxonomy.dataSubjects[subject] == nil {
            problem(root.child("dataSubjects")?.line ?? root.line, "unknown data-subject category `\(subject)`")
        }

        // Purposes and their categories.
        var seenPurposes: Set<String> = []
        let prohibitedElements = root.child("processing")?.children("prohibited") ?? []
        for grant in agreement.purposes {
            if !seenPurposes.insert(grant.ref).inserted {
                problem(grant.line, "purpose `\(grant.ref)` is listed twice")
            }
            guard let purpose = taxonomy.purpose(grant.ref) else {
                problem(
                    grant.line,
                    "unknown purpose `\(grant.ref)`",
                    taxonomy.suggestPurpose(for: grant.ref).map { "did you mean `\($0)`?" }
                )
                continue
            }
            let basis = grant.basis ?? purpose.basis
            if purpose.isSaleOrSharing, basis != .consent {
                problem(
                    grant.line,
                    "purpose `\(grant.ref)` is sale or sharing and needs consent, not `\(basis.rawValue)`",
                    "remove the basis attribute or set basis=\"consent\""
                )
            }
            var seenCategories: Set<String> = []
            for category in grant.categories {
                checkCategory(category.ref, category.line)
                if !seenCategories.insert(category.ref).inserted {
                    problem(category.line, "category `\(category.ref)` is listed twice for `\(grant.ref)`")
                }
                if basis != .consent, taxonomy.mayContainSensitive(category.ref) {
                    problem(
                        category.line,
                        "special category `\(category.ref)` under basis `\(basis.rawValue)`",
                        "GDPR Art. 9 data needs explicit consent: use basis=\"consent\""
                    )
                }
                for prohibited in agreement.prohibited where DataCategory.overlaps(category.ref, prohibited) {
                    problem(
                        category.line,
                        "category `\(category.ref)` is both allowed and prohibited (`\(prohibited)`)"
                    )
                }
            }
        }
        for element in prohibitedElements {
            checkCategory(element[attribute: "ref"] ?? "", element.line)
        }

        // Endpoint.
        let endpoint = agreement.endpoint
        checkVendorURL(endpoint.baseURL, what: "endpoint", invalid: "a valid base URL", line: endpoint.line)
        if endpoint.allowedServices.isEmpty {
            problem(endpoint.line, "the endpoint allows no service")
        }

        // Rights notices: the same https and address rules as the endpoint.
        if let rights = agreement.rights {
            checkVendorURL(rights.endpoint, what: "rights endpoint", invalid: "a valid URL", line: rights.line)
            if !(1...90).contains(rights.respondWithinDays) {
                problem(rights.line, "`respondWithinDays` must be 1 to 90 (GDPR Art. 12(3): one month, up to three)")
            }
            var seenTypes: Set<Identifier> = []
            for type in rights.requestTypes {
                if !Agreement.Rights.knownRequestTypes.contains(type) {
                    problem(
                        rights.line,
                        "unknown rights request type `\(type)`",
                        "the types are erasure, rectification, restriction and objection"
                    )
                } else if !seenTypes.insert(Identifier(type)).inserted {
                    problem(rights.line, "rights request type `\(type)` is listed twice")
                }
            }
            if rights.requestTypes.isEmpty {
                problem(rights.line, "`rights` lists no request type")
            }
        }

        // Data map.
        var seenOperations: Set<String> = []
        for operation in agreement.operations {
            let key = "\(operation.method) \(operation.path)"
            if !seenOperations.insert(key).inserted {
                problem(operation.line, "operation `\(key)` is declared twice")
            }
            if !Self.isCleanOperationPath(operation.path) {
                problem(
                    operation.line,
                    "operation path `\(operation.path)` is malformed",
                    "use `/segment/segment` without `.`/`..` segments, `//`, `%`, `?` or `#`"
                )
            }
            if let records = operation.records {
                if records.root != .body || records.segments.last != .everyElement
                    || records.segments.dropLast().contains(.everyElement)
                {
                    problem(operation.line, "records path `\(records)` must be `$.name[*]` (one array in the body)")
                }
            }
            if let subject = operation.subject {
                if subject.segments.contains(.everyElement) || subject.segments.isEmpty {
                    problem(operation.line, "subject path `\(subject)` must name one member, e.g. `@.user_id`")
                }
                if operation.records != nil, subject.root == .body {
                    problem(operation.line, "subject path `\(subject)` must start with `@` in a batched operation")
                }
            }
            var seenPaths: Set<DataPath> = []
            for field in operation.fields {
                checkCategory(field.category, field.line)
                let normalized = operation.records == nil ? field.path.anchoredAtBody : field.path
                if !seenPaths.insert(normalized).inserted {
                    problem(field.line, "field path `\(field.path)` is mapped twice")
                }
                if field.path.segments.isEmpty {
                    problem(field.line, "field path `\(field.path)` must name a member")
                }
                for other in operation.fields where other.path != field.path {
                    let otherNormalized = operation.records == nil ? other.path.anchoredAtBody : other.path
                    if otherNormalized.root == normalized.root,
                        otherNormalized.segments.count < normalized.segments.count,
                        Self.isPrefix(otherNormalized.segments[...], of: normalized.segments)
                    {
                        problem(field.line, "field `\(field.path)` lies inside mapped field `\(other.path)`")
                    }
                }
                if let records = operation.records, field.path.root == .body,
                    Self.isPrefix(records.segments.dropLast(), of: field.path.segments)
                {
                    problem(field.line, "field `\(field.path)` lies inside the records; write it relative to `@`")
                }
            }
            var seenQueries: Set<String> = []
            for query in operation.queries {
                checkCategory(query.category, query.line)
                if !seenQueries.insert(query.name).inserted {
                    problem(query.line, "query parameter `\(query.name)` is mapped twice")
                }
            }
        }
    }

    static func isCleanOperationPath(_ path: String) -> Bool {
        guard path.hasPrefix("/"), path.count <= 512 else { return false }
        if path == "/" { return true }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        return segments.allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".."
                && segment.utf8.allSatisfy { byte in
                    byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "%") && byte != UInt8(ascii: "?")
                        && byte != UInt8(ascii: "#") && byte != UInt8(ascii: "\\")
                }
        }
    }

    static func isPrefix(_ prefix: ArraySlice<DataPath.Segment>, of segments: [DataPath.Segment]) -> Bool {
        segments.count >= prefix.count && zip(prefix, segments).allSatisfy { $0 == $1 }
    }
}
