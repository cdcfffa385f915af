// loadgen: a closed-loop HTTP/1.1 load generator over TLS (client certificates welcome), on SwiftNIO.
//
// N keep-alive connections each send a request, wait for the whole answer, and send the next, for a
// duration or a number of requests. It reports requests/s, latency percentiles (HdrHistogram), status
// codes and errors, as text and as one JSON line (the last line of its output).
//
//   loadgen --url https://127.0.0.1:8443/vendors/acme/events --connections 64 --duration 15 \
//       --cert client.pem --key client-key.pem --cacert ca.pem \
//       --body-file body.json --header 'share-purpose: analytics' --template-modulo 10000
//
// In a body, every `{{n}}` is replaced by the next value of a counter shared by all connections (modulo
// `--template-modulo`, plus `--template-offset`), so a batch of 100 records names 100 different subjects
// and consecutive requests name different ones.
import ArgumentParser
import Foundation
import Histogram
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

@main
struct LoadGen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadgen",
        abstract: "Closed-loop HTTP/1.1 (TLS, mTLS) load generator: requests/s, latency percentiles, statuses, errors."
    )

    @Option(help: "The URL to load (https:// or http://).") var url: String
    @Option(help: "Keep-alive connections, each with one request in flight.") var connections: Int = 64
    @Option(help: "Seconds to measure (after the warm-up). The default when --requests is not given is 10.")
    var duration: Double?
    @Option(help: "Send this many requests in all (after the warm-up), instead of a duration.") var requests: Int?
    @Option(help: "Seconds of load before measuring starts (not counted).") var warmup: Double = 0
    @Option(help: "The method (default POST with a body, GET without).") var method: String?
    @Option(help: "Client certificate (PEM) for mutual TLS.") var cert: String?
    @Option(help: "The client certificate's private key (PEM).") var key: String?
    @Option(help: "CA certificate(s) (PEM) to verify the server with (default: system roots).") var cacert: String?
    @Flag(help: "Do not verify the server's certificate.") var insecure = false
    @Option(name: .customLong("body-file"), help: "The request body, from a file; `{{n}}` is templated.") var bodyFile: String?
    @Option(help: "The request body; `{{n}}` is templated.") var body: String?
    @Option(name: .customLong("header"), help: "A request header, `name: value` (repeatable).") var headers: [String] = []
    @Option(help: "Values of `{{n}}` cycle over 0..<N.") var templateModulo: Int?
    @Option(help: "Added to every `{{n}}` value.") var templateOffset: Int = 0
    @Option(help: "Zero-pad `{{n}}` values to this many digits.") var templateWidth: Int = 0
    @Option(help: "Event-loop threads of the load generator.") var threads: Int = 1
    @Option(help: "Seconds before a request without an answer counts as an error (and its connection is replaced).")
    var timeout: Double = 30
    @Option(help: "A label copied into the JSON line.") var label: String?
    @Flag(help: "Print only the JSON line.") var jsonOnly = false

    func validate() throws {
        guard connections > 0 else { throw ValidationError("--connections must be positive") }
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        if let requests, requests <= 0 { throw ValidationError("--requests must be positive") }
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
        if duration != nil && requests != nil { throw ValidationError("give --duration or --requests, not both") }
        if body != nil && bodyFile != nil { throw ValidationError("give --body or --body-file, not both") }
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together") }
        if let templateModulo, templateModulo <= 0 { throw ValidationError("--template-modulo must be positive") }
    }

    func run() throws {
        let target = try Target(url)
        var bodyBytes: [UInt8]?
        if let bodyFile {
            bodyBytes = try Array(Data(contentsOf: URL(fileURLWithPath: bodyFile)))
        } else if let body {
            bodyBytes = Array(body.utf8)
        }
        let template = bodyBytes.map { BodyTemplate($0, modulo: templateModulo, offset: templateOffset, width: templateWidth) }

        var head = HTTPRequestHead(
            version: .http1_1,
            method: HTTPMethod(rawValue: (method ?? (bodyBytes == nil ? "GET" : "POST")).uppercased()),
            uri: target.requestTarget
        )
        head.headers.add(name: "host", value: target.hostHeader)
        head.headers.add(name: "user-agent", value: "loadgen/1")
        for line in headers {
            guard let colon = line.firstIndex(of: ":") else { throw ValidationError("a header is `name: value`: \(line)") }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw ValidationError("a header is `name: value`: \(line)") }
            if name.lowercased() == "host" {
                head.headers.replaceOrAdd(name: "host", value: value)
            } else {
                head.headers.add(name: name, value: value)
            }
        }
        if template != nil, !head.headers.contains(name: "content-type") {
            head.headers.add(name: "content-type", value: "application/json")
        }

        var sslContext: NIOSSLContext?
        if target.tls {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.minimumTLSVersion = .tlsv12
            if let cert, let key {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            }
            if let cacert { tls.trustRoots = .file(cacert) }
            if insecure { tls.certificateVerification = .none }
            sslContext = try NIOSSLContext(configuration: tls)
        }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        defer { try? group.syncShutdownGracefully() }

        let now = NIODeadline.now()
        let measureFrom = now + .nanoseconds(Int64(warmup * 1e9))
        let measureFor = requests == nil ? (duration ?? 10) : nil
        let state = RunState(
            target: target,
            head: head,
            template: template,
            sslContext: sslContext,
            measureFrom: measureFrom,
            endAt: measureFor.map { measureFrom + .nanoseconds(Int64($0 * 1e9)) },
            requestBudget: requests,
            timeout: .nanoseconds(Int64(timeout * 1e9))
        )

        var futures: [EventLoopFuture<ConnectionStats>] = []
        for _ in 0..<connections {
            let loop = group.next()
            let promise = loop.makePromise(of: ConnectionStats.self)
            futures.append(promise.futureResult)
            loop.execute {
                Connection(loop: loop, state: state, done: promise).start()
            }
        }
        let all = try EventLoopFuture.whenAllSucceed(futures, on: group.any()).wait()

        var total = ConnectionStats()
        for stats in all { total.merge(stats) }
        let window: Double
        if let measureFor {
            window = measureFor
        } else {
            let last = total.lastCompletion ?? measureFrom
            window = max(0.000_001, Double((last - measureFrom).nanoseconds) / 1e9)
        }
        let report = Report(
            label: label, method: head.method.rawValue, url: url, connections: connections, threads: threads,
            seconds: window, warmup: warmup, stats: total
        )
        if !jsonOnly { print(report.text) }
        print(report.json)
    }
}

