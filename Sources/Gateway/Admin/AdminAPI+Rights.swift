import Contracts
import HTTPTypes
import Hummingbird

extension AdminAPI {
    var rightsRoutes: [AdminRoute] {
        [
            AdminRoute(.post, "/v1/subjects/{id}/requests", roles: [.consent]) { request, context in
                let subject = try context.pathParameter("id")
                let body = try await request.bytes(context: context, limit: 64 << 10)
                let filing = try self.rightsFiling(body, subject: subject, principal: context.principal!.name)
                let (stored, created) = try await self.runtime.rights.file(filing)
                // A second identical request while one is open is that request, answered 200 rather than 202.
                return AdminResponses.json(
                    Self.rightsRequestJSON(stored, now: .now()),
                    status: created ? .accepted : .ok
                )
            },
            AdminRoute(.get, "/v1/requests", roles: [.consent, .auditor]) { request, _ in
                var query = RightsRequestQuery()
                if let text = try request.queryValue("type") {
                    guard let type = RightsRequestType(rawValue: text) else {
                        throw ProblemDetails("invalid-request", "`type` is one of \(Self.requestTypeList)")
                    }
                    query.type = type
                }
                if let text = try request.queryValue("status") {
                    guard let status = RightsRequest.Status(rawValue: text) else {
                        throw ProblemDetails("invalid-request", "`status` is `open` or `done`")
                    }
                    query.status = status
                }
                if let vendor = try request.queryValue("vendor") {
                    guard RequestTarget.isIdentifier(vendor) else {
                        throw ProblemDetails("invalid-request", "`vendor` is not a vendor id")
                    }
                    query.vendor = vendor
                }
                let now = Timestamp.now()
                switch try request.queryValue("overdue") {
                case nil, "false": break
                case "true": query.overdueAt = now
                default: throw ProblemDetails("invalid-request", "`overdue` is `true` or `false`")
                }
                query.limit = try request.queryInt("limit", range: 1...1000) ?? 100
                if let cursor = try request.queryValue("cursor") {
                    let position = try self.cursors.decode(cursor)
                    query.before = (Timestamp(epochMilliseconds: Int64(position.seq)), position.origin)
                }
                let page = try await self.runtime.store.rightsRequests(query)
                let next: JSONValue
                if page.count == query.limit, let last = page.last {
                    next = .string(
                        self.cursors.encode(LedgerPosition(origin: last.id, seq: Int(last.createdAt.epochMilliseconds)))
                    )
                } else {
                    next = .null
                }
                return AdminResponses.json(
                    .object([
                        JSONMember("requests", .array(page.map { Self.rightsRequestJSON($0, now: now) })),
                        JSONMember("nextCursor", next),
                    ])
                )
            },
            AdminRoute(.get, "/v1/requests/{id}", roles: [.consent, .auditor]) { _, context in
                let id = try context.pathParameter("id")
                guard let stored = try await self.runtime.store.rightsRequest(id: id) else {
                    throw ProblemDetails("not-found", "no rights request has this id")
                }
                return AdminResponses.json(Self.rightsRequestJSON(stored, now: .now()))
            },
            AdminRoute(.post, "/v1/requests/{id}/recipients/{vendor}/confirm", roles: [.consent]) { request, context in
                let id = try context.pathParameter("id")
                let vendor = try context.pathParameter("vendor")
                let body = try await request.bytes(context: context, limit: 16 << 10)
                var note: String?
                if !body.isEmpty {
                    let value: JSONValue
                    do {
                        value = try JSONReader.parse(body)
                    } catch {
                        throw ProblemDetails("invalid-request", "the body is not strict JSON: \(error)")
                    }
                    guard case .object(let members) = value, members.allSatisfy({ $0.key == "note" }) else {
                        throw ProblemDetails("invalid-request", "the body is `{\"note\": \"...\"}`")
                    }
                    switch value["note"] {
                    case nil, .null?: break
                    case .string(let text)? where text.utf8.count <= 2000: note = text
                    default: throw ProblemDetails("invalid-request", "`note` is a string of at most 2000 bytes")
                    }
                }
                guard
                    let confirmed = try await self.runtime.rights.confirm(
                        requestID: id,
                        vendor: vendor,
                        by: context.principal!.name,
                        note: note
                    )
                else {
                    throw ProblemDetails("not-found", "this request has no such recipient")
                }
                return AdminResponses.json(Self.rightsRequestJSON(confirmed, now: .now()))
            },
            AdminRoute(.delete, "/v1/subjects/{id}/restriction", roles: [.consent]) { _, context in
                let subject = try context.pathParameter("id")
                guard try await self.runtime.rights.liftRestriction(subject: subject) else {
                    throw ProblemDetails("not-found", "processing of this subject is not restricted")
                }
                return AdminResponses.json(.object([JSONMember("lifted", .bool(true))]))
            },
        ]
    }

    static let requestTypeList = RightsRequestType.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")

