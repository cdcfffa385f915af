import Contracts
import Foundation
import Testing

@Suite("Contract validation")
struct ContractValidatorTests {
    static let example: String = {
        (try? String(contentsOf: RepositoryFiles.url("contracts/agreements/acme-analytics.xml"), encoding: .utf8)) ?? ""
    }()

    func validate(_ text: String, options: ContractValidationOptions = .init()) -> Result<Agreement, XMLDocumentError> {
        Result { () throws(XMLDocumentError) in
            try ContractValidator(options: options).validate(Array(text.utf8))
        }
    }

    func problems(_ text: String, options: ContractValidationOptions = .init()) -> [XMLDiagnostic] {
        if case .failure(let error) = validate(text, options: options) { return error.diagnostics }
        return []
    }

    /// The example with one edit.
    func example(replacing old: String, with new: String) -> String {
        precondition(Self.example.contains(old), "the example has no `\(old)`")
        return Self.example.replacingOccurrences(of: old, with: new)
    }

    @Test func designExampleIsValid() throws {
        let agreement = try validate(Self.example).get()
        #expect(agreement.id == "acme-analytics")
        #expect(agreement.version == 3)
        #expect(agreement.vendor.id == "acme")
        #expect(agreement.purposes.map(\.ref) == ["analytics", "essential.fraud_detection"])
        #expect(agreement.endpoint.baseURL == "https://api.acme.example/v2")
        #expect(agreement.operations.first?.records?.description == "$.events[*]")
        #expect(agreement.operations.first?.fields.count == 6)
    }

    @Test func everyExampleAgreementIsValid() throws {
        let files = try RepositoryFiles.files(in: "contracts/agreements")
        #expect(files.count >= 3)
        for file in files {
            let result = validate(try String(contentsOf: file, encoding: .utf8))
            if case .failure(let error) = result {
                Issue.record("\(file.lastPathComponent): \(error)")
            }
        }
    }

    @Test func everySchemaViolationFixtureIsRefused() throws {
        let files = try RepositoryFiles.files(in: "Tests/ContractsTests/Fixtures/agreements-invalid-schema")
        #expect(files.count >= 8)
        for file in files {
            let found = problems(try String(contentsOf: file, encoding: .utf8))
            #expect(!found.isEmpty, "\(file.lastPathComponent) was accepted")
            #expect(found.allSatisfy { $0.line > 0 }, "\(file.lastPathComponent): \(found)")
        }
    }

    // MARK: meaning checks, one per kind

    @Test func unknownCategoryWithSuggestion() {
        let found = problems(
            example(replacing: "user.contact.email\" transform", with: "user.contact.emial\" transform")
        )
        let problem = found.first
        #expect(problem?.message == "unknown category `user.contact.emial`")
        #expect(problem?.hint == "did you mean `user.contact.email`?")
        #expect(problem?.line == 12)
    }

    @Test func unknownPurposeWithSuggestion() {
        let found = problems(example(replacing: "purpose ref=\"analytics\"", with: "purpose ref=\"analytcs\""))
        #expect(found.contains { $0.message == "unknown purpose `analytcs`" && $0.hint == "did you mean `analytics`?" })
    }

    @Test func unknownTransformIsASchemaError() {
        let found = problems(example(replacing: "transform=\"hash\"", with: "transform=\"encrypt\""))
        #expect(found.contains { $0.line == 12 && $0.message.contains("encrypt") })
    }

    @Test func effectiveAfterExpires() {
        let found = problems(example(replacing: "expires=\"2027-12-31\"", with: "expires=\"2025-12-31\""))
        #expect(found.map(\.message) == ["`effective` (2026-01-01) is after `expires` (2025-12-31)"])
        #expect(found.first?.line == 4)
    }

    @Test func plainHTTPEndpoint() {
        let text = example(replacing: "https://api.acme.example/v2", with: "http://api.acme.example/v2")
        #expect(problems(text).contains { $0.message.contains("is not https") })
        #expect(problems(text, options: .init(allowPlainHTTP: true)).isEmpty)
    }

