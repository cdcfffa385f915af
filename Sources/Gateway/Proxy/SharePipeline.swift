import Contracts
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Everything the data plane does with one request, in order: check it, find the contract, inspect the
/// payload, decide, log durably, forward, log the outcome, answer.
///
/// Fail closed at every step: a step that cannot complete refuses the request, and the refusal is logged
/// like a share. Nothing reaches a vendor before its share entry is durable.
public final class SharePipeline: Sendable {
    public struct Dependencies: Sendable {
        public var registry: ContractRegistry
        public var consents: ConsentCache
        public var rights: RightsService
        public var shareLog: ShareLog
        public var upstream: UpstreamClient
        public var keys: GatewayKeys
        public var credentials: CredentialStore
        public var limits: GatewayLimits
        public var metrics: GatewayMetrics
        public var logger: Logger

        public init(
            registry: ContractRegistry,
            consents: ConsentCache,
            rights: RightsService,
            shareLog: ShareLog,
            upstream: UpstreamClient,
            keys: GatewayKeys,
            credentials: CredentialStore,
            limits: GatewayLimits,
            metrics: GatewayMetrics,
            logger: Logger
        ) {
            self.registry = registry
            self.consents = consents
            self.rights = rights
            self.shareLog = shareLog
            self.upstream = upstream
            self.keys = keys
            self.credentials = credentials
            self.limits = limits
            self.metrics = metrics
            self.logger = logger
        }
    }

    let dependencies: Dependencies
    let decoder: PayloadDecoder
    let entries: ShareEntryBuilder
    let limiter: VendorConcurrencyLimiter

