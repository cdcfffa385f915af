import Foundation
import Testing

/// `gatewayd contracts`, `consents` and `tokens` with the real binary.
@Suite("gatewayd contracts, consents, tokens", .serialized)
struct ContractsAndConsentsCommandTests {
    @Test func validateReportsLikeACompilerAndExitsOne() throws {
        let gatewayd = try GatewaydProcess()
        defer { gatewayd.remove() }
        let agreements = RepositoryRoot.url.appendingPathComponent("contracts/agreements")
        let good = try FileManager.default.contentsOfDirectory(atPath: agreements.path).filter { $0.hasSuffix(".xml") }
            .map { agreements.appendingPathComponent($0).path }
        let ok = try gatewayd.run(["contracts", "validate"] + good)
        #expect(ok.status == 0, "\(ok.stderr)")
        var broken = try String(contentsOf: agreements.appendingPathComponent("acme-analytics.xml"), encoding: .utf8)
        broken = broken.replacingOccurrences(
            of: "user.contact.email\" transform",
            with: "user.contact.emial\" transform"
        )
        broken = broken.replacingOccurrences(of: "https://api.acme.example/v2", with: "http://10.0.0.1/v2")
        let file = gatewayd.file("broken.xml")
        try broken.write(to: file, atomically: true, encoding: .utf8)
        let result = try gatewayd.run(["contracts", "validate", file.path])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(
            lines.contains(
                "\(file.path):12: error: unknown category `user.contact.emial`; did you mean `user.contact.email`?"
            )
        )
        #expect(lines.contains { $0.hasPrefix("\(file.path):26: error: endpoint `http://10.0.0.1/v2` is not https") })
        #expect(lines.contains { $0.hasPrefix("\(file.path):26: error: endpoint host `10.0.0.1` is an IP literal") })
    }

    @Test func explainPrintsWhatLeavesPerPurpose() throws {
        let gatewayd = try GatewaydProcess()
        defer { gatewayd.remove() }
        let result = try gatewayd.run([
            "contracts", "explain",
            RepositoryRoot.url.appendingPathComponent("contracts/agreements/acme-analytics.xml").path,
        ])
        #expect(result.status == 0)
        #expect(result.output.contains("Purpose analytics (Analytics); basis consent"))
        #expect(result.output.contains("@.card_number  user.financial.credit_card      never (prohibited)"))
        #expect(result.output.contains("hashed (HMAC-SHA256 under a key for this vendor), with consent"))
    }

    @Test func importAgreementsAndConsentsOffline() throws {
        let gatewayd = try GatewaydProcess()
        defer { gatewayd.remove() }
        let acme = RepositoryRoot.url.appendingPathComponent("contracts/agreements/acme-analytics.xml").path
        let imported = try gatewayd.run(["contracts", "import", "--approve", acme])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.output.contains("acme version 3 approved"))
        let again = try gatewayd.run(["contracts", "import", acme])
        #expect(again.status == 1, "the same version cannot be registered twice")

        let lines = [
            #"{"subject":"u1","purpose":"analytics","vendor":"acme","status":"granted","givenAt":"2026-11-01T10:00:00Z","source":"cmp"}"#,
            #"{"subject":"u2","purpose":"analytics","vendor":"nobody","status":"granted","givenAt":"2026-11-01T10:00:00Z","source":"cmp"}"#,
            #"{"subject":"u3","purpose":"analytics","status":"granted","givenAt":"2026-11-01T10:00:00Z","source":"cmp"}"#,
            "{broken",
        ]
        let file = gatewayd.file("consents.jsonl")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let first = try gatewayd.run(["consents", "import", file.path])
        #expect(first.status == 1)
        #expect(first.output.contains("2 records applied (2 new), 2 lines invalid, 4 lines read"))
        #expect(first.stderr.contains("\(file.path):2: error: unknown vendor `nobody`"))
        #expect(first.stderr.contains("\(file.path):4: error:"))
        #expect(!first.stderr.contains("u2"), "no subject id in error messages")
        let second = try gatewayd.run(["consents", "import", file.path])
        #expect(second.output.contains("2 records applied (0 new)"))
    }

    @Test func tokensAreIssuedListedAndRevoked() throws {
        let gatewayd = try GatewaydProcess()
        defer { gatewayd.remove() }
        let issued = try gatewayd.run(["tokens", "issue", "--role", "auditor", "--name", "audrey"])
        #expect(issued.status == 0)
        let token = issued.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("gwt_") && token.count > 40)
        let listed = try gatewayd.run(["tokens", "list"])
        #expect(listed.output.contains("auditor  audrey"))
        #expect(!listed.output.contains(token))
        #expect(try gatewayd.run(["tokens", "revoke", "audrey"]).status == 0)
        #expect(try gatewayd.run(["tokens", "list"]).output.contains("revoked"))
        #expect(try gatewayd.run(["tokens", "issue", "--role", "root", "--name", "x"]).status != 0)
    }
}
