import ArgumentParser
import Contracts
import Foundation
import Gateway
import Logging

#if canImport(Glibc)
import Glibc
#endif

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Export and verify the share log.",
        subcommands: [Export.self, PublicKey.self, Checkpoint.self, Verify.self, Append.self]
    )

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write this instance's share log as JSON Lines: each line is exactly an entry's leaf bytes."
        )
        @OptionGroup var options: ConfigurationOptions
        @Option(help: "Only entries at or after this RFC 3339 time.") var since: String?
        @Option(help: "Only entries at or before this RFC 3339 time.") var until: String?
        @Option(help: "The log to export (default: this instance's log.origin).") var origin: String?

        func run() async throws {
            let logger = GatewaydLogging.bootstrap(label: "gatewayd", defaultLevel: .warning)
            let configuration = try await options.load()
            let runtime = try await GatewayRuntime(configuration: configuration, logger: logger)
            let sinceTime = try since.map { text -> Timestamp in
                guard let time = Timestamp(rfc3339: text) else {
                    throw ValidationError("--since is not an RFC 3339 time")
                }
                return time
            }
            let untilTime = try until.map { text -> Timestamp in
                guard let time = Timestamp(rfc3339: text) else {
                    throw ValidationError("--until is not an RFC 3339 time")
                }
                return time
            }
            let exporter = LedgerExporter(store: runtime.store)
            let output = FileHandle.standardOutput
            let count = try await exporter.export(
                origin: origin ?? configuration.logOrigin,
                since: sinceTime,
                until: untilTime
            ) { chunk in
                output.write(Data(chunk))
            }
            printError("exported \(count) entries")
        }
    }

    struct PublicKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "public-key",
            abstract: "Print the log's verifier key (C2SP note verifier-key format)."
        )
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let logger = GatewaydLogging.bootstrap(label: "gatewayd", defaultLevel: .warning)
            let runtime = try await GatewayRuntime(configuration: try await options.load(), logger: logger)
            print(runtime.keys.signer.verifierKeyString)
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the latest signed checkpoint (C2SP tlog-checkpoint)."
        )
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let logger = GatewaydLogging.bootstrap(label: "gatewayd", defaultLevel: .warning)
            let configuration = try await options.load()
            let runtime = try await GatewayRuntime(configuration: configuration, logger: logger)
            guard let checkpoint = try await runtime.store.latestCheckpoint(origin: configuration.logOrigin) else {
                throw ValidationError("the log \(configuration.logOrigin) has no checkpoint yet")
            }
            print(checkpoint.note, terminator: "")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an export offline against a checkpoint and the log's verifier key.",
            discussion: """
                Checks the checkpoint's signature, then the Merkle root of the first N entries (N = the checkpoint's \
                tree size) against it; entries past N are reported as not yet covered. Exits 0 only if all holds.
                """
        )
        @Option(help: "The JSON Lines export.") var entries: String
        @Option(help: "A checkpoint file (signed note).") var checkpoint: String
        @Option(help: "The verifier key, or a file holding it.") var key: String

        func run() async throws {
            let note = try Array(Data(contentsOf: URL(fileURLWithPath: checkpoint)))
            var keyText = key
            if FileManager.default.fileExists(atPath: key) {
                keyText = try String(contentsOfFile: key, encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines
                )
            }
            let result = ExportVerifier.verify(exportFileAt: entries, checkpointNote: note, verifierKey: keyText)
            if result.ok {
                print(result.message)
            } else {
                printError("verification failed: \(result.message)")
                throw ExitCode(1)
            }
        }
    }

    struct Append: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append synthetic share entries (for tests and benchmarks; no data is sent anywhere)."
        )
        @OptionGroup var options: ConfigurationOptions
        @Option(help: "How many entries.") var count: Int = 1
        @Option(help: "The vendor id to record.") var vendor: String = "test-vendor"
        @Option(help: "Appenders working at once.") var concurrency: Int = 1
        @Flag(help: "Print `ack SEQ` as each append is acknowledged (durable).") var printAcks = false
        @Option(help: "Record every --subject-every'th entry as a share of this subject (for report benchmarks).")
        var subject: String?
        @Option(help: "With --subject: one entry in this many names the subject.") var subjectEvery: Int = 100

        func run() async throws {
            let logger = GatewaydLogging.bootstrap(label: "gatewayd", defaultLevel: .warning)
            let runtime = try await GatewayRuntime(configuration: try await options.load(), logger: logger)
            let vendor = self.vendor
            let total = count
            let workers = max(1, concurrency)
            let printAcks = self.printAcks
            let subject = self.subject
            let every = max(1, subjectEvery)
            let keys = runtime.keys
            let appended = try await runtime.withShareLog { log in
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for worker in 0..<workers {
                        group.addTask {
                            var done = 0
                            var index = worker
                            while index < total {
                                var draft = SyntheticEntries.share(vendor: vendor, index: index)
                                if let subject, index % every == 0 {
                                    draft = SyntheticEntries.share(
                                        vendor: vendor,
                                        index: index,
                                        subject: (subject, keys.subjectRef(subject))
                                    )
                                }
                                let entry = try await log.append(draft)
                                if printAcks { AckPrinter.print(entry.seq) }
                                done += 1
                                index += workers
                            }
                            return done
                        }
                    }
                    return try await group.reduce(0, +)
                }
            }
            print("appended \(appended) entries; log size \(runtime.shareLog.size)")
        }
    }
}

/// Writes acknowledgements straight to standard output (unbuffered), so a killed process leaves every
/// acknowledged line behind.
enum AckPrinter {
    static func print(_ seq: Int) {
        let line = Array("ack \(seq)\n".utf8)
        line.withUnsafeBytes { _ = write(1, $0.baseAddress, $0.count) }
    }
}
