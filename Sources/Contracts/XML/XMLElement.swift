/// An element of a parsed, schema-valid XML document, detached from libxml2.
///
/// Only what the gateway's documents use is kept: element names, attributes, text and source lines.
public struct XMLElement: Sendable {
    /// The local name (without prefix).
    public var name: String
    /// The namespace URI, when the element has one.
    public var namespace: String?
    /// Attributes by local name. Attributes in other namespaces are not kept.
    public var attributes: [String: String]
    /// Child elements in document order.
    public var children: [XMLElement]
    /// The element's own text content (concatenated text and CDATA children), trimmed of surrounding white space.
    public var text: String
    /// The 1-based line the element starts on.
    public var line: Int

    public init(
        name: String,
        namespace: String? = nil,
        attributes: [String: String] = [:],
        children: [XMLElement] = [],
        text: String = "",
        line: Int = 0
    ) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
        self.text = text
        self.line = line
    }

    /// The first child element named `name`.
    public func child(_ name: String) -> XMLElement? {
        children.first { $0.name == name }
    }

    /// Every child element named `name`.
    public func children(_ name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }

    /// The attribute `name`.
    public subscript(attribute name: String) -> String? {
        attributes[name]
    }
}
