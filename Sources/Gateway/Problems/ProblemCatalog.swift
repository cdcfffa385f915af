/// The problem codes the gateway answers with, their HTTP status and title. Codes are stable: clients and
/// auditors match on them.
public enum ProblemCatalog {
    struct Entry {
        let status: Int
        let title: String
    }

    static let entries: [String: Entry] = [
        // Policy (the contract and the consent).
        "consent-missing": Entry(status: 403, title: "No consent"),
        "consent-withdrawn": Entry(status: 403, title: "Consent withdrawn"),
        "consent-expired": Entry(status: 403, title: "Consent expired"),
        "objection": Entry(status: 403, title: "The subject objected"),
        "subject-erased": Entry(status: 403, title: "The subject asked for erasure"),
        "processing-restricted": Entry(status: 403, title: "The subject asked for processing to be restricted"),
        "rights-unavailable": Entry(status: 503, title: "Rights requests cannot be checked"),
        "gpc-opt-out": Entry(status: 403, title: "Opted out by Global Privacy Control"),
        "no-lawful-basis": Entry(status: 403, title: "No record has a lawful basis"),
        "purpose-missing": Entry(status: 400, title: "Purpose missing"),
        "purpose-not-allowed": Entry(status: 403, title: "Purpose not allowed by the agreement"),
        "service-not-allowed": Entry(status: 403, title: "Service not allowed by the agreement"),
        "operation-not-declared": Entry(status: 403, title: "Operation not declared in the agreement"),
        "vendor-unknown": Entry(status: 404, title: "Unknown vendor"),
        "contract-not-approved": Entry(status: 403, title: "Agreement not approved"),
        "vendor-suspended": Entry(status: 403, title: "Vendor suspended"),
        "vendor-terminated": Entry(status: 403, title: "Agreement terminated"),
        "contract-expired": Entry(status: 403, title: "Agreement expired"),
        "contract-not-in-effect": Entry(status: 403, title: "Agreement not yet in effect"),
        "subject-missing": Entry(status: 400, title: "Subject missing"),
        "subject-ambiguous": Entry(status: 400, title: "Subject ambiguous"),
        "payload-shape": Entry(status: 422, title: "Payload does not match the data map"),
        "too-many-records": Entry(status: 413, title: "Too many records"),
        // The request itself.
        "malformed-json": Entry(status: 400, title: "Malformed JSON"),
        "malformed-form": Entry(status: 400, title: "Malformed form body"),
        "malformed-query": Entry(status: 400, title: "Malformed query string"),
        "media-type-unsupported": Entry(status: 415, title: "Media type cannot be inspected"),
        "encoding-unsupported": Entry(status: 415, title: "Content coding not supported"),
        "body-too-large": Entry(status: 413, title: "Body too large"),
        "headers-too-large": Entry(status: 431, title: "Request headers too large"),
        "request-ambiguous": Entry(status: 400, title: "Request could be read two ways"),
        "path-invalid": Entry(status: 400, title: "Request path not allowed"),
        "header-invalid": Entry(status: 400, title: "Request header not allowed"),
        "request-timeout": Entry(status: 408, title: "Request too slow"),
        "method-not-allowed": Entry(status: 405, title: "Method not allowed"),
        // The gateway and the vendor.
        "log-unavailable": Entry(status: 503, title: "Share log unavailable"),
        "consent-unavailable": Entry(status: 503, title: "Consent store unavailable"),
        "credential-unavailable": Entry(status: 503, title: "Vendor credential not configured"),
        "vendor-busy": Entry(status: 503, title: "Too many requests in flight to this vendor"),
        "upstream-unreachable": Entry(status: 502, title: "Vendor unreachable"),
        "upstream-private-address": Entry(status: 502, title: "Vendor resolves to a private address"),
        "upstream-tls": Entry(status: 502, title: "Vendor TLS failed"),
        "upstream-timeout": Entry(status: 504, title: "Vendor too slow"),
        "upstream-protocol": Entry(status: 502, title: "Vendor answer not valid HTTP"),
        "upstream-too-large": Entry(status: 502, title: "Vendor answer too large"),
        "upstream-redirect": Entry(status: 502, title: "Vendor answered with a redirect"),
        "internal": Entry(status: 500, title: "Internal error"),
        // Admin API.
        "unauthorized": Entry(status: 401, title: "Unauthorized"),
        "forbidden": Entry(status: 403, title: "Forbidden"),
        "not-found": Entry(status: 404, title: "Not found"),
        "conflict": Entry(status: 409, title: "Conflict"),
        "invalid-contract": Entry(status: 422, title: "The agreement is not valid"),
        "invalid-request": Entry(status: 400, title: "Invalid request"),
        "invalid-consent": Entry(status: 422, title: "Invalid consent records"),
        "invalid-rights-request": Entry(status: 422, title: "Invalid rights request"),
        "unavailable": Entry(status: 503, title: "Unavailable"),
    ]

    /// The HTTP status for `code` (500 for a code the catalog does not know).
    public static func status(for code: String) -> Int {
        entries[code]?.status ?? 500
    }

    /// The title for `code`.
    public static func title(for code: String) -> String {
        entries[code]?.title ?? "Refused"
    }

    /// Every code.
    public static var codes: [String] { entries.keys.sorted() }
}