// MARK: - Target

struct Target: Sendable {
    let tls: Bool
    let host: String
    let port: Int
    let requestTarget: String

    init(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty
        else { throw ValidationError("--url must be an http:// or https:// URL: \(text)") }
        tls = scheme == "https"
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (tls ? 443 : 80)
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        requestTarget = path + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    var isIPLiteral: Bool {
        (try? SocketAddress(ipAddress: host, port: port)) != nil
    }

    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (tls ? 443 : 80) ? name : "\(name):\(port)"
    }
}

// MARK: - Body template

/// A body split at its `{{n}}` placeholders.
struct BodyTemplate: Sendable {
    static let placeholder = Array("{{n}}".utf8)
    let parts: [[UInt8]]
    let modulo: Int?
    let offset: Int
    let width: Int
    let size: Int

    init(_ bytes: [UInt8], modulo: Int?, offset: Int, width: Int) {
        var parts: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        let marker = Self.placeholder
        while index < bytes.count {
            if bytes[index] == marker[0], index + marker.count <= bytes.count,
                Array(bytes[index..<index + marker.count]) == marker
            {
                parts.append(current)
                current = []
                index += marker.count
            } else {
                current.append(bytes[index])
                index += 1
            }
        }
        parts.append(current)
        self.parts = parts
        self.modulo = modulo
        self.offset = offset
        self.width = width
        self.size = bytes.count
    }

    var placeholders: Int { parts.count - 1 }

    /// The body with its placeholders filled from `first`, `first + 1`, ...
    func render(first: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: size + placeholders * 8)
        buffer.writeBytes(parts[0])
        var value = first
        for part in parts.dropFirst() {
            let n = (modulo.map { value % $0 } ?? value) + offset
            let digits = String(n)
            if digits.utf8.count < width {
                buffer.writeRepeatingByte(UInt8(ascii: "0"), count: width - digits.utf8.count)
            }
            buffer.writeString(digits)
            buffer.writeBytes(part)
            value += 1
        }
        return buffer
    }
}

// MARK: - Run state shared by the connections

final class RunState: Sendable {
    let target: Target
    let head: HTTPRequestHead
    let template: BodyTemplate?
    let sslContext: NIOSSLContext?
    let measureFrom: NIODeadline
    let endAt: NIODeadline?
    let timeout: TimeAmount
    /// Requests left to send (request-count mode), counted from the end of the warm-up.
    private let budget: Atomic<Int>
    private let hasBudget: Bool
    private let counter = Atomic<Int>(0)

    init(
        target: Target, head: HTTPRequestHead, template: BodyTemplate?, sslContext: NIOSSLContext?,
        measureFrom: NIODeadline, endAt: NIODeadline?, requestBudget: Int?, timeout: TimeAmount
    ) {
        self.target = target
        self.head = head
        self.template = template
        self.sslContext = sslContext
        self.measureFrom = measureFrom
        self.endAt = endAt
        self.timeout = timeout
        self.budget = Atomic(requestBudget ?? 0)
        self.hasBudget = requestBudget != nil
    }

