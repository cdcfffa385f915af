import HTTPTypes
import Hummingbird

/// One admin-API route: method, path pattern (`{name}` for parameters), who may call it, and its handler.
/// The table is data, so the OpenAPI document can be checked against it.
public struct AdminRoute: Sendable {
    public typealias Handler = @Sendable (Request, AdminRequestContext) async throws -> Response

    public var method: HTTPRequest.Method
    /// The path as OpenAPI writes it, e.g. `/v1/vendors/{id}/approve`.
    public var path: String
    /// Roles allowed; empty means no token is needed.
    public var roles: Set<Role>
    var handler: Handler

    public init(_ method: HTTPRequest.Method, _ path: String, roles: Set<Role>, _ handler: @escaping Handler) {
        self.method = method
        self.path = path
        self.roles = roles
        self.handler = handler
    }

    /// The method's name (`GET`).
    public var methodName: String { method.rawValue }

    /// The path in Hummingbird's syntax (`:name`; a last `{name*}` takes the rest of the path, `**`).
    var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            if segment.hasPrefix("{") && segment.hasSuffix("*}") { return "**" }
            return segment.hasPrefix("{") && segment.hasSuffix("}")
                ? ":" + segment.dropFirst().dropLast() : String(segment)
        }.joined(separator: "/")
    }
}
