import Foundation

/// Standard base64 (RFC 4648 §4, with padding), strict: decoding accepts only
/// the canonical encoding, so every value has exactly one textual form.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// The bytes `text` encodes, or nil unless `text` is canonical standard base64.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let string = String(text)
        guard let data = Data(base64Encoded: string) else { return nil }
        let bytes = [UInt8](data)
        guard encode(bytes) == string else { return nil }
        return bytes
    }
}
