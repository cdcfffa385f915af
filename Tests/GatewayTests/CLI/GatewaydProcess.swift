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
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("contracts"),
            withIntermediateDirectories: true
        )
        environment = [
            "GATEWAY_DATA_DIR": directory.appendingPathComponent("var").path,
            "GATEWAY_CERTS_DIR": directory.appendingPathComponent("certs").path,
            "GATEWAY_CONTRACTS_DIR": directory.appendingPathComponent("contracts").path,
            "GATEWAY_LOG_ORIGIN": origin,
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
        database = try TestPostgres.createDatabase()
        if let database { environment["GATEWAY_STORAGE_URL"] = database }
    }

    /// The PostgreSQL database, when the suite runs on PostgreSQL.
    let database: String?

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

    /// Runs a program to completion; its output goes through temporary files (reading pipes with
    /// Foundation can trap on EINTR).
    static func exec(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        directory: URL? = nil,
        stdin: [UInt8]? = nil
    ) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        let inURL = scratch.appendingPathComponent("in")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inURL.path, contents: Data(stdin ?? []))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        defer {
            try? out.close()
            try? err.close()
            try? input.close()
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: Array(try Data(contentsOf: outURL)),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        )
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
        if let database { TestPostgres.dropDatabase(database) }
    }
}
