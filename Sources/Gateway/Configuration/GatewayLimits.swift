import Configuration

/// The data plane's limits. Hitting one is a clear problem response, never a crash or a hang.
///
/// Keys under `limits.`: `body.maxBytes` (1 MiB, the body as received), `body.maxDecodedBytes` (8 MiB, after
/// gzip), `body.maxRatio` (100, decoded/encoded), `json.maxDepth` (64), `headers.maxCount` (64),
/// `headers.maxBytes` (16 KiB), `headers.timeoutSeconds` (10), `body.timeoutSeconds` (30),
/// `upstream.connectTimeoutSeconds` (5), `upstream.responseTimeoutSeconds` (30), `vendor.maxConcurrency`
/// (64 requests in flight per vendor), `records.max` (10,000 per batch).
public struct GatewayLimits: Sendable, Hashable {
    public var maxBodyBytes: Int
    public var maxDecodedBodyBytes: Int
    public var maxCompressionRatio: Int
    public var maxJSONDepth: Int
    public var maxHeaderCount: Int
    public var maxHeaderBytes: Int
    public var headerTimeoutSeconds: Int
    public var bodyTimeoutSeconds: Int
    public var upstreamConnectTimeoutSeconds: Int
    public var upstreamResponseTimeoutSeconds: Int
    public var maxConcurrencyPerVendor: Int
    public var maxRecords: Int

    public init(
        maxBodyBytes: Int = 1 << 20,
        maxDecodedBodyBytes: Int = 8 << 20,
        maxCompressionRatio: Int = 100,
        maxJSONDepth: Int = 64,
        maxHeaderCount: Int = 64,
        maxHeaderBytes: Int = 16 << 10,
        headerTimeoutSeconds: Int = 10,
        bodyTimeoutSeconds: Int = 30,
        upstreamConnectTimeoutSeconds: Int = 5,
        upstreamResponseTimeoutSeconds: Int = 30,
        maxConcurrencyPerVendor: Int = 64,
        maxRecords: Int = 10_000
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxDecodedBodyBytes = maxDecodedBodyBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.maxJSONDepth = maxJSONDepth
        self.maxHeaderCount = maxHeaderCount
        self.maxHeaderBytes = maxHeaderBytes
        self.headerTimeoutSeconds = headerTimeoutSeconds
        self.bodyTimeoutSeconds = bodyTimeoutSeconds
        self.upstreamConnectTimeoutSeconds = upstreamConnectTimeoutSeconds
        self.upstreamResponseTimeoutSeconds = upstreamResponseTimeoutSeconds
        self.maxConcurrencyPerVendor = maxConcurrencyPerVendor
        self.maxRecords = maxRecords
    }

    public init(reader: ConfigReader) {
        let defaults = GatewayLimits()
        self.init(
            maxBodyBytes: reader.int(forKey: "body.maxBytes", default: defaults.maxBodyBytes),
            maxDecodedBodyBytes: reader.int(forKey: "body.maxDecodedBytes", default: defaults.maxDecodedBodyBytes),
            maxCompressionRatio: reader.int(forKey: "body.maxRatio", default: defaults.maxCompressionRatio),
            maxJSONDepth: reader.int(forKey: "json.maxDepth", default: defaults.maxJSONDepth),
            maxHeaderCount: reader.int(forKey: "headers.maxCount", default: defaults.maxHeaderCount),
            maxHeaderBytes: reader.int(forKey: "headers.maxBytes", default: defaults.maxHeaderBytes),
            headerTimeoutSeconds: reader.int(forKey: "headers.timeoutSeconds", default: defaults.headerTimeoutSeconds),
            bodyTimeoutSeconds: reader.int(forKey: "body.timeoutSeconds", default: defaults.bodyTimeoutSeconds),
            upstreamConnectTimeoutSeconds: reader.int(
                forKey: "upstream.connectTimeoutSeconds",
                default: defaults.upstreamConnectTimeoutSeconds
            ),
            upstreamResponseTimeoutSeconds: reader.int(
                forKey: "upstream.responseTimeoutSeconds",
                default: defaults.upstreamResponseTimeoutSeconds
            ),
            maxConcurrencyPerVendor: reader.int(
                forKey: "vendor.maxConcurrency",
                default: defaults.maxConcurrencyPerVendor
            ),
            maxRecords: reader.int(forKey: "records.max", default: defaults.maxRecords)
        )
    }
}
