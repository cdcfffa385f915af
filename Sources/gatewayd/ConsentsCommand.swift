import ArgumentParser
import Contracts
import Foundation
import Gateway
import Logging

struct ConsentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consents",
        abstract: "Manage consent records offline.",
        subcommands: [Import.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import consent records from a JSON Lines file (one record with `subject` per line).",
            discussion: """
                Every valid line is applied and every invalid one reported as FILE:LINE: error: ...; importing the \
                same file twice stores nothing new. Exits 1 when any line was invalid.
                """
        )
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "A JSON Lines file.") var file: String

        func run() async throws {
            let logger = GatewaydLogging.bootstrap(label: "gatewayd", defaultLevel: .warning)
            let runtime = try await GatewayRuntime(configuration: try await options.load(), logger: logger)
            let input = try await runtime.consentInput()
            let importer = ConsentImporter(input: input, service: runtime.consents)
            guard let handle = FileHandle(forReadingAtPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            let report = try await importer.run(lines: FileLines(handle: handle)) { line, message in
                printError("\(file):\(line): error: \(message)")
            }
            print(
                "\(report.applied) records applied (\(report.stored) new), \(report.invalid) lines invalid, \(report.lines) lines read"
            )
            if report.invalid > 0 { throw ExitCode(1) }
        }
    }
}

/// The lines of a file, read in chunks (a large import is never held in memory whole).
struct FileLines: AsyncSequence {
    typealias Element = [UInt8]
    let handle: FileHandle

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle
        var buffer: [UInt8] = []
        var start = 0
        var finished = false

        mutating func next() async throws -> [UInt8]? {
            while true {
                if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(buffer[start..<newline])
                    start = newline + 1
                    return line
                }
                if finished {
                    guard start < buffer.count else { return nil }
                    let line = Array(buffer[start...])
                    start = buffer.count
                    return line
                }
                buffer.removeFirst(start)
                start = 0
                let chunk = try handle.read(upToCount: 1 << 16) ?? Data()
                if chunk.isEmpty { finished = true } else { buffer += chunk }
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: handle) }
}
