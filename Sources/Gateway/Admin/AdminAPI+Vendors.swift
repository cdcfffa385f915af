import Contracts
import HTTPTypes
import Hummingbird
import NIOCore

extension AdminAPI {
    /// Agreements nearer than this to their `expires` date are flagged in listings.
    static let expiryWarningDays = 30

    var vendorRoutes: [AdminRoute] {
        [
            AdminRoute(.post, "/v1/vendors", roles: [.procurement]) { request, context in
                let xml = try await request.bytes(context: context, limit: 1 << 20)
                let principal = context.principal!
                do {
                    let record = try await self.runtime.registry.register(xml: xml, by: principal.name)
                    return AdminResponses.json(Self.versionJSON(record), status: .created)
                } catch let error as XMLDocumentError {
                    throw ProblemDetails(
                        code: "invalid-contract",
                        status: 422,
                        detail: "the agreement has \(error.diagnostics.count) problem(s)",
                        extensions: [JSONMember("errors", .array(error.diagnostics.map(Self.diagnosticJSON)))]
                    )
                }
            },
            AdminRoute(.post, "/v1/vendors/{id}/approve", roles: [.procurement]) { _, context in
                let record = try await self.runtime.registry.approve(
                    vendorID: try context.vendorParameter(),
                    by: context.principal!.name
                )
                return AdminResponses.json(Self.versionJSON(record))
            },
            AdminRoute(.post, "/v1/vendors/{id}/suspend", roles: [.procurement]) { _, context in
                let vendor = try await self.runtime.registry.setStatus(
                    vendorID: try context.vendorParameter(),
                    .suspended,
                    by: context.principal!.name
                )
                return AdminResponses.json(try await self.vendorJSON(vendor, detailed: false))
            },
            AdminRoute(.post, "/v1/vendors/{id}/terminate", roles: [.procurement]) { _, context in
                let vendor = try await self.runtime.registry.setStatus(
                    vendorID: try context.vendorParameter(),
                    .terminated,
                    by: context.principal!.name
                )
                return AdminResponses.json(try await self.vendorJSON(vendor, detailed: false))
            },
            AdminRoute(.get, "/v1/vendors", roles: [.procurement, .auditor]) { _, _ in
                var items: [JSONValue] = []
                for vendor in try await self.runtime.store.vendors() {
                    items.append(try await self.vendorJSON(vendor, detailed: false))
                }
                return AdminResponses.json(.object([JSONMember("vendors", .array(items))]))
            },
            AdminRoute(.get, "/v1/vendors/{id}", roles: [.procurement, .auditor]) { _, context in
                let id = try context.vendorParameter()
                guard let vendor = try await self.runtime.store.vendor(id) else {
                    throw ProblemDetails("not-found", "no vendor with this id")
                }
                return AdminResponses.json(try await self.vendorJSON(vendor, detailed: true))
            },
            AdminRoute(.get, "/v1/vendors/{id}/versions/{n}", roles: [.procurement, .auditor]) { _, context in
                let id = try context.vendorParameter()
                guard let number = Int(try context.pathParameter("n")), number > 0 else {
                    throw ProblemDetails("invalid-request", "the version is a positive integer")
                }
                guard let xml = try await self.runtime.store.xml(vendorID: id, version: number) else {
                    throw ProblemDetails("not-found", "no such version")
                }
                var headers = HTTPFields()
                headers[.contentType] = "application/xml"
                headers[.cacheControl] = "no-store"
                headers[HTTPField.Name("Digest-SHA256")!] = ContractRegistry.digest(xml)
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: xml)))
            },
        ]
    }

    static func diagnosticJSON(_ diagnostic: XMLDiagnostic) -> JSONValue {
        .object([
            JSONMember("line", AdminResponses.int(diagnostic.line)),
            JSONMember("message", .string(diagnostic.message)),
            JSONMember("hint", AdminResponses.string(diagnostic.hint)),
        ])
    }

    static func versionJSON(_ record: AgreementVersionRecord) -> JSONValue {
        .object([
            JSONMember("vendor", .string(record.vendorID)),
            JSONMember("agreement", .string(record.agreementID)),
            JSONMember("version", AdminResponses.int(record.version)),
            JSONMember("status", .string(record.status.rawValue)),
            JSONMember("digest", .string(record.digest)),
            JSONMember("registeredBy", .string(record.registeredBy)),
            JSONMember("registeredAt", AdminResponses.time(record.registeredAt)),
            JSONMember("approvedBy", AdminResponses.string(record.approvedBy)),
            JSONMember("approvedAt", AdminResponses.time(record.approvedAt)),
            JSONMember("effective", .string(record.effective.description)),
            JSONMember("expires", .string(record.expires.description)),
        ])
    }

    func vendorJSON(_ vendor: VendorRecord, detailed: Bool) async throws -> JSONValue {
        let versions = try await runtime.store.versions(vendorID: vendor.id)
        let current = versions.last { $0.status == .approved }
        let pending = versions.last { $0.status == .pending }
        let today = Timestamp.now().civilDate
        var members: [JSONMember] = [
            JSONMember("id", .string(vendor.id)),
            JSONMember("agreement", .string(vendor.agreementID)),
            JSONMember("status", .string(vendor.status.rawValue)),
            JSONMember("currentVersion", current.map { AdminResponses.int($0.version) } ?? .null),
            JSONMember("pendingVersion", pending.map { AdminResponses.int($0.version) } ?? .null),
            JSONMember("statusChangedBy", AdminResponses.string(vendor.statusChangedBy)),
            JSONMember("statusChangedAt", AdminResponses.time(vendor.statusChangedAt)),
        ]
        if let current {
            let days = current.expires.daysSinceEpoch - today.daysSinceEpoch
            members.append(JSONMember("expires", .string(current.expires.description)))
            members.append(JSONMember("daysToExpiry", AdminResponses.int(days)))
            members.append(JSONMember("expiringSoon", .bool(days >= 0 && days <= Self.expiryWarningDays)))
            members.append(JSONMember("expired", .bool(days < 0)))
        }
        if detailed {
            members.append(JSONMember("versions", .array(versions.map(Self.versionJSON))))
        }
        return .object(members)
    }
}
