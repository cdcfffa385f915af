import ArgumentParser
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

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            "Run the gateway with a local demo vendor and sample traffic, showing what was sent, redacted and logged.",
        discussion: "Everything lives in DATA_DIR/demo (made afresh each run); nothing else is touched."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let logger = GatewaydLogging.bootstrap(label: "gatewayd", defaultLevel: .warning)
        let base = try await options.load()
        let directory = base.dataDirectory + "/demo"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory + "/contracts", withIntermediateDirectories: true)

        // A vendor of our own, with its own CA that the gateway is told to trust.
        let group = MultiThreadedEventLoopGroup.singleton
        let vendorCA = try CertificateAuthority.make(commonName: "demo vendor CA")
        try vendorCA.certificate.pemString().write(
            toFile: directory + "/vendor-ca.pem",
            atomically: true,
            encoding: .utf8
        )
        let vendor = try await DemoVendor.start(authority: vendorCA, group: group)

        var configuration = GatewayConfiguration(
            reader: ConfigReader(
                provider: InMemoryProvider(values: [
                    "proxy.port": .init(.int(0), isSecret: false),
                    "data.dir": .init(.string(directory + "/var"), isSecret: false),
                    "certs.dir": .init(.string(directory + "/certs"), isSecret: false),
                    "contracts.dir": .init(.string(directory + "/contracts"), isSecret: false),
                    "upstream.trustRoots": .init(.string(directory + "/vendor-ca.pem"), isSecret: false),
                    "upstream.allowPrivateAddresses": .init(.bool(true), isSecret: false),
                    "log.origin": .init(.string("demo.local/gateway"), isSecret: false),
                ])
            )
        )
        configuration.credentials = CredentialStore(["acme-api-key": "sk_demo_acme"])
        let runtime = try await GatewayRuntime(configuration: configuration, logger: logger)
        for text in [DemoAgreements.acme, DemoAgreements.expired] {
            let xml = Array(text.replacingOccurrences(of: "VENDOR_PORT", with: String(vendor.port)).utf8)
            _ = try await runtime.importAgreement(xml, approve: true)
        }
        let certificates = try runtime.certificates()
        let upstream = try runtime.makeUpstreamClient(group: group)
        let pipeline = runtime.makePipeline(upstream: upstream)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let proxy = try runtime.makeProxyServer(pipeline: pipeline, certificates: certificates, group: group) {
            portContinuation.yield($0)
        }
        let logTask = Task { try await runtime.shareLog.run() }
        try await runtime.shareLog.waitUntilAccepting()
        let proxyTask = Task { try await proxy.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ValidationError("the data plane did not start") }

        let client = try DemoClient(certificates: certificates, port: port)
        let demo = DemoScript(runtime: runtime, vendor: vendor, client: client, port: port, upstream: upstream)
        do {
            try await demo.run()
        } catch {
            try? await client.http.shutdown()
            throw error
        }
        try await client.http.shutdown()
        proxyTask.cancel()
        _ = await proxyTask.result
        runtime.shareLog.stop()
        _ = await logTask.result
        upstream.shutdown()
        await vendor.stop()
        try await demo.verifyLedger(directory: directory)
    }
}

/// A service of the demo: `checkout`, with its client certificate.
struct DemoClient {
    let http: HTTPClient
    let port: Int

    init(certificates: CertificateDirectory, port: Int) throws {
        if !FileManager.default.fileExists(atPath: certificates.clientCertificatePath("checkout")) {
            try certificates.issueClient(named: "checkout")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.caCertificatePath))
        tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificates.clientCertificatePath("checkout")).map {
            .certificate($0)
        }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: certificates.clientKeyPath("checkout"), format: .pem))
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.redirectConfiguration = .disallow
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.port = port
    }

    func post(
        _ path: String,
        purpose: String,
        json: String
    ) async throws -> (status: Int, headers: HTTPHeaders, body: String) {
        var request = HTTPClientRequest(url: "https://localhost:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "share-purpose", value: purpose)
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers, String(buffer: body))
    }
}
