import Foundation
import Testing

@testable import Gateway

/// docs/openapi.yaml stays true: every documented route exists, every route is documented, with its roles.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    struct Operation: Hashable, CustomStringConvertible {
        var method: String
        var path: String
        var description: String { "\(method.uppercased()) \(path)" }
    }

    /// (method, path) → roles, read from the document's `paths:` block (2-space paths, 4-space methods).
    static func documented() throws -> [Operation: Set<String>] {
        let text = try String(
            contentsOf: RepositoryRoot.url.appendingPathComponent("docs/openapi.yaml"),
            encoding: .utf8
        )
        var operations: [Operation: Set<String>] = [:]
        var inPaths = false
        var path: String?
        var current: Operation?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == "paths:" {
                inPaths = true
                continue
            }
            guard inPaths else { continue }
            if !line.hasPrefix(" ") && !line.isEmpty { break }
            if line.hasPrefix("  /") && line.hasSuffix(":") && !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    ") && !line.hasPrefix("     ") && line.hasSuffix(":"), let path {
                let method = String(line.dropFirst(4).dropLast())
                if ["get", "post", "put", "delete", "patch"].contains(method) {
                    current = Operation(method: method, path: path)
                    operations[current!] = []
                }
            } else if let operation = current, line.trimmingCharacters(in: .whitespaces).hasPrefix("x-roles:") {
                let list = line.split(separator: "[", maxSplits: 1).last?.split(separator: "]").first ?? ""
                operations[operation] = Set(
                    list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                )
            }
        }
        return operations
    }

    @Test func documentMatchesTheRouteTable() async throws {
        try await withGateway { gateway in
            let routes = AdminAPI(runtime: gateway.runtime).routes
            let implemented = Dictionary(
                uniqueKeysWithValues: routes.map {
                    (Operation(method: $0.methodName.lowercased(), path: $0.path), Set($0.roles.map(\.rawValue)))
                }
            )
            let documented = try Self.documented()
            #expect(documented.count >= 25)
            for (operation, roles) in implemented {
                #expect(documented[operation] != nil, "\(operation) is not documented")
                if let documentedRoles = documented[operation] {
                    #expect(
                        documentedRoles == roles,
                        "\(operation): documented roles \(documentedRoles), code \(roles)"
                    )
                }
            }
            for operation in documented.keys where implemented[operation] == nil {
                Issue.record("\(operation) is documented but does not exist")
            }
        }
    }
}
