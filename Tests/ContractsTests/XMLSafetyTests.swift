import Foundation
import Synchronization
import Testing

@testable import Contracts

@Suite("Hostile XML")
struct XMLSafetyTests {
    func refusal(_ text: String) -> [XMLDiagnostic] {
        do {
            _ = try ContractValidator().validate(Array(text.utf8))
            return []
        } catch {
            return error.diagnostics
        }
    }

    /// A file only this test knows, holding a marker that must never show up in parsed content.
    func secretFile() throws -> (url: URL, marker: String) {
        let marker = "SECRET-\(UInt64.random(in: 0...UInt64.max))"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xxe-\(marker).txt")
        try Data(marker.utf8).write(to: url)
        return (url, marker)
    }

    @Test func externalEntityIsRefusedBeforeParsing() throws {
        let (url, _) = try secretFile()
        let text = """
            <?xml version="1.0"?>
            <!DOCTYPE agreement [<!ENTITY e SYSTEM "\(url.absoluteString)">]>
            <agreement xmlns="urn:vendor-gateway:dpa:1" id="x" version="1">&e;</agreement>
            """
        let found = refusal(text)
        #expect(found.first?.message == "DOCTYPE and entity declarations are not allowed")
        #expect(found.first?.line == 2)
    }

    @Test func libxml2OptionsAloneReadNoFile() throws {
        let (url, marker) = try secretFile()
        let before = SafeXML.externalLoadAttempts.load(ordering: .relaxed)
        let general = """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY e SYSTEM "\(url.absoluteString)">]>
            <r>&e;</r>
            """
        let parameter = """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY % p SYSTEM "\(url.absoluteString)"> %p;]>
            <r>x</r>
            """
        let external = """
            <?xml version="1.0"?>
            <!DOCTYPE r SYSTEM "\(url.absoluteString)">
            <r>x</r>
            """
        for text in [general, parameter, external] {
            let content = (try? SafeXML.rawRootText(Array(text.utf8))) ?? ""
            #expect(!content.contains(marker))
        }
        #expect(SafeXML.externalLoadAttempts.load(ordering: .relaxed) == before)
    }

    @Test func billionLaughsIsRefusedQuickly() {
        var text = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            text += "<!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">\n"
        }
        text += "]>\n<lolz>&lol9;</lolz>"
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(!refusal(text).isEmpty) }
        #expect(elapsed < .seconds(2))
        // The parser alone (no pre-check) must not hang or exhaust memory on it either.
        let raw = clock.measure { _ = try? SafeXML.rawRootText(Array(text.utf8)) }
        #expect(raw < .seconds(5))
    }

    @Test func xincludeIsRefused() {
        let text = ContractValidatorTests.example.replacingOccurrences(
            of: "<retention days=\"90\"/>",
            with:
                "<retention days=\"90\"/><xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"file:///etc/passwd\"/>"
        )
        #expect(refusal(text).contains { $0.message == "XInclude is not allowed" })
    }

    @Test func remoteSchemaLocationIsRefused() {
        let text = ContractValidatorTests.example.replacingOccurrences(
            of: "id=\"acme-analytics\"",
            with:
                "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"urn:vendor-gateway:dpa:1 http://127.0.0.1:1/evil.xsd\" id=\"acme-analytics\""
        )
        let before = SafeXML.externalLoadAttempts.load(ordering: .relaxed)
        #expect(refusal(text).contains { $0.message == "xsi:schemaLocation is not allowed" })
        #expect(SafeXML.externalLoadAttempts.load(ordering: .relaxed) == before)
    }

    @Test func hugeTextNodeIsRefusedBySize() {
        let big = String(repeating: "A", count: 50 * 1024 * 1024)
        let text = ContractValidatorTests.example.replacingOccurrences(of: "Acme Analytics GmbH", with: big)
        let clock = ContinuousClock()
        var found: [XMLDiagnostic] = []
        let elapsed = clock.measure { found = refusal(text) }
        #expect(found.first?.message.contains("the limit is") == true)
        #expect(elapsed < .seconds(5))
    }

    @Test func deepNestingIsRefused() {
        let text =
            "<?xml version=\"1.0\"?>" + String(repeating: "<a>", count: 10_000)
            + String(repeating: "</a>", count: 10_000)
        let found = refusal(text)
        #expect(!found.isEmpty)
    }

    @Test(arguments: ["", "not xml at all", "<agreement", "<?xml version=\"1.0\"?><a></b>"])
    func malformedXMLIsRefused(text: String) {
        #expect(!refusal(text).isEmpty)
    }

    @Test func utf16IsRefused() {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in "<a/>".utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(throws: XMLDocumentError.self) { try ContractValidator().validate(bytes) }
    }

    @Test func wrongRootIsRefused() {
        let text = "<?xml version=\"1.0\"?><taxonomy xmlns=\"urn:vendor-gateway:taxonomy:1\" version=\"1\"/>"
        #expect(!refusal(text).isEmpty)
    }
}
