import CLibXML2
import Synchronization

/// A compiled XML Schema, built from text held by the binary (never from a location named in a document).
public final class XMLSchema: @unchecked Sendable {
    // Invariant: `schema` is written once in `init` and freed in `deinit`; libxml2 only reads a compiled
    // schema during validation, and validation contexts are made per call. The mutex serialises validations
    // anyway, because libxml2 2.9 keeps some validation state (IDC tables) reachable from the schema.
    private let schema: xmlSchemaPtr
    private let lock = Mutex(())

    /// Compiles `source` (the schema document's text).
    public init(source: String, name: String) throws(XMLDocumentError) {
        SafeXML.initialize()
        var bytes = Array(source.utf8)
        let collector = XMLErrorCollector()
        let compiled: xmlSchemaPtr? = bytes.withUnsafeMutableBufferPointer { buffer in
            collector.capture {
                buffer.withMemoryRebound(to: CChar.self) { chars -> xmlSchemaPtr? in
                    guard let context = xmlSchemaNewMemParserCtxt(chars.baseAddress, Int32(chars.count)) else {
                        return nil
                    }
                    defer { xmlSchemaFreeParserCtxt(context) }
                    return xmlSchemaParse(context)
                }
            }
        }
        guard let compiled else {
            throw XMLDocumentError(
                diagnostics: collector.diagnostics.isEmpty
                    ? [XMLDiagnostic(line: 0, message: "schema \(name) could not be compiled")]
                    : collector.diagnostics
            )
        }
        self.schema = compiled
    }

    deinit {
        xmlSchemaFree(schema)
    }

    /// Validates a parsed document; returns every violation.
    func validate(_ document: xmlDocPtr) -> [XMLDiagnostic] {
        lock.withLock { _ -> [XMLDiagnostic] in
            guard let context = xmlSchemaNewValidCtxt(schema) else {
                return [XMLDiagnostic(line: 0, message: "schema validation could not start")]
            }
            defer { xmlSchemaFreeValidCtxt(context) }
            let collector = XMLErrorCollector()
            let result = collector.capture(validation: context) {
                xmlSchemaValidateDoc(context, document)
            }
            if result == 0 { return [] }
            if collector.diagnostics.isEmpty {
                return [XMLDiagnostic(line: 0, message: "the document does not match the schema")]
            }
            return collector.diagnostics
        }
    }
}
