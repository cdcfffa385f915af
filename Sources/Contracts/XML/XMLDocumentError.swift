/// A document that could not be read or does not match its schema, with every problem found.
public struct XMLDocumentError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [XMLDiagnostic]

    public init(diagnostics: [XMLDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public init(line: Int = 0, _ message: String, hint: String? = nil) {
        self.diagnostics = [XMLDiagnostic(line: line, message: message, hint: hint)]
    }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
