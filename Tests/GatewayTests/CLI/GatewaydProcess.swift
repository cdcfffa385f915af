import Foundation

/// Runs the real `gatewayd` binary (built next to the test bundle) in a directory of its own.
struct GatewaydProcess {
    static let binary: URL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("gatewayd")

    let directory: URL
    var environment: [String: String]

    init(origin: String = "cli.example/test") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatewayd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("contracts"), withIntermediateDirectories: true)
        environment = [
            "GATEWAY_DATA_DIR": directory.appendingPathComponent("var").path,
            "GATEWAY_CERTS_DIR": directory.appendingPathComponent("certs").path,
            "GATEWAY_CONTRACTS_DIR": directory.appendingPathComponent("contracts").path,
            "GATEWAY_LOG_ORIGIN": origin,
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
    }

    struct Result {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
        var output: String { String(decoding: stdout, as: UTF8.self) }
    }

    func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Runs `gatewayd arguments...` to completion.
    func run(_ arguments: [String], stdin: [UInt8]? = nil) throws -> Result {
        try Self.exec(Self.binary.path, arguments, environment: environment, directory: directory, stdin: stdin)
    }

    static func exec(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil, stdin: [UInt8]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
        try? input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: Array(outData), stderr: String(decoding: errData, as: UTF8.self))
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
