import Contracts
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Rights requests: finds the recipients in the share log, stores the request, applies its effect on the
/// data plane, and delivers the notices (through ``RightsNotifier``).
public final class RightsService: Sendable {
    let store: any GatewayStore
    let finder: RecipientFinder
    let registry: ContractRegistry
    let consents: ConsentService
    let keys: GatewayKeys
    let shareLog: ShareLog
    let credentials: CredentialStore
    let settings: RightsSettings
    let logger: Logger
    public let blocks: SubjectBlockCache
    let wakeups: AsyncStream<Void>
    let wake: AsyncStream<Void>.Continuation

    init(
        store: any GatewayStore,
        registry: ContractRegistry,
        consents: ConsentService,
        keys: GatewayKeys,
        shareLog: ShareLog,
        credentials: CredentialStore,
        settings: RightsSettings,
        logger: Logger
    ) {
        self.store = store
        self.finder = RecipientFinder(store: store, validator: registry.validator, keys: keys)
        self.registry = registry
        self.consents = consents
        self.keys = keys
        self.shareLog = shareLog
        self.credentials = credentials
        self.settings = settings
        self.logger = logger
        self.blocks = SubjectBlockCache(store: store)
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// What a consent manager asks for.
    public struct Filing: Sendable {
        public var subject: String
        public var type: RightsRequestType
        public var purposes: [String]
        public var categories: [String]
        public var reference: String?
        public var principal: String

        public init(
            subject: String,
            type: RightsRequestType,
            purposes: [String] = [],
            categories: [String] = [],
            reference: String? = nil,
            principal: String
        ) {
            self.subject = subject
            self.type = type
            self.purposes = purposes
            self.categories = categories
            self.reference = reference
            self.principal = principal
        }
    }

    /// Files a request: recipients from the log, the request stored with them, then its effect. A second
    /// identical request while one is open returns that one (`created` false).
    public func file(
        _ filing: Filing,
        at now: Timestamp = .now()
    ) async throws -> (
        request: RightsRequest, created: Bool
    ) {
        let ref = keys.subjectRef(filing.subject)
        let found = try await finder.find(
            subject: filing.subject,
            ref: ref,
            type: filing.type,
            purposes: filing.purposes,
            categories: filing.categories
        )
        var recipients: [RightsRecipient] = []
        var identifiers: [String: [NoticeIdentifier]] = [:]
        for vendor in found {
            let active = try await registry.active(vendorID: vendor.vendor)
            let agreement = active?.compiled.agreement
            let rights = agreement?.rights
            let api =
                rights.map { $0.requestTypes.contains(filing.type.rawValue) } == true && !vendor.identifiers.isEmpty
            let days = rights?.respondWithinDays ?? 30
            recipients.append(
                RightsRecipient(
                    vendor: vendor.vendor,
                    channel: api ? .api : .manual,
                    respondBy: now.adding(seconds: days * 86_400),
                    contact: agreement?.vendor.contact ?? "",
                    contractID: active?.version.agreementID ?? "",
                    contractVersion: active?.version.version ?? 0,
                    endpoint: api ? rights?.endpoint : nil,
                    credential: api ? (rights?.credential ?? agreement?.endpoint.credential) : nil,
                    categories: vendor.categories.sorted(),
                    firstShared: vendor.first,
                    lastShared: vendor.last,
                    nextAttemptAt: api ? now : nil
                )
            )
            if api { identifiers[vendor.vendor] = vendor.identifiers }
        }
        let request = RightsRequest(
            id: UUID().uuidString.lowercased(),
            type: filing.type,
            subjectRef: ref,
            purposes: filing.purposes.uniquedByBytes(),
            categories: filing.categories.uniquedByBytes(),
            reference: filing.reference,
            createdAt: now,
            createdBy: filing.principal,
            recipients: recipients
        )
        let effect: RightsEffect
        switch filing.type {
        case .erasure: effect = .suppress
        case .restriction: effect = .restrict
        case .rectification, .objection: effect = .none
        }
        let stored = try await store.fileRightsRequest(request, identifiers: identifiers, effect: effect)
        blocks.invalidate()
        switch filing.type {
        case .erasure:
            // After the request and its recipients are stored; idempotent, so a repeated request finishes an
            // erasure that an earlier one could not.
            _ = try await consents.erase(subject: filing.subject)
        case .objection where stored.created:
            let withdrawals = filing.purposes.uniquedByBytes().map { purpose in
                ConsentRecord(
                    subject: filing.subject,
                    purpose: purpose,
                    vendor: ConsentRecord.allVendors,
                    status: .withdrawn,
                    givenAt: now,
                    source: "rights-request",
                    evidence: "rights request \(stored.request.id)"
                )
            }
            _ = try await consents.put(withdrawals, at: now)
        default:
            break
        }
        if stored.created {
            logger.info(
                "rights request filed",
                metadata: [
                    "request.id": "\(stored.request.id)", "request.type": "\(filing.type.rawValue)",
                    "request.recipients": "\(recipients.count)",
                ]
            )
            wake.yield()
        }
        return stored
    }

    /// Lifts a restriction; false when the subject was not restricted.
    public func liftRestriction(subject: String) async throws -> Bool {
        let lifted = try await store.liftRestriction(subjectRef: keys.subjectRef(subject))
        blocks.invalidate()
        return lifted
    }

    /// Confirms that a recipient acted on the request.
    public func confirm(
        requestID: String,
        vendor: String,
        by principal: String,
        note: String?
    ) async throws
        -> RightsRequest?
    {
        try await store.confirmRecipient(requestID: requestID, vendor: vendor, by: principal, note: note, at: .now())
    }

    /// The refusal for a share naming an erased or restricted subject, if any.
    func problem(forSubjects subjects: [String]) async throws -> ProblemDetails? {
        let blocks = try await self.blocks.blocks()
        guard !blocks.isEmpty else { return nil }
        var restricted = false
        for subject in subjects {
            let ref = keys.subjectRef(subject)
            if blocks.erased.contains(ref) {
                return ProblemDetails(
                    "subject-erased",
                    "a subject this request names asked for erasure; nothing was sent"
                )
            }
            if blocks.restricted.contains(ref) { restricted = true }
        }
        guard restricted else { return nil }
        return ProblemDetails(
            "processing-restricted",
            "a subject this request names asked for processing to be restricted; nothing was sent"
        )
    }

    // MARK: - Notices

    /// Delivers every notice due now, in the caller's task (the demo; `serve` runs ``RightsNotifier``).
    public func deliverDueNotices(upstream: UpstreamClient) async {
        await deliverDue(upstream: upstream, responseTimeoutSeconds: 30)
    }

    /// Delivers every notice due now; returns how many attempts were made.
    @discardableResult
    func deliverDue(upstream: UpstreamClient, responseTimeoutSeconds: Int) async -> Int {
        var attempts = 0
        while !Task.isCancelled {
            let now = Timestamp.now()
            let due: [DueNotice]
            do {
                due = try await store.claimDueNotices(
                    now: now,
                    leaseUntil: now.adding(seconds: responseTimeoutSeconds + 60),
                    limit: 16
                )
            } catch {
                logger.error("rights notices cannot be read", metadata: ["error": "\(error)"])
                return attempts
            }
            for notice in due {
                await deliver(notice, upstream: upstream)
                attempts += 1
            }
            if due.count < 16 { return attempts }
        }
        return attempts
    }

    func deliver(_ notice: DueNotice, upstream: UpstreamClient) async {
        let recipient = notice.recipient
        let started = ContinuousClock.now
        func record(_ status: Int?, _ error: String?) async {
            let now = Timestamp.now()
            let result: NoticeAttemptResult
            if let status, (200..<300).contains(status) {
                result = .notified(status: status)
            } else if now.epochMilliseconds - notice.createdAt.epochMilliseconds
                >= Int64(settings.retryWindowSeconds) * 1000
            {
                result = .failed(status: status, error: error ?? "http-\(status ?? 0)")
            } else {
                result = .retry(
                    status: status,
                    error: error ?? "http-\(status ?? 0)",
                    next: now.adding(seconds: settings.backoff(afterAttempt: recipient.attempts + 1))
                )
            }
            do {
                try await store.recordNoticeAttempt(
                    requestID: notice.requestID,
                    vendor: recipient.vendor,
                    result: result,
                    at: now
                )
            } catch {
                // The lease runs out and the notice is tried again.
                logger.error("rights notice attempt not recorded", metadata: ["error": "\(error)"])
            }
            logger.info(
                "rights notice attempt",
                metadata: [
                    "request.id": "\(notice.requestID)", "vendor.id": "\(recipient.vendor)",
                    "notice.status": "\(status.map(String.init) ?? "-")", "notice.error": "\(error ?? "-")",
                ]
            )
        }
        guard let endpointText = recipient.endpoint, let endpoint = EndpointURL(endpointText) else {
            await record(nil, "endpoint-invalid")
            return
        }
        var credential: String?
        if let name = recipient.credential {
            guard let value = credentials.credential(named: name) else {
                await record(nil, "credential-unavailable")
                return
            }
            credential = value
        }
        let noticeID = UUID().uuidString.lowercased()
        let contract: JSONValue = .object([
            JSONMember("id", .string(recipient.contractID)),
            JSONMember("version", .number(JSONNumber(recipient.contractVersion))),
        ])
        // Durable before it is sent.
        do {
            _ = try await shareLog.append(
                LogEntryDraft(
                    id: noticeID,
                    kind: .notice,
                    members: [
                        JSONMember("requestId", .string(notice.requestID)),
                        JSONMember("requestType", .string(notice.type.rawValue)),
                        JSONMember("vendor", .string(recipient.vendor)),
                        JSONMember("contract", contract),
                        JSONMember("subjectRefs", .array([.string(notice.subjectRef)])),
                        JSONMember("attempt", .number(JSONNumber(recipient.attempts + 1))),
                        JSONMember("upstreamStatus", .null),
                    ],
                    vendor: recipient.vendor,
                    subjectRefs: [notice.subjectRef]
                )
            )
        } catch {
            await record(nil, "log-unavailable")
            return
        }
        let body = JSONValue.object([
            JSONMember("requestId", .string(notice.requestID)),
            JSONMember("type", .string(notice.type.rawValue)),
            JSONMember("controller", .string(shareLog.origin)),
            JSONMember(
                "identifiers",
                .array(
                    notice.identifiers.map {
                        .object([JSONMember("path", .string($0.path)), JSONMember("value", .string($0.value))])
                    }
                )
            ),
            JSONMember("categories", .array(recipient.categories.map(JSONValue.string))),
            JSONMember("firstShared", .string(recipient.firstShared.rfc3339)),
            JSONMember("lastShared", .string(recipient.lastShared.rfc3339)),
            JSONMember("contract", contract),
            JSONMember("respondBy", .string(recipient.respondBy.rfc3339)),
        ])
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "user-agent", value: "vendor-gateway/1")
        if let credential { headers.add(name: "authorization", value: "Bearer \(credential)") }
        let request = UpstreamRequest(
            endpoint: endpoint,
            method: .POST,
            target: endpoint.path.isEmpty ? "/" : endpoint.path,
            headers: headers,
            body: ByteBuffer(bytes: JSONWriter.bytes(body))
        )
        var status: Int?
        var failure: String?
        do {
            let response = try await upstream.send(request)
            status = Int(response.status.code)
            if (300..<400).contains(response.status.code) { failure = "redirect-not-followed" }
        } catch let error as UpstreamError {
            failure = error.code.description
        } catch {
            failure = "protocol-error"
        }
        let outcome = LogEntryDraft(
            id: UUID().uuidString.lowercased(),
            kind: .outcome,
            members: [
                JSONMember("shareId", .string(noticeID)),
                JSONMember("vendor", .string(recipient.vendor)),
                JSONMember("upstreamStatus", status.map { .number(JSONNumber($0)) } ?? .null),
                JSONMember("error", failure.map(JSONValue.string) ?? .null),
                JSONMember("durationMs", .number(JSONNumber(Int((ContinuousClock.now - started).milliseconds)))),
            ],
            vendor: recipient.vendor,
            shareID: noticeID
        )
        do {
            _ = try await shareLog.append(outcome)
        } catch {
            logger.error("notice outcome not logged", metadata: ["vendor.id": "\(recipient.vendor)"])
        }
        await record(status, failure)
    }
}

extension Timestamp {
    func adding(seconds: Int) -> Timestamp {
        Timestamp(epochMilliseconds: epochMilliseconds + Int64(seconds) * 1000)
    }
}
