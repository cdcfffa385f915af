import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Building admin-API answers: JSON written by the strict writer, problems as RFC 9457.
enum AdminResponses {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(
            status: status,
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(value)))
        )
    }

    static func text(_ text: String, contentType: String = "text/plain; charset=utf-8") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func problem(_ problem: ProblemDetails) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = ProblemDetails.mediaType
        headers[.cacheControl] = "no-store"
        if problem.status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        return Response(
            status: HTTPResponse.Status(code: problem.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: problem.bytes))
        )
    }

    static func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    static func int(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }
    static func time(_ value: Timestamp?) -> JSONValue { value.map { .string($0.rfc3339) } ?? .null }
}

/// Reading admin-API inputs strictly.
extension Request {
    /// A query parameter given at most once.
    func queryValue(_ name: String) throws(ProblemDetails) -> String? {
        let values = uri.queryParameters.getAll(name)
        guard values.count <= 1 else { throw ProblemDetails("invalid-request", "`\(name)` may be given once") }
        return values.first.map { String($0) }
    }

    func queryInt(_ name: String, range: ClosedRange<Int>) throws(ProblemDetails) -> Int? {
        guard let text = try queryValue(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ProblemDetails(
                "invalid-request",
                "`\(name)` must be an integer in \(range.lowerBound)...\(range.upperBound)"
            )
        }
        return value
    }

    func queryTime(_ name: String) throws(ProblemDetails) -> Timestamp? {
        guard let text = try queryValue(name) else { return nil }
        guard let time = Timestamp(rfc3339: text) else {
            throw ProblemDetails("invalid-request", "`\(name)` must be an RFC 3339 time")
        }
        return time
    }

    /// The whole body, bounded.
    func bytes(context: AdminRequestContext, limit: Int) async throws -> [UInt8] {
        do {
            return Array(buffer: try await body.collect(upTo: limit))
        } catch {
            throw ProblemDetails(code: "body-too-large", status: 413, detail: "the body is over \(limit) bytes")
        }
    }
}

extension AdminRequestContext {
    /// A path parameter, percent-decoded and checked: no control characters, no `/`, `\` or `..`.
    func pathParameter(_ name: String) throws(ProblemDetails) -> String {
        guard let raw = parameters.get(name), let decoded = raw.removingPercentEncoding, !decoded.isEmpty,
            decoded.utf8.count <= 256,
            !decoded.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
            !decoded.contains("/"), !decoded.contains("\\"), decoded != ".", decoded != ".."
        else {
            throw ProblemDetails("invalid-request", "the `\(name)` path parameter is not valid")
        }
        return decoded
    }

    /// A vendor id path parameter.
    func vendorParameter() throws(ProblemDetails) -> String {
        let id = try pathParameter("id")
        guard RequestTarget.isIdentifier(id) else {
            throw ProblemDetails("invalid-request", "the vendor id is not valid")
        }
        return id
    }
}
