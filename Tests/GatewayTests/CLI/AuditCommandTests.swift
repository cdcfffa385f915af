import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The auditor's offline story with the real binary: export, checkpoint, key, verify (ours and Python's).
@Suite("gatewayd audit", .serialized)
struct AuditCommandTests {
    static let python = RepositoryRoot.url.appendingPathComponent("tools/verify-export.py").path

    @Test func exportVerifiesAndTamperingIsCaught() throws {
        let gatewayd = try GatewaydProcess()
        defer { gatewayd.remove() }
        let appended = try gatewayd.run(["audit", "append", "--count", "1500", "--concurrency", "8"])
        #expect(appended.status == 0, "\(appended.stderr)")
        let export = try gatewayd.run(["audit", "export"])
        #expect(export.status == 0)
        let lines = export.stdout.split(separator: UInt8(ascii: "\n"))
        #expect(lines.count == 1500)
        try Data(export.stdout).write(to: gatewayd.file("export.jsonl"))
        let checkpoint = try gatewayd.run(["audit", "checkpoint"])
        #expect(checkpoint.status == 0)
        #expect(checkpoint.output.hasPrefix("cli.example/test\n1500\n"))
        try Data(checkpoint.stdout).write(to: gatewayd.file("checkpoint.txt"))
        let key = try gatewayd.run(["audit", "public-key"])
        #expect(key.output.hasPrefix("cli.example/test+"))
        try Data(key.stdout).write(to: gatewayd.file("key.txt"))

        let verify = [
            "audit", "verify", "--entries", gatewayd.file("export.jsonl").path,
            "--checkpoint", gatewayd.file("checkpoint.txt").path, "--key", gatewayd.file("key.txt").path,
        ]
        let ours = try gatewayd.run(verify)
        #expect(ours.status == 0, "\(ours.stderr)")
        let theirs = try GatewaydProcess.exec(
            "/usr/bin/env",
            [
                "python3", Self.python, "--entries", gatewayd.file("export.jsonl").path,
                "--checkpoint", gatewayd.file("checkpoint.txt").path, "--key", gatewayd.file("key.txt").path,
            ]
        )
        #expect(theirs.status == 0, "\(theirs.stderr)")

        // One changed byte in entry 700.
        var tampered = export.stdout
        let lineStart = lines[..<700].reduce(0) { $0 + $1.count + 1 }
        let position = tampered[lineStart...].firstIndex(of: UInt8(ascii: "v"))!
        tampered[position] = UInt8(ascii: "w")
        try Data(tampered).write(to: gatewayd.file("export.jsonl"))
        let oursTampered = try gatewayd.run(verify)
        #expect(oursTampered.status == 1)
        #expect(oursTampered.stderr.contains("verification failed"))
        let theirsTampered = try GatewaydProcess.exec(
            "/usr/bin/env",
            [
                "python3", Self.python, "--entries", gatewayd.file("export.jsonl").path,
                "--checkpoint", gatewayd.file("checkpoint.txt").path, "--key", gatewayd.file("key.txt").path,
            ]
        )
        #expect(theirsTampered.status == 1)
    }

    @Test func killNineAtAnyMomentLeavesAConsistentLog() throws {
        let gatewayd = try GatewaydProcess()
        defer { gatewayd.remove() }
        // Start a long run of appends, watch acknowledgements arrive (in a file: each `ack` line is written
        // unbuffered once its entry is durable), kill -9 in the middle.
        let acks = gatewayd.file("acks.txt")
        _ = FileManager.default.createFile(atPath: acks.path, contents: nil)
        let process = Process()
        process.executableURL = GatewaydProcess.binary
        process.arguments = ["audit", "append", "--count", "500000", "--concurrency", "32", "--print-acks"]
        process.environment = gatewayd.environment
        let out = try FileHandle(forWritingTo: acks)
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        func acknowledgedSoFar() throws -> Set<Int> {
            let text = String(decoding: try Data(contentsOf: acks), as: UTF8.self)
            return Set(text.split(separator: "\n").compactMap { $0.hasPrefix("ack ") ? Int($0.dropFirst(4)) : nil })
        }
        let deadline = Date().addingTimeInterval(60)
        while try acknowledgedSoFar().count < 3000, Date() < deadline, process.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? out.close()
        let acknowledged = try acknowledgedSoFar()
        #expect(acknowledged.count >= 3000)

        // The next start checks the log and says so; it continues it.
        let restart = try gatewayd.run(["audit", "append", "--count", "1"])
        #expect(restart.status == 0, "\(restart.stderr)")
        let export = try gatewayd.run(["audit", "export"])
        let count = export.stdout.split(separator: UInt8(ascii: "\n")).count
        #expect(acknowledged.max()! < count, "an acknowledged entry is missing after kill -9")
        try Data(export.stdout).write(to: gatewayd.file("export.jsonl"))
        try Data(try gatewayd.run(["audit", "checkpoint"]).stdout).write(to: gatewayd.file("checkpoint.txt"))
        let key = try gatewayd.run(["audit", "public-key"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let verify = try gatewayd.run([
            "audit", "verify", "--entries", gatewayd.file("export.jsonl").path,
            "--checkpoint", gatewayd.file("checkpoint.txt").path, "--key", key,
        ])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test func startupLogSaysTheLogIsConsistent() throws {
        var gatewayd = try GatewaydProcess()
        defer { gatewayd.remove() }
        gatewayd.environment["GATEWAY_LOG_LEVEL"] = "info"
        _ = try gatewayd.run(["audit", "append", "--count", "3"])
        let again = try gatewayd.run(["audit", "append", "--count", "1"])
        #expect(again.stderr.contains("share log consistent"))
        #expect(again.stderr.contains("log.size=3"))
        #expect(again.stderr.contains("checkpoint at 3 verified"))
    }
}

enum RepositoryRoot {
    static let url: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
