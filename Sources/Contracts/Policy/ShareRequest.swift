/// The facts of one outbound request that the policy needs, apart from its payload and consents.
public struct ShareRequest: Sendable {
    /// The HTTP method, upper case.
    public var method: String
    /// The vendor-relative path, e.g. `/events`.
    public var path: String
    /// The `Share-Purpose` header, when present.
    public var purpose: String?
    /// The calling service (from its client certificate).
    public var service: String
    /// `Sec-GPC: 1` was sent.
    public var globalPrivacyControl: Bool
    /// The `Share-Subject` header, when present.
    public var subject: String?
    public var now: Timestamp
    /// The most records a batch may hold.
    public var maxRecords: Int

    public init(
        method: String,
        path: String,
        purpose: String?,
        service: String,
        globalPrivacyControl: Bool = false,
        subject: String? = nil,
        now: Timestamp,
        maxRecords: Int = 10_000
    ) {
        self.method = method
        self.path = path
        self.purpose = purpose
        self.service = service
        self.globalPrivacyControl = globalPrivacyControl
        self.subject = subject
        self.now = now
        self.maxRecords = maxRecords
    }
}
