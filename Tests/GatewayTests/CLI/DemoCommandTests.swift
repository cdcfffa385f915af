import Foundation
import Testing

/// `gatewayd demo` tells its story end to end, its last act a rights request.
@Suite("gatewayd demo")
struct DemoCommandTests {
    @Test func theDemoEndsWithAnErasureThatReachesOnlyTheRecipient() throws {
        let gatewayd = try GatewaydProcess(origin: "cli.example/demo")
        defer { gatewayd.remove() }
        let result = try gatewayd.run(["demo"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = result.output
        let act = try #require(output.range(of: "6. u-1002 asks for erasure"))
        let lastAct = String(output[act.lowerBound...])
        #expect(lastAct.contains("acme   channel api"))
        #expect(!lastAct.contains("oldco   channel"), "oldco never received u-1002's data")
        #expect(lastAct.contains("vendor received POST /v2/privacy/requests   Authorization: Bearer sk_demo_acme"))
        #expect(lastAct.contains(#""identifiers":[{"path":"@.user_id","value":"u-1002"}]"#))
        #expect(lastAct.contains("was told: nothing"))
        #expect(lastAct.contains("subject-erased"))
        #expect(output.contains("Verified offline"))
    }
}
