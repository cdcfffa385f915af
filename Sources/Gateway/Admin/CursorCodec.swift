import Crypto
import Foundation

/// Paging cursors: `(origin, seq)` with an HMAC, so a tampered cursor is refused rather than trusted.
struct CursorCodec: Sendable {
    let key: SymmetricKey

    func encode(_ position: LedgerPosition) -> String {
        let payload = Array("\(position.origin)\n\(position.seq)".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: key)
        return Base64URL.encode(payload + Array(mac).prefix(16))
    }

    func decode(_ cursor: String) throws(ProblemDetails) -> LedgerPosition {
        guard let bytes = Base64URL.decode(cursor), bytes.count > 16 else {
            throw ProblemDetails("invalid-request", "the cursor is not valid")
        }
        let payload = Array(bytes.dropLast(16))
        let mac = Array(HMAC<SHA256>.authenticationCode(for: payload, using: key)).prefix(16)
        guard Array(mac) == Array(bytes.suffix(16)) else {
            throw ProblemDetails("invalid-request", "the cursor is not valid")
        }
        let text = String(decoding: payload, as: UTF8.self)
        guard let newline = text.lastIndex(of: "\n"), let seq = Int(text[text.index(after: newline)...]) else {
            throw ProblemDetails("invalid-request", "the cursor is not valid")
        }
        return LedgerPosition(origin: String(text[..<newline]), seq: seq)
    }
}
