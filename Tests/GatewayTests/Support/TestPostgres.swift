import Foundation

/// The PostgreSQL server the suite runs against when `GATEWAY_TEST_POSTGRES_URL` is set (scripts/test.sh
/// sets it): each gateway gets a database of its own.
enum TestPostgres {
    /// `postgres://user@host:port/postgres`, or nil: the suite then runs on SQLite.
    static var baseURL: String? {
        ProcessInfo.processInfo.environment["GATEWAY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A command that takes `stop` or `start` to stop or start that server (for fault tests).
    static var control: String? {
        ProcessInfo.processInfo.environment["GATEWAY_TEST_POSTGRES_CONTROL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var enabled: Bool { baseURL != nil }

    /// Makes a fresh database and returns its URL.
    static func createDatabase() throws -> String? {
        guard let base = baseURL else { return nil }
        let name = "gw_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try psql(base, "CREATE DATABASE \(name)")
        guard let slash = base.lastIndex(of: "/") else { return nil }
        return String(base[..<slash]) + "/" + name
    }

    static func dropDatabase(_ url: String) {
        guard let base = baseURL, let name = url.split(separator: "/").last else { return }
        try? psql(base, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    static func psql(_ url: String, _ command: String) throws {
        let result = try GatewaydProcess.exec(
            "/usr/bin/env",
            ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", command]
        )
        if result.status != 0 { throw HarnessError("psql failed: \(result.stderr)") }
    }

    /// Stops or starts the server (needs GATEWAY_TEST_POSTGRES_CONTROL).
    static func server(_ action: String) throws {
        guard let control else { throw HarnessError("GATEWAY_TEST_POSTGRES_CONTROL is not set") }
        let result = try GatewaydProcess.exec("/bin/sh", ["-c", "\(control) \(action)"])
        if result.status != 0 { throw HarnessError("\(action) failed: \(result.stderr)") }
    }
}
