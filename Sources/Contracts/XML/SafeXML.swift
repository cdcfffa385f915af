import CLibXML2
import Synchronization

/// Reads XML with libxml2, safe by construction.
///
/// - No network (`XML_PARSE_NONET`), no entity substitution (`XML_PARSE_NOENT` is never set), no DTD loading,
///   no XInclude processing, no `XML_PARSE_HUGE`; a deny-all external entity loader closes the remaining doors.
/// - A document with a DOCTYPE (and so with entity declarations) is refused before libxml2 sees it.
/// - Only UTF-8 is read; the size is bounded before parsing; libxml2's own depth limit (256) applies.
/// - Validation uses a schema compiled from text held by the binary; `xsi:schemaLocation` hints are refused.
public enum SafeXML {
    /// The largest document read, in bytes.
    public static let defaultMaxBytes = 1 << 20

    /// How many times libxml2 asked to load an external resource (always refused). Tests read it.
    static let externalLoadAttempts = Atomic<Int>(0)

    private static let initialized: Bool = {
        xmlInitParser()
        xmlSetExternalEntityLoader(denyExternalEntity)
        return true
    }()

    static func initialize() {
        _ = initialized
    }

    static let parseOptions: Int32 = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_NOERROR.rawValue
    )

    /// Parses `bytes` and validates the result against `schema`.
    public static func read(
        _ bytes: [UInt8],
        schema: XMLSchema,
        maxBytes: Int = defaultMaxBytes
    ) throws(XMLDocumentError) -> XMLElement {
        initialize()
        try precheck(bytes, maxBytes: maxBytes)
        return try withParsedDocument(bytes) { document throws(XMLDocumentError) in
            try element(of: document, schema: schema)
        }
    }

    /// Parses with libxml2 and the safe options, without the pre-checks (tests use it to show that the
    /// parser itself loads nothing), and hands the document to `body` before freeing it.
    static func withParsedDocument<T>(
        _ bytes: [UInt8],
        _ body: (xmlDocPtr) throws(XMLDocumentError) -> T
    ) throws(XMLDocumentError) -> T {
        initialize()
        let collector = XMLErrorCollector()
        let parsed: xmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            collector.capture {
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    xmlReadMemory(chars.baseAddress, Int32(chars.count), "document.xml", "UTF-8", parseOptions)
                }
            }
        }
        guard let document = parsed else {
            throw XMLDocumentError(
                diagnostics: collector.diagnostics.isEmpty
                    ? [XMLDiagnostic(line: 0, message: "the document is not well-formed XML")]
                    : collector.diagnostics
            )
        }
        defer { xmlFreeDoc(document) }
        return try body(document)
    }

    /// Parses `bytes` and validates the result against `schema`, returning the tree with the schema's
    /// violations rather than throwing them, so that checks of meaning can still run on what could be read.
    /// Everything that makes a document unsafe or unreadable (size, encoding, DOCTYPE, entities, not
    /// well-formed) still throws.
    public static func readCollectingViolations(
        _ bytes: [UInt8],
        schema: XMLSchema,
        maxBytes: Int = defaultMaxBytes
    ) throws(XMLDocumentError) -> (root: XMLElement, violations: [XMLDiagnostic]) {
        initialize()
        try precheck(bytes, maxBytes: maxBytes)
        return try withParsedDocument(bytes) { document throws(XMLDocumentError) in
            let root = try tree(of: document)
            return (root, schema.validate(document))
        }
    }

    static func element(of document: xmlDocPtr, schema: XMLSchema) throws(XMLDocumentError) -> XMLElement {
        let element = try tree(of: document)
        let violations = schema.validate(document)
        if !violations.isEmpty { throw XMLDocumentError(diagnostics: violations) }
        return element
    }

    /// The document's tree, refusing a DOCTYPE and anything the conversion cannot read.
    static func tree(of document: xmlDocPtr) throws(XMLDocumentError) -> XMLElement {
        if document.pointee.intSubset != nil || document.pointee.extSubset != nil {
            throw XMLDocumentError(line: 1, "a DOCTYPE is not allowed", hint: "remove the DOCTYPE declaration")
        }
        guard let root = xmlDocGetRootElement(document) else {
            throw XMLDocumentError("the document has no root element")
        }
        var problems: [XMLDiagnostic] = []
        let element = convert(root, problems: &problems)
        if !problems.isEmpty { throw XMLDocumentError(diagnostics: problems) }
        return element
    }

    /// Refusals that need no parser: size, encoding, DOCTYPE and entity declarations.
    static func precheck(_ bytes: [UInt8], maxBytes: Int) throws(XMLDocumentError) {
        if bytes.count > maxBytes {
            throw XMLDocumentError("the document is \(bytes.count) bytes; the limit is \(maxBytes)")
        }
        if bytes.isEmpty {
            throw XMLDocumentError("the document is empty")
        }
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.contains(0) {
            throw XMLDocumentError(line: 1, "the document is not UTF-8", hint: "save it as UTF-8")
        }
        var line = 1
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == 0x0A {
                line += 1
            } else if byte == UInt8(ascii: "<"), index + 2 < count, bytes[index + 1] == UInt8(ascii: "!") {
                if matches(bytes, at: index + 2, "DOCTYPE") || matches(bytes, at: index + 2, "ENTITY") {
                    throw XMLDocumentError(
                        line: line,
                        "DOCTYPE and entity declarations are not allowed",
                        hint: "remove the DOCTYPE; agreements use no entities"
                    )
                }
            }
            index += 1
        }
    }

    private static func matches(_ bytes: [UInt8], at start: Int, _ word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard start + length <= bytes.count else { return false }
        return word.withUTF8Buffer { wordBytes in
            for offset in 0..<length where bytes[start + offset] != wordBytes[offset] {
                return false
            }
            return true
        }
    }

    static let xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"
    static let xincludeNamespaces: Set<String> = ["http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude"]

    private static func convert(_ node: xmlNodePtr, problems: inout [XMLDiagnostic]) -> XMLElement {
        let line = Int(xmlGetLineNo(node))
        let namespace = node.pointee.ns.flatMap { $0.pointee.href.map { String(cString: $0) } }
        let name = String(cString: node.pointee.name)
        if let namespace, xincludeNamespaces.contains(namespace) {
            problems.append(XMLDiagnostic(line: line, message: "XInclude is not allowed"))
        }
        var attributes: [String: String] = [:]
        var attribute = node.pointee.properties
        while let current = attribute {
            let attributeName = String(cString: current.pointee.name)
            let attributeNamespace = current.pointee.ns.flatMap { $0.pointee.href.map { String(cString: $0) } }
            if attributeNamespace == xsiNamespace {
                problems.append(
                    XMLDiagnostic(
                        line: line,
                        message: "xsi:\(attributeName) is not allowed",
                        hint: "documents are validated against the gateway's built-in schema only"
                    )
                )
            } else if attributeNamespace == nil {
                attributes[attributeName] = textContent(of: current.pointee.children)
            }
            attribute = current.pointee.next
        }
        var children: [XMLElement] = []
        var text = ""
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                children.append(convert(current, problems: &problems))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { text += String(cString: content) }
            case XML_ENTITY_REF_NODE, XML_ENTITY_NODE, XML_XINCLUDE_START, XML_XINCLUDE_END:
                problems.append(XMLDiagnostic(line: Int(xmlGetLineNo(current)), message: "entities are not allowed"))
            default:
                break
            }
            child = current.pointee.next
        }
        return XMLElement(
            name: name,
            namespace: namespace,
            attributes: attributes,
            children: children,
            text: trimmed(text),
            line: line
        )
    }

    private static func textContent(of first: xmlNodePtr?) -> String {
        var text = ""
        var node = first
        while let current = node {
            if let content = current.pointee.content { text += String(cString: content) }
            node = current.pointee.next
        }
        return text
    }

    private static func trimmed(_ text: String) -> String {
        var scalars = Substring(text)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

/// Refuses every external entity, DTD or schema load.
private func denyExternalEntity(
    _ url: UnsafePointer<CChar>?,
    _ id: UnsafePointer<CChar>?,
    _ context: xmlParserCtxtPtr?
) -> xmlParserInputPtr? {
    SafeXML.externalLoadAttempts.add(1, ordering: .relaxed)
    return nil
}

extension SafeXML {
    /// The text content libxml2 itself gives for a document's root, skipping the pre-checks. Tests use it to
    /// show that the parser's own options keep external entities and DTDs out.
    static func rawRootText(_ bytes: [UInt8]) throws(XMLDocumentError) -> String {
        try withParsedDocument(bytes) { document throws(XMLDocumentError) in
            guard let root = xmlDocGetRootElement(document) else { return "" }
            // Entity references keep the entity (and whatever was loaded for it) as their children.
            func collect(_ first: xmlNodePtr?, depth: Int, into text: inout String) {
                guard depth < 64 else { return }
                var node = first
                while let current = node, text.utf8.count < 1 << 20 {
                    if let content = current.pointee.content { text += String(cString: content) }
                    collect(current.pointee.children, depth: depth + 1, into: &text)
                    node = current.pointee.next
                }
            }
            var text = ""
            collect(root.pointee.children, depth: 0, into: &text)
            return text
        }
    }
}
