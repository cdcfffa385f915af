import CLibXML2

/// Collects libxml2's structured errors during one synchronous call.
///
/// libxml2 keeps its error handler in per-thread state, so the handler is installed and removed around
/// the call on the same thread; never hold it across an `await`.
final class XMLErrorCollector {
    private(set) var diagnostics: [XMLDiagnostic] = []
    private let limit = 50

    func capture<T>(_ body: () -> T) -> T {
        let context = Unmanaged.passUnretained(self).toOpaque()
        xmlSetStructuredErrorFunc(context, xmlErrorCollectorHandler)
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        return body()
    }

    func capture<T>(validation context: xmlSchemaValidCtxtPtr, _ body: () -> T) -> T {
        let me = Unmanaged.passUnretained(self).toOpaque()
        xmlSchemaSetValidStructuredErrors(context, xmlErrorCollectorHandler, me)
        return capture(body)
    }

    fileprivate func record(line: Int, message: String) {
        guard diagnostics.count < limit else { return }
        let diagnostic = XMLDiagnostic(line: line, message: message)
        if diagnostics.last != diagnostic {
            diagnostics.append(diagnostic)
        }
    }
}

private func xmlErrorCollectorHandler(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let context, let error else { return }
    let collector = Unmanaged<XMLErrorCollector>.fromOpaque(context).takeUnretainedValue()
    var message = error.pointee.message.map { String(cString: $0) } ?? "XML error"
    while message.last == "\n" || message.last == " " { message.removeLast() }
    collector.record(line: Int(error.pointee.line), message: message)
}
