import Foundation
import NIOSSL

/// The TLS configurations the gateway uses: TLS 1.2 or later everywhere.
public enum GatewayTLS {
    /// The data plane: the server certificate, and a client certificate from the gateway's CA required.
    public static func dataPlane(_ directory: CertificateDirectory) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfigurationWithMTLS(
            certificateChain: try NIOSSLCertificate.fromPEMFile(directory.serverCertificatePath).map {
                .certificate($0)
            },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: directory.serverKeyPath, format: .pem)),
            trustRoots: .certificates(try NIOSSLCertificate.fromPEMFile(directory.caCertificatePath))
        )
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// The admin API: the same server certificate, no client certificate.
    public static func admin(_ directory: CertificateDirectory) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(directory.serverCertificatePath).map {
                .certificate($0)
            },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: directory.serverKeyPath, format: .pem))
        )
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// Connections to vendors: full verification (chain and host name) against the system roots, or against
    /// the roots in `trustRootsFile` alone when given.
    public static func upstream(trustRootsFile: String?) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let trustRootsFile {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(trustRootsFile))
        }
        return configuration
    }
}