    @Test(arguments: [
        "https://127.0.0.1:8443", "https://10.1.2.3/v1", "https://[::1]/", "https://169.254.169.254/latest",
        "https://localhost:9000", "https://2130706433/", "https://0x7f.1/", "https://api.internal/x",
        "https://8.8.8.8/",
    ])
    func privateOrLiteralEndpoint(url: String) {
        let text = example(replacing: "https://api.acme.example/v2", with: url)
        #expect(problems(text).contains { $0.message.contains("IP literal or a private") }, "\(url) accepted")
        #expect(problems(text, options: .init(allowPrivateAddresses: true)).isEmpty)
    }

    @Test(arguments: [
        "https://user@api.acme.example/", "https://api.acme.example/v2?x=1", "https://api.acme.example/a/../b",
        "ftp://api.acme.example/", "https://api.acme.example:99999/",
    ])
    func malformedEndpoint(url: String) {
        let text = example(replacing: "https://api.acme.example/v2", with: url)
        #expect(!problems(text, options: .init(allowPrivateAddresses: true, allowPlainHTTP: true)).isEmpty)
    }

    @Test func categoryBothAllowedAndProhibited() {
        let text = example(
            replacing: "<category ref=\"user.behavior.browsing_history\"/>",
            with: "<category ref=\"user.financial.bank_account\"/>"
        )
        #expect(
            problems(text).contains {
                $0.message == "category `user.financial.bank_account` is both allowed and prohibited (`user.financial`)"
            }
        )
    }

    @Test func sensitiveCategoryUnderNonConsentBasis() {
        let text = example(
            replacing: "<category ref=\"user.device.ip_address\" transform=\"generalize\"/>",
            with: "<category ref=\"user.biometric.fingerprint\"/>"
        )
        let found = problems(text)
        #expect(
            found.contains {
                $0.message.contains("special category `user.biometric.fingerprint` under basis `legitimate_interest`")
            }
        )
    }

    @Test func saleOrSharingPurposeWithoutConsent() {
        let text = example(
            replacing: "purpose ref=\"essential.fraud_detection\" basis=\"legitimate_interest\"",
            with: "purpose ref=\"marketing.advertising\" basis=\"legitimate_interest\""
        )
        #expect(problems(text).contains { $0.message.contains("is sale or sharing and needs consent") })
    }

    @Test(arguments: ["@.user..id", "@.user_id.", "#.x", "@.a[0]", "@.a[*"])
    func malformedDataMapPath(path: String) {
        let found = problems(example(replacing: "field path=\"@.page\"", with: "field path=\"\(path)\""))
        #expect(!found.isEmpty, "\(path) accepted")
    }

    @Test func duplicateDataMapPath() {
        let found = problems(example(replacing: "field path=\"@.page\"", with: "field path=\"@.email\""))
        #expect(!found.isEmpty)
    }

    @Test func nestedMappedPath() {
        let found = problems(example(replacing: "field path=\"@.page\"", with: "field path=\"@.email.domain\""))
        #expect(found.contains { $0.message == "field `@.email.domain` lies inside mapped field `@.email`" })
    }

    @Test func duplicateOperation() {
        let operation = """
                <operation method="POST" path="/events"><field path="$.x" category="system.operations"/></operation>
              </dataMap>
            """
        let found = problems(example(replacing: "  </dataMap>", with: operation))
        #expect(!found.isEmpty)
    }

    @Test func operationPathWithTraversal() {
        let found = problems(example(replacing: "path=\"/events\"", with: "path=\"/events/../admin\""))
        #expect(found.contains { $0.message.contains("operation path `/events/../admin` is malformed") })
    }

    @Test func problemsAreAllReportedAtOnce() {
        var text = example(replacing: "user.contact.email\" transform", with: "user.contact.emial\" transform")
        text = text.replacingOccurrences(of: "expires=\"2027-12-31\"", with: "expires=\"2025-12-31\"")
        text = text.replacingOccurrences(of: "https://api.acme.example/v2", with: "http://10.0.0.1/v2")
        let found = problems(text)
        #expect(found.count >= 4)
        #expect(found.map(\.line) == found.map(\.line).sorted())
    }

    @Test func diagnosticFormatsLikeACompiler() {
        let diagnostic = XMLDiagnostic(line: 12, message: "unknown category `x`", hint: "did you mean `y`?")
        #expect(diagnostic.formatted(file: "a.xml") == "a.xml:12: error: unknown category `x`; did you mean `y`?")
    }
}

