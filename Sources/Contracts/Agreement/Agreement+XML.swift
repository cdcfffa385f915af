extension Agreement {
    /// The namespace of agreement documents.
    public static let namespace = "urn:vendor-gateway:dpa:1"

    /// The compiled DPA schema (a copy of `contracts/dpa.xsd` built into the binary).
    public static let schema: XMLSchema = {
        do {
            return try XMLSchema(source: EmbeddedResources.dpaXSD, name: "dpa.xsd")
        } catch {
            fatalError("the built-in DPA schema does not compile: \(error)")
        }
    }()

    /// Builds the model from a schema-valid document. Problems the schema cannot see (dates, paths) are
    /// appended to `problems`; the meaning checks in `ContractValidator` come after.
    init(element root: XMLElement, problems: inout [XMLDiagnostic]) {
        func date(_ element: XMLElement?, _ name: String) -> CivilDate {
            let text = element?[attribute: name] ?? ""
            if let date = CivilDate(text) { return date }
            problems.append(
                XMLDiagnostic(line: element?.line ?? root.line, message: "`\(name)` is not a date (YYYY-MM-DD)")
            )
            return CivilDate(year: 1970, month: 1, day: 1)!
        }
        func integer(_ element: XMLElement?, _ name: String) -> Int {
            Int(element?[attribute: name] ?? "") ?? 0
        }
        func path(_ text: String?, _ line: Int, _ what: String) -> DataPath? {
            guard let text else { return nil }
            if let path = DataPath(text) { return path }
            problems.append(
                XMLDiagnostic(
                    line: line,
                    message: "malformed \(what) path `\(text)`",
                    hint: "paths are `$` or `@` followed by `.name` and `[*]` segments, e.g. `@.email`"
                )
            )
            return nil
        }

        id = root[attribute: "id"] ?? ""
        version = Int(root[attribute: "version"] ?? "") ?? 0
        let vendorElement = root.child("vendor")
        vendor = Vendor(
            id: vendorElement?[attribute: "id"] ?? "",
            name: vendorElement?[attribute: "name"] ?? "",
            country: vendorElement?[attribute: "country"] ?? "",
            contact: vendorElement?[attribute: "contact"] ?? ""
        )
        subjectMatter = root.child("subjectMatter")?.text
        let termElement = root.child("term")
        term = Term(effective: date(termElement, "effective"), expires: date(termElement, "expires"))
        let vettingElement = root.child("vetting")
        vetting = Vetting(
            assessedOn: date(vettingElement, "assessedOn"),
            riskTier: vettingElement?[attribute: "riskTier"] ?? "",
            certifications: vettingElement?.children("certification").map(\.text) ?? [],
            securityMeasures: vettingElement?.children("securityMeasure").map(\.text) ?? []
        )
        dataSubjects = root.child("dataSubjects")?.children("dataSubject").compactMap { $0[attribute: "ref"] } ?? []
        let processing = root.child("processing")
        purposes = (processing?.children("purpose") ?? []).map { purpose in
            PurposeGrant(
                ref: purpose[attribute: "ref"] ?? "",
                basis: purpose[attribute: "basis"].flatMap(LawfulBasis.init(rawValue:)),
                categories: purpose.children("category").map { category in
                    CategoryGrant(
                        ref: category[attribute: "ref"] ?? "",
                        transform: category[attribute: "transform"].flatMap(Transform.init(rawValue:)),
                        line: category.line
                    )
                },
                line: purpose.line
            )
        }
        prohibited = (processing?.children("prohibited") ?? []).compactMap { $0[attribute: "ref"] }
        retentionDays = integer(root.child("retention"), "days")
        deletion = root.child("deletion").map {
            Deletion(onTermination: $0[attribute: "onTermination"] ?? "", withinDays: integer($0, "withinDays"))
        }
        let transfersElement = root.child("transfers")
        transfers = Transfers(
            regions: transfersElement?.children("region").map(\.text) ?? [],
            mechanisms: transfersElement?.children("mechanism").map(\.text) ?? []
        )
        subprocessors = (root.child("subprocessors")?.children("subprocessor") ?? []).map {
            Subprocessor(
                name: $0[attribute: "name"] ?? "",
                country: $0[attribute: "country"] ?? "",
                service: $0[attribute: "service"] ?? ""
            )
        }
        let breach = root.child("breachNotification")
        breachNotification = BreachNotification(
            hours: integer(breach, "hours"),
            contact: breach?[attribute: "contact"] ?? ""
        )
        auditRights = root.child("auditRights").map {
            AuditRights(noticeDays: integer($0, "noticeDays"), onSite: $0[attribute: "onSite"] == "true")
        }
        let endpointElement = root.child("endpoint")
        endpoint = Endpoint(
            baseURL: endpointElement?[attribute: "baseURL"] ?? "",
            credential: endpointElement?[attribute: "credential"],
            allowedServices: endpointElement?.children("allowedService").map(\.text) ?? [],
            line: endpointElement?.line ?? root.line
        )
        rights = root.child("rights").map { element in
            Rights(
                endpoint: element[attribute: "endpoint"] ?? "",
                credential: element[attribute: "credential"],
                respondWithinDays: Int(element[attribute: "respondWithinDays"] ?? "30") ?? 0,
                requestTypes: element.children("request").compactMap { $0[attribute: "type"] },
                line: element.line
            )
        }
        var operations: [Operation] = []
        for element in root.child("dataMap")?.children("operation") ?? [] {
            let fields = element.children("field").compactMap { field -> FieldMapping? in
                guard let fieldPath = path(field[attribute: "path"], field.line, "field") else { return nil }
                return FieldMapping(path: fieldPath, category: field[attribute: "category"] ?? "", line: field.line)
            }
            let queries = element.children("query").map { query in
                QueryMapping(
                    name: query[attribute: "name"] ?? "",
                    category: query[attribute: "category"] ?? "",
                    line: query.line
                )
            }
            operations.append(
                Operation(
                    method: element[attribute: "method"] ?? "",
                    path: element[attribute: "path"] ?? "",
                    records: path(element[attribute: "records"], element.line, "records"),
                    subject: path(element[attribute: "subject"], element.line, "subject"),
                    fields: fields,
                    queries: queries,
                    line: element.line
                )
            )
        }
        self.operations = operations
    }
}
