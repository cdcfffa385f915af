import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `gatewayd serve` as an operator runs it: it starts, and SIGTERM stops it cleanly and soon (a load
/// balancer's drain, a rolling restart), on SQLite and on PostgreSQL.
@Suite("gatewayd serve")
struct ServeCommandTests {
    @Test func sigtermStopsTheGatewayCleanly() async throws {
        let gatewayd = try GatewaydProcess(origin: "cli.example/serve")
        defer { gatewayd.remove() }
        var environment = gatewayd.environment
        let base = Int.random(in: 20_000..<30_000)
        environment["GATEWAY_PROXY_HOST"] = "127.0.0.1"
        environment["GATEWAY_PROXY_PORT"] = String(base)
        environment["GATEWAY_ADMIN_HOST"] = "127.0.0.1"
        environment["GATEWAY_ADMIN_PORT"] = String(base + 1)

        let errURL = gatewayd.file("serve.err")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let err = try FileHandle(forWritingTo: errURL)
        defer { try? err.close() }
        let process = Process()
        process.executableURL = GatewaydProcess.binary
        process.arguments = ["serve"]
        process.environment = environment
        process.currentDirectoryURL = gatewayd.directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        func log() -> String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }
        var started = false
        for _ in 0..<600 where process.isRunning {
            if log().contains("admin API listening") {
                started = true
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        try #require(started, "gatewayd serve did not start: \(log())")

        process.terminate()
        var stopped = false
        for _ in 0..<150 {
            if !process.isRunning {
                stopped = true
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(stopped, "gatewayd serve was still running 15 s after SIGTERM")
        if stopped {
            #expect(process.terminationStatus == 0, "\(log())")
        }
    }
}
