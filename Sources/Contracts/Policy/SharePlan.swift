/// A request that passed the request-level checks, with its records found and their subjects named.
///
/// Made by `CompiledAgreement.plan(_:standing:body:query:)`; the caller looks up consent for `subjects`
/// and then calls `decide(consents:transformer:)`.
public struct SharePlan: Sendable {
    public let request: ShareRequest
    public let agreement: CompiledAgreement
    let operation: CompiledOperation
    let purposePlan: PurposePlan
    let body: JSONValue?
    let query: [JSONMember]
    /// The records and each one's subject (nil when it names none).
    let records: [(value: JSONValue, subject: String?)]

    /// The lawful basis the purpose relies on under this agreement.
    public var lawfulBasis: LawfulBasis { purposePlan.basis }

    /// The purpose id.
    public var purpose: String { purposePlan.purpose.id }

    /// The declared operation (`METHOD path`).
    public var operationName: String { operation.operation.method + " " + operation.operation.path }

    /// Every subject the records name, without repeats.
    public var subjects: [String] {
        records.compactMap(\.subject).uniquedByBytes()
    }

    /// How many records the request holds.
    public var recordCount: Int { records.count }
}

extension CompiledAgreement {
    /// The request-level checks (standing, term, operation, purpose, service, payload shape), then the
    /// records and their subjects.
    public func plan(
        _ request: ShareRequest,
        standing: ContractStanding,
        body: JSONValue?,
        query: [JSONMember]
    ) -> Result<SharePlan, ShareRefusal> {
        switch standing {
        case .approved: break
        case .pending:
            return .failure(ShareRefusal("contract-not-approved", "the vendor's agreement is not approved"))
        case .suspended:
            return .failure(ShareRefusal("vendor-suspended", "the vendor is suspended"))
        case .terminated:
            return .failure(ShareRefusal("vendor-terminated", "the vendor's agreement is terminated"))
        }
        let today = request.now.civilDate
        if today < agreement.term.effective {
            return .failure(
                ShareRefusal("contract-not-in-effect", "the agreement takes effect on \(agreement.term.effective)")
            )
        }
        if today > agreement.term.expires {
            return .failure(ShareRefusal("contract-expired", "the agreement expired on \(agreement.term.expires)"))
        }
        guard let operation = operations[Self.key(request.method, request.path)] else {
            return .failure(
                ShareRefusal("operation-not-declared", "the agreement declares no such operation for this vendor")
            )
        }
        guard let purpose = request.purpose else { return .failure(.purposeMissing()) }
        guard let purposePlan = operation.plans[Identifier(purpose)] else {
            return .failure(ShareRefusal("purpose-not-allowed", "the agreement does not allow this purpose"))
        }
        guard agreement.endpoint.allowedServices.contains(where: { $0.isBytewiseEqual(to: request.service) }) else {
            return .failure(ShareRefusal("service-not-allowed", "the agreement does not allow this service"))
        }
        var records: [(value: JSONValue, subject: String?)] = []
        if let recordsMembers = operation.recordsMembers {
            guard case .array(let elements)? = body.flatMap({ Self.follow(recordsMembers, in: $0) }) else {
                return .failure(
                    ShareRefusal("payload-shape", "the body has no records at \(operation.operation.records!)")
                )
            }
            guard elements.count <= request.maxRecords else {
                return .failure(ShareRefusal("too-many-records", "a batch may hold \(request.maxRecords) records"))
            }
            records.reserveCapacity(elements.count)
            for element in elements {
                let subject =
                    operation.subjectMembers == nil
                    ? request.subject : Self.subject(operation.subjectMembers!, in: element)
                records.append((element, subject))
            }
        } else {
            let record = body ?? .object([])
            guard case .object = record else {
                return .failure(ShareRefusal("payload-shape", "the body must be a JSON object"))
            }
            var subject = request.subject
            if let members = operation.subjectMembers, let named = Self.subject(members, in: record) {
                if let header = request.subject, !header.isBytewiseEqual(to: named) {
                    return .failure(
                        ShareRefusal(
                            "subject-ambiguous",
                            "the Share-Subject header and the body name different subjects"
                        )
                    )
                }
                subject = named
            }
            records.append((record, subject))
        }
        return .success(
            SharePlan(
                request: request,
                agreement: self,
                operation: operation,
                purposePlan: purposePlan,
                body: body,
                query: query,
                records: records
            )
        )
    }

    /// The subjects a request names, found without any policy check (for recording refusals): the records'
    /// subject paths when the operation is declared, else the `Share-Subject` header.
    public func subjects(method: String, path: String, body: JSONValue?, headerSubject: String?) -> [String] {
        guard let operation = operations[Self.key(method, path)] else { return headerSubject.map { [$0] } ?? [] }
        var found: [String] = []
        if let recordsMembers = operation.recordsMembers {
            if case .array(let elements)? = body.flatMap({ Self.follow(recordsMembers, in: $0) }) {
                for element in elements.prefix(100_000) {
                    if let members = operation.subjectMembers {
                        if let subject = Self.subject(members, in: element) { found.append(subject) }
                    } else if let headerSubject {
                        found.append(headerSubject)
                    }
                }
            }
        } else if let members = operation.subjectMembers, let body, let subject = Self.subject(members, in: body) {
            found.append(subject)
        } else if let headerSubject {
            found.append(headerSubject)
        }
        return found.uniquedByBytes()
    }

    /// The declared operation's path (the agreement's text), when `method` and `path` name one byte for byte.
    public func declaredOperationPath(method: String, path: String) -> String? {
        operations[Self.key(method, path)]?.operation.path
    }

    static func follow(_ members: [String], in value: JSONValue) -> JSONValue? {
        var current = value
        for name in members {
            guard let next = current[name] else { return nil }
            current = next
        }
        return current
    }

    /// A subject id: a non-empty string or an integer, at most 256 bytes.
    static func subject(_ members: [String], in record: JSONValue) -> String? {
        switch follow(members, in: record) {
        case .string(let text)? where !text.isEmpty && text.utf8.count <= 256:
            return text
        case .number(let number)? where number.intValue != nil:
            return number.literal
        default:
            return nil
        }
    }
}
