/// One problem found in a document: where it is, what is wrong, and how to fix it when we can tell.
public struct XMLDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line, or 0 when the problem has no place in the document (e.g. the document is too large).
    public var line: Int
    public var message: String
    public var hint: String?

    public init(line: Int, message: String, hint: String? = nil) {
        self.line = line
        self.message = message
        self.hint = hint
    }

    public var description: String {
        if let hint { return "\(line): error: \(message) (\(hint))" }
        return "\(line): error: \(message)"
    }

    /// The compiler-style form, `file:line: error: message`.
    public func formatted(file: String) -> String {
        var text = "\(file):\(line): error: \(message)"
        if let hint { text += "; \(hint)" }
        return text
    }
}