    /// Whether another request may start at `now`.
    func mayStart(at now: NIODeadline) -> Bool {
        if let endAt { return now < endAt }
        if hasBudget && now >= measureFrom {
            return budget.subtract(1, ordering: .relaxed).newValue >= 0
        }
        return true
    }

    /// The first of `count` consecutive template values.
    func nextTemplateValues(_ count: Int) -> Int {
        guard count > 0 else { return 0 }
        return counter.add(count, ordering: .relaxed).oldValue
    }
}

// MARK: - Statistics

struct ConnectionStats: Sendable {
    /// Latency in microseconds.
    var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    var completed = 0
    var statuses: [Int: Int] = [:]
    var errors: [String: Int] = [:]
    var bytesIn = 0
    var connects = 0
    var lastCompletion: NIODeadline?

    mutating func merge(_ other: ConnectionStats) {
        histogram.add(other.histogram)
        completed += other.completed
        statuses.merge(other.statuses, uniquingKeysWith: +)
        errors.merge(other.errors, uniquingKeysWith: +)
        bytesIn += other.bytesIn
        connects += other.connects
        if let last = other.lastCompletion, lastCompletion.map({ last > $0 }) ?? true { lastCompletion = last }
    }

    var errorCount: Int { errors.values.reduce(0, +) }
}

// MARK: - One connection

/// One keep-alive connection in a closed loop. Everything it holds is touched on its event loop only.
final class Connection: @unchecked Sendable {
    let loop: any EventLoop
    let state: RunState
    let done: EventLoopPromise<ConnectionStats>
    var stats = ConnectionStats()
    var handler: ExchangeHandler?
    var inFlightSince: NIODeadline?
    var status = 0
    var responseBytes = 0
    var closeAfterResponse = false
    var timeoutTask: Scheduled<Void>?
    var finished = false
    var consecutiveFailures = 0

    init(loop: any EventLoop, state: RunState, done: EventLoopPromise<ConnectionStats>) {
        self.loop = loop
        self.state = state
        self.done = done
    }

    /// Starts the loop; in duration mode, also ends the connection a little after the end even if its last
    /// request is still unanswered (that request is not counted).
    func start() {
        if let endAt = state.endAt {
            loop.scheduleTask(deadline: endAt + .seconds(2)) { [self] in finish() }
        }
        connect()
    }

    func connect() {
        loop.preconditionInEventLoop()
        guard !finished else { return }
        if let endAt = state.endAt, .now() >= endAt { return finish() }
        let state = self.state
        let target = state.target
        ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    if let context = state.sslContext {
                        let handler = try NIOSSLClientHandler(
                            context: context,
                            serverHostname: target.isIPLiteral ? nil : target.host
                        )
                        try sync.addHandler(handler)
                    }
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(ExchangeHandler(connection: self))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(host: target.host, port: target.port)
            .whenComplete { result in
                switch result {
                case .success:
                    self.stats.connects += 1
                    self.consecutiveFailures = 0
                    self.sendNext()
                case .failure(let error):
                    self.recordError("connect: \(Self.describe(error))")
                    self.reconnectLater()
                }
            }
    }

    func attach(_ handler: ExchangeHandler) { self.handler = handler }

    func sendNext() {
        guard !finished, let handler else { return }
        let now = NIODeadline.now()
        guard state.mayStart(at: now) else { return finish() }
        var body: ByteBuffer?
        if let template = state.template {
            body = template.render(first: state.nextTemplateValues(template.placeholders), allocator: handler.allocator)
        }
        var head = state.head
        if let body {
            head.headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
        }
        inFlightSince = now
        status = 0
        responseBytes = 0
        closeAfterResponse = false
        let timeout = state.timeout
        timeoutTask = loop.scheduleTask(in: timeout) { [self] in
            guard inFlightSince != nil else { return }
            recordError("timeout")
            inFlightSince = nil
            self.handler?.close()
        }
        handler.send(head: head, body: body)
    }

    func received(head: HTTPResponseHead) {
        status = Int(head.status.code)
        closeAfterResponse = !head.isKeepAlive
    }

    func received(bodyBytes: Int) { responseBytes += bodyBytes }

    func responseEnded() {
        timeoutTask?.cancel()
        timeoutTask = nil
        guard let started = inFlightSince else { return }
        inFlightSince = nil
        let now = NIODeadline.now()
        let inWindow = started >= state.measureFrom && (state.endAt.map { now <= $0 } ?? true)
        if inWindow {
            stats.completed += 1
            stats.statuses[status, default: 0] += 1
            stats.bytesIn += responseBytes
            let micros = UInt64(max(1, (now - started).nanoseconds / 1000))
            _ = stats.histogram.record(micros)
            stats.lastCompletion = now
        }
        if closeAfterResponse {
            handler?.close()  // channelInactive reconnects
        } else {
            sendNext()
        }
    }