    public init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
        self.decoder = PayloadDecoder(limits: dependencies.limits)
        self.entries = ShareEntryBuilder(keys: dependencies.keys)
        self.limiter = VendorConcurrencyLimiter(limit: dependencies.limits.maxConcurrencyPerVendor)
    }

    static let allowedMethods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    /// Handles one request.
    public func handle(_ request: ProxyRequest) async -> ProxyResponse {
        let started = ContinuousClock.now
        let head = request.head
        var facts = ShareEntryBuilder.Facts(
            shareID: Self.newID(),
            service: request.service,
            method: Self.loggedMethod(head.method)
        )
        if let problem = HeadCheck.problem(head, limits: dependencies.limits) {
            return await refuse(facts, problem)
        }
        let target: RequestTarget
        do {
            target = try RequestTarget(parsing: head.uri)
        } catch {
            switch error {
            case .notAProxyPath:
                return await refuse(
                    facts,
                    ProblemDetails("path-invalid", "data-plane paths are /vendors/{vendorId}/{path}")
                )
            case .invalidPath(let why): return await refuse(facts, ProblemDetails("path-invalid", why))
            case .invalidQuery(let why): return await refuse(facts, ProblemDetails("malformed-query", why))
            }
        }
        // Only what matched the registry enters the entry, a metric label or a log line: the vendor id as
        // registered, the declared operation's path (never the client's raw path).
        let contract: ActiveContract
        do {
            guard let found = try await dependencies.registry.active(vendorID: target.vendorID) else {
                return await refuse(
                    facts,
                    ProblemDetails("vendor-unknown", "no agreement is registered for this vendor")
                )
            }
            contract = found
        } catch {
            dependencies.logger.error("contract lookup failed", metadata: ["error": "\(error)"])
            return await refuse(facts, ProblemDetails("unavailable", "the contract registry cannot be read"))
        }
        facts.contract = contract
        let vendorID = contract.compiled.vendorID
        facts.vendorID = vendorID
        let declaredOperation = contract.compiled.declaredOperationPath(method: head.method.rawValue, path: target.path)

        guard limiter.acquire(vendorID) else {
            return await refuse(facts, ProblemDetails("vendor-busy", "too many requests are in flight to this vendor"))
        }
        defer { limiter.release(vendorID) }

        // The share headers.
        let purposes = head.headers["share-purpose"]
        let subjects = head.headers["share-subject"]
        guard purposes.count <= 1, subjects.count <= 1 else {
            return await refuse(
                facts,
                ProblemDetails("header-invalid", "send Share-Purpose and Share-Subject at most once")
            )
        }
        let purpose = purposes.first?.trimmingASCIIWhitespace()
        if let purpose, let known = dependencies.registry.taxonomy.purpose(purpose) {
            facts.purpose = known.id
        }
        let subject = subjects.first?.trimmingASCIIWhitespace()
        if let subject, subject.isEmpty || subject.utf8.count > 256 {
            return await refuse(facts, ProblemDetails("header-invalid", "Share-Subject must be 1 to 256 bytes"))
        }
        let gpcValues = head.headers["sec-gpc"]
        facts.globalPrivacyControl = gpcValues.contains { $0.trimmingASCIIWhitespace() == "1" }

        // The payload.
        let payload: PayloadDecoder.Payload
        do {
            payload = try decoder.decode(headers: head.headers, body: Array(buffer: request.body))
        } catch {
            return await refuse(facts, error)
        }

        // Request-level policy, then consent, then the decision.
        let shareRequest = ShareRequest(
            method: head.method.rawValue,
            path: target.path,
            purpose: purpose,
            service: request.service,
            globalPrivacyControl: facts.globalPrivacyControl,
            subject: subject,
            now: .now(),
            maxRecords: dependencies.limits.maxRecords
        )
        let plan: SharePlan
        switch contract.compiled.plan(
            shareRequest,
            standing: contract.standing,
            body: payload.value,
            query: target.query
        ) {
        case .failure(let refusal):
            facts.operation = declaredOperation
            facts.namedSubjects = contract.compiled.subjects(
                method: head.method.rawValue,
                path: target.path,
                body: payload.value,
                headerSubject: subject
            )
            return await refuse(facts, ProblemDetails(refusal.code, refusal.detail))
        case .success(let value):
            plan = value
        }
        facts.operation = declaredOperation
        facts.recordsReceived = plan.recordCount
        // Rights requests: an erased or restricted subject's data does not leave, whatever the consent says.
        do {
            if let problem = try await dependencies.rights.problem(forSubjects: plan.subjects) {
                facts.namedSubjects = plan.subjects
                facts.unlinked = problem.code == "subject-erased"
                return await refuse(facts, problem)
            }
        } catch {
            dependencies.logger.error("rights blocks lookup failed", metadata: ["error": "\(error)"])
            facts.namedSubjects = plan.subjects
            return await refuse(
                facts,
                ProblemDetails("rights-unavailable", "erased and restricted subjects cannot be checked right now")
            )
        }
        let consents: [ConsentRecord]
        do {
            consents = try await dependencies.consents.records(subjects: plan.subjects)
        } catch {
            dependencies.logger.error("consent lookup failed", metadata: ["error": "\(error)"])
            return await refuse(facts, ProblemDetails("consent-unavailable", "consent cannot be checked right now"))
        }
        let transformer = FieldTransformer(hashKey: dependencies.keys.hashKey(forVendor: vendorID))
        let decision = plan.decide(consents: consents, transformer: transformer)
        facts.decision = decision
        if let refusal = decision.refusal {
            return await refuse(facts, ProblemDetails(refusal.code, refusal.detail))
        }

        // The vendor's credential, injected by the gateway.
        var credential: String?
        if let name = contract.compiled.agreement.endpoint.credential {
            guard let value = dependencies.credentials.credential(named: name) else {
                return await refuse(
                    facts,
                    ProblemDetails("credential-unavailable", "the vendor credential `\(name)` is not configured")
                )
            }
            credential = value
        }

        // Durable before the first byte leaves.
        do {
            _ = try await dependencies.shareLog.append(entries.draft(facts))
        } catch {
            dependencies.logger.error(
                "share not logged; not sent",
                metadata: ["vendor.id": "\(vendorID)", "error": "\(error)"]
            )
            dependencies.metrics.countRequest(vendor: vendorID, decision: "log-unavailable")
            return ProxyResponse(
                problem: ProblemDetails(
                    "log-unavailable",
                    "the share log cannot record this share, so nothing was sent"
                )
            )
        }
        dependencies.metrics.countDecision(vendor: vendorID, decision: decision)

        let upstreamRequest = makeUpstreamRequest(
            contract: contract,
            target: target,
            head: head,
            payload: payload,
            decision: decision,
            credential: credential
        )
        let upstreamStarted = ContinuousClock.now
        let result: Result<UpstreamResponse, UpstreamError>
        do {
            result = .success(try await dependencies.upstream.send(upstreamRequest))
        } catch let error as UpstreamError {
            result = .failure(error)
        } catch {
            result = .failure(UpstreamError(.protocolError, "the exchange with the vendor failed"))
        }
        let upstreamDuration = ContinuousClock.now - upstreamStarted
        dependencies.metrics.recordUpstream(vendor: vendorID, duration: upstreamDuration)
        let outcome = entries.outcome(
            shareID: facts.shareID,
            outcomeID: Self.newID(),
            vendorID: vendorID,
            status: (try? result.get().status.code).map { Int($0) },
            error: result.failureDescription,
            durationMs: Int((ContinuousClock.now - started).milliseconds)
        )
        // The outcome is logged alongside the answer, not before it: the share entry was already durable
        // before anything left; the service need not wait for a second commit. (A stopping log still commits
        // what was handed to it.)
        let shareLog = dependencies.shareLog
        let logger = dependencies.logger
        Task {
            do {
                _ = try await shareLog.append(outcome)
            } catch {
                logger.error("outcome not logged", metadata: ["vendor.id": "\(vendorID)", "error": "\(error)"])
            }
        }
        return response(result, facts: facts, decision: decision)
    }

    /// Refuses a request before it was whole (limits, deadlines, unreadable HTTP).
    public func refuse(service: String, head: HTTPRequestHead, _ problem: ProblemDetails) async -> ProxyResponse {
        var facts = ShareEntryBuilder.Facts(
            shareID: Self.newID(),
            service: service,
            method: Self.loggedMethod(head.method)
        )
        // The path is the client's text: the entry names the vendor only when the registry knows it.
        if let target = try? RequestTarget(parsing: head.uri),
            let contract = try? await dependencies.registry.active(vendorID: target.vendorID)
        {
            facts.vendorID = contract.compiled.vendorID
        }
        return await refuse(facts, problem)
    }

    /// Logs a refusal and answers with its problem (with the entry's id), or `log-unavailable`.
    func refuse(_ facts: ShareEntryBuilder.Facts, _ problem: ProblemDetails) async -> ProxyResponse {
        var facts = facts
        facts.problem = problem
        var problem = problem
        do {
            _ = try await dependencies.shareLog.append(entries.draft(facts))
            problem.shareID = facts.shareID
        } catch {
            dependencies.logger.error("refusal not logged", metadata: ["error": "\(error)"])
            problem = ProblemDetails("log-unavailable", "the share log cannot record this request, so nothing was sent")
        }
        dependencies.metrics.countRequest(vendor: facts.vendorID ?? "unknown", decision: "refused")
        dependencies.logger.info(
            "share refused",
            metadata: [
                "vendor.id": "\(facts.vendorID ?? "-")", "share.reason": "\(problem.code)",
                "share.id": "\(facts.shareID)",
            ]
        )
        return ProxyResponse(
            problem: problem,
            close: problem.status == 408 || problem.status == 413 || problem.status == 431
        )
    }

    /// The method as logged: a method the HTTP parser knows by name; anything else (client text) as `INVALID`.
    static func loggedMethod(_ method: HTTPMethod) -> String {
        if case .RAW = method { return "INVALID" }
        return method.rawValue
    }

    static func newID() -> String {
        UUID().uuidString.lowercased()
    }
}

extension Result where Failure == UpstreamError {
    var failureDescription: String? {
        if case .failure(let error) = self { return error.code.description }
        return nil
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
