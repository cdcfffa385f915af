import Crypto
import Foundation
import SwiftASN1
import X509

/// The certificates directory: a development CA, the server certificate and the services' client certificates.
///
/// Layout (DESIGN): `ca.pem`, `ca-key.pem`, `server.pem`, `server-key.pem`, `clients/NAME.pem`,
/// `clients/NAME-key.pem`. Private keys are written with mode 0600 and never committed.
public struct CertificateDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var caCertificatePath: String { path + "/ca.pem" }
    public var caKeyPath: String { path + "/ca-key.pem" }
    public var serverCertificatePath: String { path + "/server.pem" }
    public var serverKeyPath: String { path + "/server-key.pem" }

    public func clientCertificatePath(_ name: String) -> String { path + "/clients/\(name).pem" }
    public func clientKeyPath(_ name: String) -> String { path + "/clients/\(name)-key.pem" }

    /// Whether the CA and server certificate exist.
    public var isInitialized: Bool {
        let files = FileManager.default
        return [caCertificatePath, caKeyPath, serverCertificatePath, serverKeyPath].allSatisfy(
            files.fileExists(atPath:)
        )
    }

    /// Makes the CA, a server certificate for `localhost` and `127.0.0.1`, and a client certificate for
    /// `demo-service`. Refuses to overwrite an existing CA unless `force`.
    @discardableResult
    public func initialize(
        force: Bool = false,
        serverHosts: [String] = ["localhost", "127.0.0.1", "::1"]
    ) throws -> [String] {
        if !force, FileManager.default.fileExists(atPath: caCertificatePath) {
            throw CertificateDirectoryError("\(caCertificatePath) exists; use --force to replace the development CA")
        }
        try FileManager.default.createDirectory(atPath: path + "/clients", withIntermediateDirectories: true)
        let authority = try CertificateAuthority.make(commonName: "vendor-gateway development CA")
        try write(authority.certificate.pemString(), to: caCertificatePath, secret: false)
        try write(authority.privateKey.pemRepresentation, to: caKeyPath, secret: true)
        let server = try authority.issue(commonName: "localhost", hosts: serverHosts, usage: .server)
        try write(server.certificate.pemString(), to: serverCertificatePath, secret: false)
        try write(server.privateKey.pemRepresentation, to: serverKeyPath, secret: true)
        return [caCertificatePath, caKeyPath, serverCertificatePath, serverKeyPath]
            + (try issueClient(named: "demo-service"))
    }

    /// Issues a client certificate for service `name`, signed by the directory's CA.
    @discardableResult
    public func issueClient(named name: String) throws -> [String] {
        guard name.utf8.count <= 64, !name.isEmpty,
            name.utf8.allSatisfy({ DataPathByte.isServiceNameByte($0) })
        else {
            throw CertificateDirectoryError("a service name is 1 to 64 characters of a-z, A-Z, 0-9, '-', '_' and '.'")
        }
        let authority = try loadAuthority()
        let client = try authority.issue(
            commonName: name,
            uris: ["spiffe://vendor-gateway/service/\(name)"],
            usage: .client
        )
        try FileManager.default.createDirectory(atPath: path + "/clients", withIntermediateDirectories: true)
        try write(client.certificate.pemString(), to: clientCertificatePath(name), secret: false)
        try write(client.privateKey.pemRepresentation, to: clientKeyPath(name), secret: true)
        return [clientCertificatePath(name), clientKeyPath(name)]
    }

    /// The CA from `ca.pem` and `ca-key.pem`.
    public func loadAuthority() throws -> CertificateAuthority {
        let certificate = try Certificate(pemEncoded: String(contentsOfFile: caCertificatePath, encoding: .utf8))
        let key = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: caKeyPath, encoding: .utf8))
        return CertificateAuthority(certificate: certificate, privateKey: key)
    }

    func write(_ text: String, to file: String, secret: Bool) throws {
        let url = URL(fileURLWithPath: file)
        try? FileManager.default.removeItem(at: url)
        guard
            FileManager.default.createFile(
                atPath: file,
                contents: Data(text.utf8),
                attributes: [.posixPermissions: secret ? 0o600 : 0o644]
            )
        else {
            throw CertificateDirectoryError("cannot write \(file)")
        }
    }
}

/// A certificates-directory problem, with a message safe to show.
public struct CertificateDirectoryError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

enum DataPathByte {
    static func isServiceNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }
}
