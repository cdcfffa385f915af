import Contracts
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The admin API: procurement, consent and audit, each role its own calls. Every call is recorded (who,
/// which route, when, outcome) where auditors can read it.
public final class AdminAPI: Sendable {
    let runtime: GatewayRuntime
    let tokens: TokenService
    let cursors: CursorCodec
    let readiness: @Sendable () async -> [String: Bool]

    public init(runtime: GatewayRuntime, readiness: @escaping @Sendable () async -> [String: Bool] = { [:] }) {
        self.runtime = runtime
        self.tokens = TokenService(store: runtime.store)
        self.cursors = CursorCodec(key: runtime.keys.cursorKey)
        self.readiness = readiness
    }

    /// Every route, for the router and for the OpenAPI check.
    public var routes: [AdminRoute] {
        healthRoutes + vendorRoutes + consentRoutes + rightsRoutes + shareRoutes + logRoutes + reportRoutes
            + [previewRoute] + adminRoutes + consoleRoutes
    }

    /// The router with authentication, call recording and problem rendering.
    public func router() -> Router<AdminRequestContext> {
        let router = Router(context: AdminRequestContext.self)
        router.add(middleware: AdminCallMiddleware(api: self))
        for route in routes {
            let roles = route.roles
            let handler = route.handler
            let api = self
            _ = api
            router.on(RouterPath(route.routerPath), method: route.method) { request, context in
                if !roles.isEmpty {
                    if let failure = context.authenticationFailure { throw failure }
                    guard let principal = context.principal else {
                        throw ProblemDetails("unauthorized", "a bearer token is required")
                    }
                    guard roles.contains(principal.role) || principal.role == .admin else {
                        throw ProblemDetails("forbidden", "the `\(principal.role.rawValue)` role cannot call this")
                    }
                }
                return try await handler(request, context)
            }
        }
        return router
    }

    func authenticate(_ request: Request) async throws -> Principal? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw ProblemDetails("unauthorized", "use `Authorization: Bearer <token>`")
        }
        do {
            guard let principal = try await tokens.principal(for: String(parts[1])) else {
                throw ProblemDetails("unauthorized", "the token is unknown or revoked")
            }
            return principal
        } catch let problem as ProblemDetails {
            throw problem
        } catch {
            throw ProblemDetails("unavailable", "tokens cannot be checked right now")
        }
    }
}

/// Renders errors as problems and records every call.
struct AdminCallMiddleware: RouterMiddleware {
    typealias Context = AdminRequestContext
    let api: AdminAPI

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        do {
            context.principal = try await api.authenticate(request)
        } catch {
            context.authenticationFailure = Self.problem(for: error, logger: context.logger)
        }
        let principal = context.principal
        var response: Response
        var outcome = "ok"
        do {
            response = try await next(request, context)
        } catch {
            let problem = Self.problem(for: error, logger: context.logger)
            outcome = problem.code
            response = AdminResponses.problem(problem)
        }
        if request.uri.path == "/healthz" || request.uri.path == "/readyz" || request.uri.path == "/metrics" {
            return response
        }
        let call = AdminCallRecord(
            time: .now(),
            principal: principal?.name ?? "anonymous",
            role: principal?.role.rawValue ?? "none",
            method: request.method.rawValue,
            route: context.endpointPath ?? "unmatched",
            status: Int(response.status.code),
            outcome: outcome
        )
        do {
            try await api.runtime.store.recordCall(call)
        } catch {
            context.logger.error("admin call not recorded", metadata: ["error": "\(error)"])
            return AdminResponses.problem(
                ProblemDetails("unavailable", "the call cannot be recorded, so it is refused")
            )
        }
        return response
    }

    static func problem(for error: any Error, logger: Logger) -> ProblemDetails {
        switch error {
        case let problem as ProblemDetails:
            return problem
        case let storage as StorageError:
            switch storage.code {
            case .notFound: return ProblemDetails("not-found", storage.message)
            case .conflict: return ProblemDetails("conflict", storage.message)
            case .invalid: return ProblemDetails("invalid-request", storage.message)
            default:
                logger.error("storage failure", metadata: ["error": "\(storage)"])
                return ProblemDetails("unavailable", "the database cannot serve this right now")
            }
        case let http as HTTPError:
            if http.status == .notFound { return ProblemDetails("not-found", "no such route") }
            if http.status == .methodNotAllowed {
                return ProblemDetails("method-not-allowed", "the route does not take this method")
            }
            if http.status == .contentTooLarge {
                return ProblemDetails(code: "body-too-large", status: 413, detail: "the body is too large")
            }
            return ProblemDetails(
                code: "invalid-request",
                status: Int(http.status.code),
                detail: "the request cannot be served"
            )
        default:
            logger.error("admin API failure", metadata: ["error.type": "\(type(of: error))"])
            return ProblemDetails("internal", "the gateway failed to serve this request")
        }
    }
}