    func caught(_ error: any Error) {
        if inFlightSince != nil || !(error is NIOSSLError) {
            recordError(Self.describe(error))
        }
        inFlightSince = nil
        timeoutTask?.cancel()
        handler?.close()
    }

    func channelInactive() {
        handler = nil
        timeoutTask?.cancel()
        if inFlightSince != nil {
            recordError("connection closed mid-request")
            inFlightSince = nil
        }
        if !finished { reconnectLater(immediately: true) }
    }

    func reconnectLater(immediately: Bool = false) {
        guard !finished else { return }
        consecutiveFailures += 1
        let delay: TimeAmount = immediately && consecutiveFailures < 3 ? .zero : .milliseconds(Int64(min(1000, 10 * consecutiveFailures)))
        if state.endAt == nil, consecutiveFailures > 50 {
            return finish()  // request-count mode against a server that is gone: give up
        }
        loop.scheduleTask(in: delay) { [self] in connect() }
    }

    func recordError(_ kind: String) {
        let now = NIODeadline.now()
        guard now >= state.measureFrom, state.endAt.map({ now <= $0 }) ?? true else { return }
        stats.errors[kind, default: 0] += 1
    }

    func finish() {
        guard !finished else { return }
        finished = true
        timeoutTask?.cancel()
        handler?.close()
        done.succeed(stats)
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOSSLError: return "tls: \(error)"
        case let error as BoringSSLError: return "tls: \(error)"
        case is ChannelError: return "channel: \(error)"
        case let error as IOError: return "io: \(error.description)"
        default: return String(describing: error)
        }
    }
}

/// Writes the connection's requests and hands it the answers.
final class ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    let connection: Connection
    private var context: ChannelHandlerContext?

    init(connection: Connection) {
        self.connection = connection
    }

    var allocator: ByteBufferAllocator { context?.channel.allocator ?? ByteBufferAllocator() }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connection.attach(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func send(head: HTTPRequestHead, body: ByteBuffer?) {
        guard let context else { return }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func close() {
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): connection.received(head: head)
        case .body(let buffer): connection.received(bodyBytes: buffer.readableBytes)
        case .end: connection.responseEnded()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.channelInactive()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection.caught(error)
    }
}

// MARK: - Report

struct Report {
    let label: String?
    let method: String
    let url: String
    let connections: Int
    let threads: Int
    let seconds: Double
    let warmup: Double
    let stats: ConnectionStats

    var rate: Double { Double(stats.completed) / seconds }

    func millis(_ percentile: Double) -> Double {
        stats.completed == 0 ? 0 : Double(stats.histogram.valueAtPercentile(percentile)) / 1000
    }

    var text: String {
        let statuses = stats.statuses.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let errors = stats.errors.sorted { $0.value > $1.value }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        return """
            loadgen: \(method) \(url)\(label.map { " [\($0)]" } ?? "")
              \(connections) connections, \(threads) thread(s), \(fmt(seconds)) s measured\(warmup > 0 ? " after \(fmt(warmup)) s warm-up" : "")
              requests:  \(stats.completed) (\(fmt(rate)) req/s), \(stats.bytesIn) response body bytes, \(stats.connects) connects
              latency:   p50 \(fmt(millis(50))) ms  p90 \(fmt(millis(90))) ms  p99 \(fmt(millis(99))) ms  p99.9 \(fmt(millis(99.9))) ms  max \(fmt(stats.completed == 0 ? 0 : Double(stats.histogram.max) / 1000)) ms
              status:    \(statuses.isEmpty ? "none" : statuses)
              errors:    \(stats.errorCount)\(errors.isEmpty ? "" : " (\(errors))")
            """
    }

    var json: String {
        var object: [String: Any] = [
            "method": method,
            "url": url,
            "connections": connections,
            "threads": threads,
            "seconds": round3(seconds),
            "warmup_seconds": warmup,
            "requests": stats.completed,
            "requests_per_second": round3(rate),
            "latency_ms": [
                "p50": round3(millis(50)), "p90": round3(millis(90)), "p99": round3(millis(99)),
                "p99.9": round3(millis(99.9)),
                "max": round3(stats.completed == 0 ? 0 : Double(stats.histogram.max) / 1000),
                "mean": round3(stats.completed == 0 ? 0 : stats.histogram.mean / 1000),
            ],
            "status": Dictionary(uniqueKeysWithValues: stats.statuses.map { (String($0.key), $0.value) }),
            "errors": stats.errorCount,
            "error_kinds": stats.errors,
            "response_body_bytes": stats.bytesIn,
            "connects": stats.connects,
        ]
        if let label { object["label"] = label }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    func fmt(_ value: Double) -> String { String(format: value >= 100 ? "%.1f" : "%.3f", value) }
    func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
