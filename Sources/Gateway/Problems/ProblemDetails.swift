import Contracts

/// An RFC 9457 problem: the body of every refusal, `application/problem+json`.
///
/// `type` is stable (`https://vendor-gateway.example/problems/<code>`); `detail` is written for people and never
/// holds a personal value; `shareId` names the share-log entry that recorded the refusal.
public struct ProblemDetails: Error, Sendable {
    public static let typePrefix = "https://vendor-gateway.example/problems/"
    public static let mediaType = "application/problem+json"

    public var code: String
    public var status: Int
    public var title: String
    public var detail: String
    public var shareID: String?
    /// Extra members (e.g. `errors` for a contract that fails validation).
    public var extensions: [JSONMember]

    public init(
        code: String,
        status: Int,
        title: String? = nil,
        detail: String,
        shareID: String? = nil,
        extensions: [JSONMember] = []
    ) {
        self.code = code
        self.status = status
        self.title = title ?? ProblemCatalog.title(for: code)
        self.detail = detail
        self.shareID = shareID
        self.extensions = extensions
    }

    /// A problem for a refusal code, with the catalog's status.
    public init(_ code: String, _ detail: String, shareID: String? = nil) {
        self.init(code: code, status: ProblemCatalog.status(for: code), detail: detail, shareID: shareID)
    }

    public var type: String { Self.typePrefix + code }

    /// The JSON body.
    public var json: JSONValue {
        var members = [
            JSONMember("type", .string(type)),
            JSONMember("title", .string(title)),
            JSONMember("status", .number(JSONNumber(status))),
            JSONMember("detail", .string(detail)),
        ]
        if let shareID { members.append(JSONMember("shareId", .string(shareID))) }
        members += extensions
        return .object(members)
    }

    public var bytes: [UInt8] { JSONWriter.bytes(json) }
}

extension ProblemDetails: CustomStringConvertible {
    public var description: String { "\(status) \(code): \(detail)" }
}
