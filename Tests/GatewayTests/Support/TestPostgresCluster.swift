import Foundation

/// A PostgreSQL cluster of a test's own (initdb into a temporary directory), so the test can stop and start
/// the server without disturbing others. Needs Debian's `postgresql` server binaries.
final class TestPostgresCluster: Sendable {
    let directory: URL
    let port: Int
    let binaries: String
    let asPostgres: [String]

    static var binaries: String? {
        let root = "/usr/lib/postgresql"
        guard let versions = try? FileManager.default.contentsOfDirectory(atPath: root) else { return nil }
        return versions.sorted().map { "\(root)/\($0)/bin" }.last {
            FileManager.default.isExecutableFile(atPath: "\($0)/initdb")
        }
    }

    /// Whether the server takes only TLS connections (with the certificate given at init).
    let tlsOnly: Bool

    /// A cluster; with `tls` (PEM certificate and key), one that accepts TLS connections only.
    init(tls: (certificate: String, key: String)? = nil) throws {
        tlsOnly = tls != nil
        guard let binaries = Self.binaries else { throw HarnessError("PostgreSQL server binaries are not installed") }
        self.binaries = binaries
        directory = URL(fileURLWithPath: "/tmp/gw-cluster-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = Int.random(in: 40_000..<50_000)
        asPostgres = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []
        if getuid() == 0 { _ = try GatewaydProcess.exec("/bin/chown", ["postgres", directory.path]) }
        let initdb = try GatewaydProcess.exec(
            asPostgres.first ?? "\(binaries)/initdb",
            Array(asPostgres.dropFirst()) + (asPostgres.isEmpty ? [] : ["\(binaries)/initdb"]) + [
                "-D", directory.appendingPathComponent("data").path, "-A", "trust", "-U", "postgres",
            ]
        )
        guard initdb.status == 0 else { throw HarnessError("initdb failed: \(initdb.stderr)") }
        if let tls {
            let data = directory.appendingPathComponent("data")
            try Data(tls.certificate.utf8).write(to: data.appendingPathComponent("server.crt"))
            try Data(tls.key.utf8).write(to: data.appendingPathComponent("server.key"))
            try Data(
                "hostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\nlocal all all trust\n".utf8
            ).write(to: data.appendingPathComponent("pg_hba.conf"))
            if getuid() == 0 {
                _ = try GatewaydProcess.exec("/bin/chown", ["-R", "postgres", data.path])
            }
            _ = try GatewaydProcess.exec("/bin/chmod", ["0600", data.appendingPathComponent("server.key").path])
        }
        try start()
    }

    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    private func pgCtl(_ arguments: [String]) throws {
        let command =
            asPostgres + ["\(binaries)/pg_ctl", "-D", directory.appendingPathComponent("data").path] + arguments
        let status = try Spawn.run(command)
        guard status == 0 else { throw HarnessError("pg_ctl \(arguments.last ?? "") failed with status \(status)") }
    }

    func start() throws {
        try pgCtl([
            "-w", "-l", directory.appendingPathComponent("server.log").path,
            "-o",
            "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1"
                + (tlsOnly ? " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key" : ""),
            "start",
        ])
    }

    func stop() throws {
        try pgCtl(["-m", "fast", "-w", "stop"])
    }

    func destroy() {
        try? stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
