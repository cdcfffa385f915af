import Contracts
import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate authority made for development and tests, and the certificates it issues.
///
/// Keys are ECDSA P-256. Nothing here is for production: production certificates come from the company's PKI.
public struct CertificateAuthority: Sendable {
    public let certificate: Certificate
    public let privateKey: P256.Signing.PrivateKey

    public init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) {
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// A new self-signed CA.
    public static func make(commonName: String, validFor days: Int = 3650) throws -> CertificateAuthority {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("vendor-gateway")
            CommonName(commonName)
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
            },
            issuerPrivateKey: .init(key)
        )
        return CertificateAuthority(certificate: certificate, privateKey: key)
    }

    /// What an issued certificate is for.
    public enum Usage: Sendable {
        case server
        case client
    }

    /// Issues a certificate. `hosts` become DNS or IP subject alternative names.
    public func issue(
        commonName: String,
        hosts: [String] = [],
        uris: [String] = [],
        usage: Usage,
        notBefore: Date = Date().addingTimeInterval(-300),
        notAfter: Date = Date().addingTimeInterval(825 * 86_400)
    ) throws -> (certificate: Certificate, privateKey: P256.Signing.PrivateKey) {
        let key = P256.Signing.PrivateKey()
        var names: [GeneralName] = []
        for host in hosts {
            switch IPAddress(host) {
            case .v4(let bytes)?, .v6(let bytes)?:
                names.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...])))
            case nil:
                names.append(.dnsName(host))
            }
        }
        names += uris.map { .uniformResourceIdentifier($0) }
        let subject = try DistinguishedName {
            OrganizationName("vendor-gateway")
            CommonName(commonName)
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: usage == .server))
            try ExtendedKeyUsage([usage == .server ? .serverAuth : .clientAuth])
            AuthorityKeyIdentifier(keyIdentifier: try? certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
            if !names.isEmpty {
                SubjectAlternativeNames(names)
            }
        }
        let issued = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: certificate.subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: .init(privateKey)
        )
        return (issued, key)
    }
}

extension Certificate {
    /// The certificate in PEM.
    public func pemString() throws -> String {
        try serializeAsPEM().pemString
    }
}
