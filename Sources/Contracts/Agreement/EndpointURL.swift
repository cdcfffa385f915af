/// A vendor endpoint's base URL, parsed strictly: `scheme://host[:port][/path]`, nothing else.
public struct EndpointURL: Sendable, Hashable {
    public var scheme: String
    /// The host as written (IPv6 literals without brackets), lower-cased.
    public var host: String
    public var port: Int
    /// The base path without a trailing slash (`""` for the root).
    public var path: String

    /// Parses `text`; `nil` when it has user info, a query, a fragment, or anything unusual.
    public init?(_ text: String) {
        guard let schemeEnd = text.firstRange(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else { return nil }
        let rest = text[schemeEnd.upperBound...]
        guard
            !rest.contains(where: { $0 == "?" || $0 == "#" || $0 == "@" || $0 == "\\" || $0 == "%" || $0.isWhitespace })
        else { return nil }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        while path.hasSuffix("/") { path.removeLast() }
        if path.contains("//") || path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) {
            return nil
        }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
            guard IPAddress(String(host)) != nil else { return nil }
        } else {
            let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return nil }
            host = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
            guard !host.isEmpty, host.count <= 253,
                host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }),
                !host.hasPrefix("."), !host.hasPrefix("-"), !host.contains("..")
            else { return nil }
        }
        var port = scheme == "https" ? 443 : 80
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value), portText.allSatisfy(\.isNumber) else {
                return nil
            }
            port = value
        }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
        self.path = path
    }

    /// Whether the host is an IP literal, including the numeric forms resolvers accept (`2130706433`,
    /// `0x7f.1`): a host whose last label is numeric is never a DNS name.
    public var hostIsIPLiteral: Bool {
        if IPAddress(host) != nil { return true }
        let last = host.split(separator: ".").last.map(String.init) ?? host
        return last.allSatisfy(\.isNumber) || last.hasPrefix("0x")
    }

    /// Whether the host names this machine or a private network by name (`localhost`, `*.localhost`,
    /// `*.local`, `*.internal`), or is a private, loopback or link-local IP literal.
    public var hostIsPrivate: Bool {
        if let address = IPAddress(host) { return !address.isPublic }
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        return name == "localhost" || name.hasSuffix(".localhost") || name.hasSuffix(".local")
            || name.hasSuffix(".internal") || name.hasSuffix(".home.arpa")
    }
}
