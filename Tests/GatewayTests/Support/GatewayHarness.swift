import AsyncHTTPClient
import Configuration
import Contracts
import Foundation
import Gateway
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Testing

/// A real gateway for a test: its own temporary directory, SQLite file, certificates and keys, the data plane
/// on an ephemeral port, a real TLS vendor, and a real client presenting a client certificate.
final class GatewayHarness: Sendable {
    let directory: URL
    let runtime: GatewayRuntime
    let vendor: TestVendor
    let vendorAuthority: CertificateAuthority
    let certificates: CertificateDirectory
    let proxyPort: Int
    let adminPort: Int
    /// The PostgreSQL database of this gateway, when the suite runs on PostgreSQL.
    let database: String?
    let ownsDatabase: Bool
    let ownsVendor: Bool
    let ownsDirectory: Bool
    let client: HTTPClient
    let task: Task<Void, any Error>
    let logTask: Task<Void, any Error>
    let pipeline: SharePipeline
    /// The values this gateway's tests sent, and every line it logged (see ``PersonalValueWatch``).
    let watch: PersonalValueWatch

    struct Options: Sendable {
        var agreements: [String] = [TestAgreements.acme]
        var approve = true
        var limits = GatewayLimits()
        var credentials: [String: String] = ["acme-api-key": "sk_test_acme"]
        var extraConfiguration: [String: String] = [:]
        /// Use this PostgreSQL database (another instance's) instead of a fresh one.
        var database: String? = nil
        /// Use this vendor (another instance's) instead of starting one.
        var vendor: (TestVendor, CertificateAuthority)? = nil
        var origin: String? = nil
        /// Use this directory (another instance's, for a restart) instead of a fresh one; it is kept at stop.
        var directory: URL? = nil
    }

