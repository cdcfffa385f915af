/// Why a request to a vendor failed. Descriptions hold no payload or header value.
public struct UpstreamError: Error, Sendable, CustomStringConvertible, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let value: String
        private init(_ value: String) { self.value = value }

        /// The vendor could not be reached (DNS, refused, reset).
        public static let unreachable = Code("unreachable")
        /// The vendor host resolves to a private, loopback or link-local address.
        public static let privateAddress = Code("private-address")
        /// The TLS handshake failed (untrusted or expired certificate, wrong name, old protocol).
        public static let tls = Code("tls")
        /// Connecting or answering took longer than the deadline.
        public static let timeout = Code("timeout")
        /// The vendor's answer was not valid HTTP/1.1, or ended early.
        public static let protocolError = Code("protocol")
        /// The vendor's answer was larger than the gateway accepts.
        public static let tooLarge = Code("too-large")

        public var description: String { value }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func == (lhs: UpstreamError, rhs: UpstreamError) -> Bool { lhs.code == rhs.code }
}