    /// Reads a filing: `type` (required), `purposes` (required for objection, only there), `categories`
    /// (rectification only), `reference` (optional). Every error is listed in one 422.
    func rightsFiling(_ body: [UInt8], subject: String, principal: String) throws -> RightsService.Filing {
        let value: JSONValue
        do {
            value = try JSONReader.parse(body)
        } catch {
            throw ProblemDetails("invalid-request", "the body is not strict JSON: \(error)")
        }
        guard case .object(let members) = value else {
            throw ProblemDetails("invalid-request", "the body is a JSON object")
        }
        var errors: [String] = []
        let allowed: Set<String> = ["type", "purposes", "categories", "reference"]
        for member in members where !allowed.contains(member.key) {
            errors.append("unknown member `\(FieldWalkerSafe.name(member.key))`")
        }
        var type: RightsRequestType?
        switch value["type"] {
        case .string(let text)?:
            type = RightsRequestType(rawValue: text)
            if type == nil { errors.append("`type` is one of \(Self.requestTypeList)") }
        case nil: errors.append("`type` is required")
        default: errors.append("`type` is a string")
        }
        func list(_ name: String, known: (String) -> Bool, what: String) -> [String] {
            guard let member = value[name] else { return [] }
            guard case .array(let items) = member, items.count <= 100 else {
                errors.append("`\(name)` is an array of at most 100 \(what) ids")
                return []
            }
            var result: [String] = []
            for item in items {
                guard let text = item.stringValue, known(text) else {
                    errors.append("`\(name)` names an unknown \(what)")
                    continue
                }
                result.append(text)
            }
            return result
        }
        let taxonomy = runtime.taxonomy
        let purposes = list("purposes", known: { taxonomy.purpose($0) != nil }, what: "purpose")
        let categories = list("categories", known: { taxonomy.category($0) != nil }, what: "category")
        switch type {
        case .objection?:
            if value["purposes"] == nil || value["purposes"] == .array([]) {
                errors.append("an objection names the purposes objected to (`purposes`)")
            }
        case .some:
            if value["purposes"] != nil { errors.append("`purposes` applies to objections only") }
        case nil: break
        }
        if type != .rectification, type != nil, value["categories"] != nil {
            errors.append("`categories` applies to rectification only")
        }
        var reference: String?
        switch value["reference"] {
        case nil, .null?: break
        case .string(let text)?
        where !text.isEmpty && text.utf8.count <= 128
            && !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }):
            reference = text
        default: errors.append("`reference` is a string of 1 to 128 bytes")
        }
        guard errors.isEmpty, let type else {
            throw ProblemDetails(
                code: "invalid-rights-request",
                status: 422,
                detail: errors.joined(separator: "; "),
                extensions: [JSONMember("errors", .array(errors.map(JSONValue.string)))]
            )
        }
        return RightsService.Filing(
            subject: subject,
            type: type,
            purposes: purposes,
            categories: categories,
            reference: reference,
            principal: principal
        )
    }

    /// A request as the API shows it. No subject id: the request names the subject by ref only.
    static func rightsRequestJSON(_ request: RightsRequest, now: Timestamp) -> JSONValue {
        .object([
            JSONMember("id", .string(request.id)),
            JSONMember("type", .string(request.type.rawValue)),
            JSONMember("status", .string(request.status.rawValue)),
            JSONMember("createdAt", .string(request.createdAt.rfc3339)),
            JSONMember("createdBy", .string(request.createdBy)),
            JSONMember("doneAt", AdminResponses.time(request.doneAt)),
            JSONMember("subjectRef", .string(request.subjectRef)),
            JSONMember("purposes", .array(request.purposes.map(JSONValue.string))),
            JSONMember("categories", .array(request.categories.map(JSONValue.string))),
            JSONMember("reference", AdminResponses.string(request.reference)),
            JSONMember(
                "overdue",
                .bool(request.status == .open && request.recipients.contains { $0.isOverdue(at: now) })
            ),
            JSONMember("recipients", .array(request.recipients.map { recipientJSON($0, now: now) })),
        ])
    }

    static func recipientJSON(_ recipient: RightsRecipient, now: Timestamp) -> JSONValue {
        let overdue = recipient.isOverdue(at: now)
        return .object([
            JSONMember("vendor", .string(recipient.vendor)),
            JSONMember("channel", .string(recipient.channel.rawValue)),
            // An open recipient past its answer date is listed as `overdue`; `delivery` keeps where it stands.
            JSONMember("status", .string(overdue ? "overdue" : recipient.status.rawValue)),
            JSONMember("delivery", .string(recipient.status.rawValue)),
            JSONMember("respondBy", .string(recipient.respondBy.rfc3339)),
            JSONMember("contact", recipient.channel == .manual ? .string(recipient.contact) : .null),
            JSONMember(
                "contract",
                .object([
                    JSONMember("id", .string(recipient.contractID)),
                    JSONMember("version", AdminResponses.int(recipient.contractVersion)),
                ])
            ),
            JSONMember("categories", .array(recipient.categories.map(JSONValue.string))),
            JSONMember("firstShared", .string(recipient.firstShared.rfc3339)),
            JSONMember("lastShared", .string(recipient.lastShared.rfc3339)),
            JSONMember("attempts", AdminResponses.int(recipient.attempts)),
            JSONMember("lastAttemptAt", AdminResponses.time(recipient.lastAttemptAt)),
            JSONMember(
                "nextAttemptAt",
                AdminResponses.time(recipient.status == .pending ? recipient.nextAttemptAt : nil)
            ),
            JSONMember("upstreamStatus", recipient.upstreamStatus.map { AdminResponses.int($0) } ?? .null),
            JSONMember("lastError", AdminResponses.string(recipient.lastError)),
            JSONMember("notifiedAt", AdminResponses.time(recipient.notifiedAt)),
            JSONMember("confirmedAt", AdminResponses.time(recipient.confirmedAt)),
            JSONMember("confirmedBy", AdminResponses.string(recipient.confirmedBy)),
            JSONMember("note", AdminResponses.string(recipient.note)),
        ])
    }
}