    static func start(_ options: Options = Options()) async throws -> GatewayHarness {
        let directory =
            options.directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("gw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let vendorAuthority = try options.vendor?.1 ?? CertificateAuthority.make(commonName: "test vendor CA")
        let trustRoots = directory.appendingPathComponent("vendor-ca.pem")
        try Data(try vendorAuthority.certificate.pemString().utf8).write(to: trustRoots)
        let ownsVendor = options.vendor == nil
        let vendor: TestVendor
        if let shared = options.vendor?.0 {
            vendor = shared
        } else {
            vendor = try await TestVendor.start(authority: vendorAuthority)
        }

        var values: [AbsoluteConfigKey: ConfigValue] = [
            "proxy.port": .init(.int(0), isSecret: false),
            "admin.port": .init(.int(0), isSecret: false),
            "data.dir": .init(.string(directory.appendingPathComponent("var").path), isSecret: false),
            "certs.dir": .init(.string(directory.appendingPathComponent("certs").path), isSecret: false),
            "contracts.dir": .init(.string(directory.appendingPathComponent("contracts").path), isSecret: false),
            "upstream.trustRoots": .init(.string(trustRoots.path), isSecret: false),
            "upstream.allowPrivateAddresses": .init(.bool(true), isSecret: false),
            "log.origin": .init(
                .string(options.origin ?? "test.example/gw-\(UUID().uuidString.prefix(8).lowercased())"),
                isSecret: false
            ),
        ]
        let ownsDatabase = options.database == nil
        let database = try options.database ?? TestPostgres.createDatabase()
        if let database {
            values["storage.url"] = .init(.string(database), isSecret: false)
        }
        for (key, value) in options.extraConfiguration {
            let content: ConfigContent = Int(value).map { .int($0) } ?? .string(value)
            values[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = .init(content, isSecret: false)
        }
        var configuration = GatewayConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: values)))
        configuration.limits = options.limits
        configuration.credentials = CredentialStore(options.credentials)
        let watch = PersonalValueWatch(agreements: options.agreements)
        let logger = watch.logger(label: "test-gateway")
        let runtime = try await GatewayRuntime(configuration: configuration, logger: logger)
        for text in options.agreements {
            let xml = text.replacingOccurrences(of: "VENDOR_PORT", with: String(vendor.port))
            _ = try await runtime.importAgreement(Array(xml.utf8), approve: options.approve)
        }
        let certificates = try runtime.certificates()
        let group = MultiThreadedEventLoopGroup.singleton
        let upstream = try runtime.makeUpstreamClient(group: group)
        let pipeline = runtime.makePipeline(upstream: upstream)
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let proxy = try runtime.makeProxyServer(pipeline: pipeline, certificates: certificates, group: group) { port in
            portContinuation.yield(port)
        }
        let shareLog = runtime.shareLog
        let logTask = Task { try await shareLog.run() }
        try await shareLog.waitUntilAccepting()
        let (adminStream, adminContinuation) = AsyncStream<Int>.makeStream()
        let adminServices = try runtime.makeAdminServices(certificates: certificates, group: group) { port in
            adminContinuation.yield(port)
        }
        let task = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await proxy.run() }
                if let listener = runtime.changeListener {
                    group.addTask { try await listener.run() }
                }
                for service in adminServices {
                    group.addTask { try await service.run() }
                }
                try await group.next()
                group.cancelAll()
            }
            _ = logTask
        }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HarnessError("the proxy did not start") }
        var adminIterator = adminStream.makeAsyncIterator()
        guard let adminPort = await adminIterator.next() else { throw HarnessError("the admin API did not start") }
        let client = try makeClient(certificates: certificates, service: "demo-service")
        return GatewayHarness(
            directory: directory,
            runtime: runtime,
            vendor: vendor,
            vendorAuthority: vendorAuthority,
            certificates: certificates,
            proxyPort: port,
            adminPort: adminPort,
            client: client,
            task: task,
            logTask: logTask,
            pipeline: pipeline,
            watch: watch,
            database: database,
            ownsDatabase: ownsDatabase,
            ownsVendor: ownsVendor,
            ownsDirectory: options.directory == nil
        )
    }

    private init(
        directory: URL,
        runtime: GatewayRuntime,
        vendor: TestVendor,
        vendorAuthority: CertificateAuthority,
        certificates: CertificateDirectory,
        proxyPort: Int,
        adminPort: Int,
        client: HTTPClient,
        task: Task<Void, any Error>,
        logTask: Task<Void, any Error>,
        pipeline: SharePipeline,
        watch: PersonalValueWatch,
        database: String?,
        ownsDatabase: Bool,
        ownsVendor: Bool,
        ownsDirectory: Bool
    ) {
        self.ownsDirectory = ownsDirectory
        self.database = database
        self.ownsDatabase = ownsDatabase
        self.ownsVendor = ownsVendor
        self.adminPort = adminPort
        self.logTask = logTask
        self.directory = directory
        self.runtime = runtime
        self.vendor = vendor
        self.vendorAuthority = vendorAuthority
        self.certificates = certificates
        self.proxyPort = proxyPort
        self.client = client
        self.task = task
        self.pipeline = pipeline
        self.watch = watch
    }

    /// A client presenting the certificate of `service` (made on demand), trusting the gateway's CA.
    static func makeClient(certificates: CertificateDirectory, service: String) throws -> HTTPClient {
        if !FileManager.default.fileExists(atPath: certificates.clientCertificatePath(service)) {
            try certificates.issueClient(named: service)
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.caCertificatePath))
        tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificates.clientCertificatePath(service)).map {
            .certificate($0)
        }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: certificates.clientKeyPath(service), format: .pem))
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue? { try? JSONReader.parse(body) }
        var problemType: String? { json?["type"]?.stringValue }
        var shareID: String? { headers.first(name: "share-id") }
    }

    /// Sends a request through the data plane.
    func send(
        _ method: HTTPMethod = .POST,
        _ path: String,
        headers: [(String, String)] = [],
        body: [UInt8]? = nil,
        client: HTTPClient? = nil,
        watched: Bool = true
    ) async throws -> Response {
        // `watched: false` for generated traffic whose values the caller checks itself (thousands of them).
        if watched { watch.noteRequest(path: path, headers: headers, body: body) }
        var request = HTTPClientRequest(url: "https://localhost:\(proxyPort)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        let response = try await (client ?? self.client).execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Response(status: Int(response.status.code), headers: response.headers, body: Array(buffer: bytes))
    }

    /// Calls the admin API (TLS, no client certificate) with a bearer token.
    func admin(
        _ method: HTTPMethod = .GET,
        _ path: String,
        token: String?,
        body: [UInt8]? = nil,
        contentType: String = "application/json"
    ) async throws -> Response {
        var request = HTTPClientRequest(url: "https://localhost:\(adminPort)\(path)")
        request.method = method
        if let token { request.headers.add(name: "authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "content-type", value: contentType)
            request.body = .bytes(body)
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Response(status: Int(response.status.code), headers: response.headers, body: Array(buffer: bytes))
    }

    /// Issues an admin-API token.
    func token(_ role: Role, name: String) async throws -> String {
        try await TokenService(store: runtime.store).issue(role: role, name: name).token
    }

    /// Sends JSON with a purpose (and optionally a subject).
    func share(
        _ path: String,
        json: String,
        purpose: String? = "analytics",
        subject: String? = nil,
        headers: [(String, String)] = [],
        method: HTTPMethod = .POST
    ) async throws -> Response {
        var all = headers
        all.append(("content-type", "application/json"))
        if let purpose { all.append(("share-purpose", purpose)) }
        if let subject { all.append(("share-subject", subject)) }
        return try await send(method, path, headers: all, body: Array(json.utf8))
    }

    /// Adds consent records through the same service the admin API uses.
    func grant(
        _ subject: String,
        purpose: String = "analytics",
        vendor: String = "acme",
        status: ConsentStatus = .granted,
        categories: [String] = []
    ) async throws {
        watch.note([subject])
        _ = try await runtime.consents.put([
            ConsentRecord(
                subject: subject,
                purpose: purpose,
                vendor: vendor,
                status: status,
                categories: categories,
                givenAt: .now(),
                source: "test"
            )
        ])
    }

    /// The log's entries, decoded.
    func ledger() async throws -> [JSONValue] {
        try await runtime.store.entries(LedgerQuery(origin: runtime.shareLog.origin, limit: 100_000)).map {
            try JSONReader.parse($0.bytes)
        }
    }

    /// The outcome entry of share `shareID`, waiting for it a little (outcomes are logged alongside answers).
    func outcome(of shareID: String) async throws -> JSONValue? {
        for _ in 0..<100 {
            if let entry = try await ledger().first(where: {
                $0["kind"] == .string("outcome") && $0["shareId"] == .string(shareID)
            }) {
                return entry
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// The log entry with id `id`.
    func entry(_ id: String) async throws -> JSONValue? {
        try await ledger().first { $0["id"]?.stringValue == id }
    }

    /// Every watched value found in this gateway's log lines or share-log entries.
    func personalValueLeaks() async throws -> [String] {
        let entries = try await runtime.store.entries(LedgerQuery(origin: runtime.shareLog.origin, limit: 1_000_000))
            .map { String(decoding: $0.bytes, as: UTF8.self) }
        var registered: [String] = []
        for vendor in try await runtime.store.vendors() {
            for version in try await runtime.store.versions(vendorID: vendor.id) {
                if let xml = try await runtime.store.xml(vendorID: vendor.id, version: version.version) {
                    registered.append(String(decoding: xml, as: UTF8.self))
                }
            }
        }
        return watch.leaks(entries: entries, registered: registered)
    }

    func stop() async {
        try? await client.shutdown()
        task.cancel()
        _ = await task.result
        runtime.shareLog.stop()
        _ = await logTask.result
        runtime.close()
        if let database, ownsDatabase { TestPostgres.dropDatabase(database) }
        if ownsVendor { await vendor.stop() }
        if ownsDirectory { try? FileManager.default.removeItem(at: directory) }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a started gateway, stopping it afterwards whatever happens.
func withGateway<T>(
    _ options: GatewayHarness.Options = .init(),
    _ body: (GatewayHarness) async throws -> T
) async throws -> T {
    let harness = try await GatewayHarness.start(options)
    do {
        let result = try await body(harness)
        // Suite-wide: no value a test sent appears in a log line or a share-log entry of its gateway.
        for leak in try await harness.personalValueLeaks() {
            Issue.record("personal value written: \(leak)")
        }
        await harness.stop()
        return result
    } catch {
        await harness.stop()
        throw error
    }
}
