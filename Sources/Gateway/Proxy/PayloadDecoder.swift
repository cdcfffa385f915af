import Contracts
import NIOHTTP1

/// Turns a request body into what the policy inspects, or refuses it.
///
/// - `application/json` and `application/*+json`: the strict JSON reader; a `charset` other than UTF-8 refused.
/// - `application/x-www-form-urlencoded`: the strict form reader, as one JSON object of strings.
/// - Anything else with a body (or a body with no `Content-Type`) is refused: what cannot be inspected is
///   never passed through.
/// - `Content-Encoding: gzip` (one header, one coding) is decoded within size and ratio bounds; any other
///   coding, or a list, is refused.
public struct PayloadDecoder: Sendable {
    public enum Kind: Sendable, Equatable {
        case json
        case form
    }

    public struct Payload: Sendable {
        public var kind: Kind?
        public var value: JSONValue?
    }

    let limits: GatewayLimits

    public init(limits: GatewayLimits) {
        self.limits = limits
    }

    public func decode(headers: HTTPHeaders, body: [UInt8]) throws(ProblemDetails) -> Payload {
        let encodings = headers["content-encoding"]
        var bytes = body
        if !encodings.isEmpty {
            guard encodings.count == 1 else {
                throw ProblemDetails("encoding-unsupported", "send at most one Content-Encoding header")
            }
            let coding = encodings[0].trimmingASCIIWhitespace().lowercased()
            switch coding {
            case "identity":
                break
            case "gzip":
                do {
                    bytes = try GzipDecoder.decode(
                        body,
                        maxOutputBytes: limits.maxDecodedBodyBytes,
                        maxRatio: limits.maxCompressionRatio
                    )
                } catch {
                    if error == .tooLarge || error == .ratioExceeded {
                        throw ProblemDetails(
                            "body-too-large",
                            "the decompressed body is over \(limits.maxDecodedBodyBytes) bytes or \(limits.maxCompressionRatio)x its compressed size"
                        )
                    }
                    throw ProblemDetails("encoding-unsupported", "the gzip body cannot be decoded (\(error))")
                }
            default:
                throw ProblemDetails("encoding-unsupported", "only gzip can be decoded for inspection; use one coding")
            }
        }
        let contentTypes = headers["content-type"]
        if contentTypes.count > 1 {
            throw ProblemDetails("media-type-unsupported", "send one Content-Type header")
        }
        guard let contentType = contentTypes.first else {
            if bytes.isEmpty { return Payload(kind: nil, value: nil) }
            throw ProblemDetails("media-type-unsupported", "a body needs a Content-Type the gateway can inspect")
        }
        let (mediaType, parameters) = Self.parseMediaType(contentType)
        if let charset = parameters["charset"], charset.lowercased() != "utf-8" {
            throw ProblemDetails("media-type-unsupported", "only UTF-8 bodies can be inspected")
        }
        if mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) {
            if bytes.isEmpty { throw ProblemDetails("malformed-json", "the body is empty") }
            do {
                let value = try JSONReader.parse(bytes, limits: JSONReader.Limits(maxDepth: limits.maxJSONDepth))
                return Payload(kind: .json, value: value)
            } catch {
                throw ProblemDetails("malformed-json", "the body is not strict JSON (RFC 8259): \(error)")
            }
        }
        if mediaType == "application/x-www-form-urlencoded" {
            do {
                return Payload(kind: .form, value: .object(try FormCodec.parse(bytes)))
            } catch {
                throw ProblemDetails("malformed-form", "the form body is malformed: \(error)")
            }
        }
        throw ProblemDetails(
            "media-type-unsupported",
            "bodies of this media type cannot be inspected; send JSON or a form"
        )
    }

    /// `type/subtype` lower-cased, and its parameters (names lower-cased, quotes removed).
    static func parseMediaType(_ text: String) -> (String, [String: String]) {
        let parts = text.split(separator: ";", omittingEmptySubsequences: false)
        let mediaType = String(parts.first ?? "").trimmingASCIIWhitespace().lowercased()
        var parameters: [String: String] = [:]
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            var value = String(pair[1]).trimmingASCIIWhitespace()
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            parameters[String(pair[0]).trimmingASCIIWhitespace().lowercased()] = value
        }
        return (mediaType, parameters)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingASCIIWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
