import Contracts
import Crypto

/// The identity of a consent record's content, so that importing the same record twice stores it once.
enum ConsentFingerprint {
    static func of(_ record: ConsentRecord) -> [UInt8] {
        var hasher = SHA256()
        let fields = [
            record.subject, record.purpose, record.vendor, record.status.rawValue,
            record.categories.sorted().joined(separator: " "), String(record.givenAt.epochMilliseconds),
            record.expiresAt.map { String($0.epochMilliseconds) } ?? "", record.source, record.evidence ?? "",
        ]
        for field in fields {
            hasher.update(data: Array(String(field.utf8.count).utf8) + [0x3A] + Array(field.utf8))
        }
        return Array(hasher.finalize())
    }
}
