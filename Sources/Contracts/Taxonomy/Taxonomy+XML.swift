extension Taxonomy {
    /// The namespace of taxonomy documents.
    public static let namespace = "urn:vendor-gateway:taxonomy:1"

    /// The taxonomy built into the binary (a copy of `contracts/taxonomy.xml`).
    public static let builtIn: Taxonomy = {
        do {
            return try Taxonomy(xml: Array(EmbeddedResources.taxonomyXML.utf8))
        } catch {
            fatalError("the built-in taxonomy is invalid: \(error)")
        }
    }()

    static let schema: XMLSchema = {
        do {
            return try XMLSchema(source: EmbeddedResources.taxonomyXSD, name: "taxonomy.xsd")
        } catch {
            fatalError("the built-in taxonomy schema does not compile: \(error)")
        }
    }()

    /// Reads and checks a taxonomy document.
    public init(xml bytes: [UInt8]) throws(XMLDocumentError) {
        let root = try SafeXML.read(bytes, schema: Self.schema)
        var problems: [XMLDiagnostic] = []
        var categories: [DataCategory] = []
        var seen: Set<String> = []
        func visit(_ element: XMLElement, parent: DataCategory?) {
            let id = element[attribute: "id"] ?? ""
            let name = element[attribute: "name"] ?? id
            if let parent, !(id.hasPrefix(parent.id + ".") && !id.dropFirst(parent.id.count + 1).contains(".")) {
                problems.append(
                    XMLDiagnostic(line: element.line, message: "category `\(id)` must be `\(parent.id).<segment>`")
                )
            }
            if parent == nil, id.contains(".") {
                problems.append(XMLDiagnostic(line: element.line, message: "top-level category `\(id)` has a dot"))
            }
            if !seen.insert(id).inserted {
                problems.append(XMLDiagnostic(line: element.line, message: "category `\(id)` is defined twice"))
            }
            let ownSensitive = element[attribute: "sensitive"].map { $0 == "true" || $0 == "1" } ?? false
            let sensitive = (parent?.isSensitive ?? false) || ownSensitive
            let category = DataCategory(
                id: id,
                name: name,
                isSensitive: sensitive,
                sensitiveRoot: parent?.sensitiveRoot ?? (ownSensitive ? id : nil)
            )
            categories.append(category)
            for child in element.children("category") {
                visit(child, parent: category)
            }
        }
        for top in root.child("categories")?.children("category") ?? [] {
            visit(top, parent: nil)
        }
        if !seen.contains(DataCategory.personalRoot) {
            problems.append(XMLDiagnostic(line: root.line, message: "the taxonomy has no `user` category"))
        }
        var purposes: [Purpose] = []
        for element in root.child("purposes")?.children("purpose") ?? [] {
            let id = element[attribute: "id"] ?? ""
            guard let basis = LawfulBasis(rawValue: element[attribute: "basis"] ?? "") else {
                problems.append(XMLDiagnostic(line: element.line, message: "purpose `\(id)` has an unknown basis"))
                continue
            }
            let sale = element[attribute: "saleOrSharing"].map { $0 == "true" || $0 == "1" } ?? false
            purposes.append(
                Purpose(id: id, name: element[attribute: "name"] ?? id, basis: basis, isSaleOrSharing: sale)
            )
        }
        var subjects: [DataSubjectCategory] = []
        for element in root.child("dataSubjects")?.children("dataSubject") ?? [] {
            let id = element[attribute: "id"] ?? ""
            subjects.append(DataSubjectCategory(id: id, name: element[attribute: "name"] ?? id))
        }
        if !problems.isEmpty { throw XMLDocumentError(diagnostics: problems) }
        self.init(categories: categories, purposes: purposes, dataSubjects: subjects)
    }
}
