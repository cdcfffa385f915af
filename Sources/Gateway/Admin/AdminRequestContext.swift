import Hummingbird
import Logging

/// The admin API's request context: the caller, once authenticated.
public struct AdminRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// Why the presented token was not accepted, when it was not.
    public var authenticationFailure: ProblemDetails?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { 1 << 20 }
}