/// The `rights` element (DESIGN, "Contracts"): where the vendor takes rights notices.
@Suite("Contract validation: rights")
struct RightsValidationTests {
    static let base = ContractValidatorTests.example

    static func with(_ rights: String) -> String {
        base.replacingOccurrences(of: "  <dataMap>", with: rights + "\n  <dataMap>")
    }

    func problems(_ text: String, options: ContractValidationOptions = .init()) -> [String] {
        do {
            _ = try ContractValidator(options: options).validate(Array(text.utf8))
            return []
        } catch {
            return error.diagnostics.map(\.message)
        }
    }

    @Test func aValidRightsElementIsRead() throws {
        let text = Self.with(
            #"""
              <rights endpoint="https://api.acme.example/v2/privacy" credential="acme-api-key" respondWithinDays="14">
                <request type="erasure"/>
                <request type="objection"/>
              </rights>
            """#
        )
        let agreement = try ContractValidator().validate(Array(text.utf8))
        let rights = try #require(agreement.rights)
        #expect(rights.endpoint == "https://api.acme.example/v2/privacy")
        #expect(rights.credential == "acme-api-key")
        #expect(rights.respondWithinDays == 14)
        #expect(rights.requestTypes == ["erasure", "objection"])
        let explained = ContractExplanation.render(agreement)
        #expect(explained.contains("Rights notices: POST https://api.acme.example/v2/privacy for erasure, objection"))
        #expect(explained.contains("manual, to privacy@acme.example, for rectification, restriction"))
    }

    @Test func respondWithinDaysDefaultsTo30AndAnAgreementWithoutRightsIsManual() throws {
        let text = Self.with(
            #"  <rights endpoint="https://api.acme.example/privacy"><request type="erasure"/></rights>"#
        )
        #expect(try ContractValidator().validate(Array(text.utf8)).rights?.respondWithinDays == 30)
        let without = try ContractValidator().validate(Array(Self.base.utf8))
        #expect(without.rights == nil)
        #expect(ContractExplanation.render(without).contains("Rights notices: manual, to privacy@acme.example"))
    }

    @Test(arguments: [
        (#"<rights endpoint="http://api.acme.example/p"><request type="erasure"/></rights>"#, "is not https"),
        (#"<rights endpoint="https://10.0.0.7/p"><request type="erasure"/></rights>"#, "IP literal"),
        (#"<rights endpoint="https://user@api.acme.example/p"><request type="erasure"/></rights>"#, "not a valid URL"),
        (#"<rights endpoint="https://a.example/p" respondWithinDays="0"><request type="erasure"/></rights>"#, "0"),
        (#"<rights endpoint="https://a.example/p" respondWithinDays="91"><request type="erasure"/></rights>"#, "91"),
        (#"<rights endpoint="https://a.example/p"><request type="forget"/></rights>"#, "forget"),
        (
            #"<rights endpoint="https://a.example/p"><request type="erasure"/><request type="erasure"/></rights>"#,
            "erasure"
        ),
        (#"<rights endpoint="https://a.example/p"/>"#, "request"),
        (
            #"<rights endpoint="https://a.example/p" credential="has space"><request type="erasure"/></rights>"#,
            "has space"
        ),
    ])
    func badRightsAreRefused(rights: String, mentions: String) {
        let found = problems(Self.with("  " + rights))
        #expect(!found.isEmpty, "accepted: \(rights)")
        #expect(found.contains { $0.contains(mentions) }, "\(found)")
    }

    @Test func theExampleAgreementsShowBothChannels() throws {
        var withRights = 0
        var without = 0
        for file in try RepositoryFiles.files(in: "contracts/agreements") {
            let agreement = try ContractValidator().validate(
                RepositoryFiles.bytes("contracts/agreements/" + file.lastPathComponent)
            )
            if agreement.rights == nil { without += 1 } else { withRights += 1 }
        }
        #expect(withRights >= 3 && without >= 1)
    }
}
