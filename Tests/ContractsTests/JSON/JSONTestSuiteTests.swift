import Contracts
import Foundation
import Testing

/// Runs ``JSONReader`` over every file of nst/JSONTestSuite's `test_parsing` (a copy, with its LICENSE, in
/// `Tests/ContractsTests/Fixtures/JSONTestSuite`): every `n_` file refused, every `y_` file accepted (except
/// the two duplicate-key files, refused by the gateway's policy), every `i_` file as the table below says.
@Suite("JSONTestSuite")
struct JSONTestSuiteTests {
    /// `Tests/ContractsTests/Fixtures/JSONTestSuite/test_parsing`, found from this file's location.
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // JSON
        .deletingLastPathComponent()  // ContractsTests
        .appendingPathComponent("Fixtures/JSONTestSuite/test_parsing")

    static func fileNames(prefix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// What the reader does with an implementation-defined (`i_`) file: `nil` = accepted, else the refusal.
    struct Outcome: Sendable {
        let refusal: JSONSyntaxError.Code?
        let reason: String
    }

    /// Every `i_` file, with the documented outcome and why.
    static let implementationDefined: [String: Outcome] = [
        "i_number_double_huge_neg_exp.json": .init(
            refusal: nil,
            reason: "underflow (123.456e-789) is accepted; the literal is kept as written"
        ),
        "i_number_huge_exp.json": .init(refusal: .numberOutOfRange, reason: "0.4e0066999... overflows a Double"),
        "i_number_neg_int_huge_exp.json": .init(refusal: .numberOutOfRange, reason: "-1e+9999 overflows a Double"),
        "i_number_pos_double_huge_exp.json": .init(refusal: .numberOutOfRange, reason: "1.5e+9999 overflows a Double"),
        "i_number_real_neg_overflow.json": .init(
            refusal: .numberOutOfRange,
            reason: "-123123e100000 overflows a Double"
        ),
        "i_number_real_pos_overflow.json": .init(
            refusal: .numberOutOfRange,
            reason: "123123e100000 overflows a Double"
        ),
        "i_number_real_underflow.json": .init(
            refusal: nil,
            reason: "underflow (123e-10000000) is accepted; the literal is kept as written"
        ),
        "i_number_too_big_neg_int.json": .init(
            refusal: nil,
            reason: "a 30-digit integer is finite as a Double; kept exactly as a literal"
        ),
        "i_number_too_big_pos_int.json": .init(
            refusal: nil,
            reason: "1e20 as an integer is finite as a Double; kept exactly as a literal"
        ),
        "i_number_very_big_negative_int.json": .init(
            refusal: nil,
            reason: "a 48-digit integer is finite as a Double; kept exactly as a literal"
        ),
        "i_object_key_lone_2nd_surrogate.json": .init(
            refusal: .loneSurrogate,
            reason: "a key with a lone low surrogate escape"
        ),
        "i_string_1st_surrogate_but_2nd_missing.json": .init(
            refusal: .loneSurrogate,
            reason: "high surrogate escape at the end of the string"
        ),
        "i_string_1st_valid_surrogate_2nd_invalid.json": .init(
            refusal: .loneSurrogate,
            reason: "high surrogate followed by a non-surrogate escape"
        ),
        "i_string_UTF-16LE_with_BOM.json": .init(
            refusal: .byteOrderMark,
            reason: "UTF-16 input with a BOM: only BOM-less UTF-8 is JSON"
        ),
        "i_string_UTF-8_invalid_sequence.json": .init(refusal: .invalidUTF8, reason: "invalid UTF-8 in a string"),
        "i_string_UTF8_surrogate_U+D800.json": .init(
            refusal: .invalidUTF8,
            reason: "a UTF-8-encoded surrogate (ED A0 80)"
        ),
        "i_string_incomplete_surrogate_and_escape_valid.json": .init(
            refusal: .loneSurrogate,
            reason: "high surrogate followed by \\n"
        ),
        "i_string_incomplete_surrogate_pair.json": .init(
            refusal: .loneSurrogate,
            reason: "high surrogate followed by plain text"
        ),
        "i_string_incomplete_surrogates_escape_valid.json": .init(
            refusal: .loneSurrogate,
            reason: "two high surrogates in a row"
        ),
        "i_string_invalid_lonely_surrogate.json": .init(
            refusal: .loneSurrogate,
            reason: "a lone high surrogate escape"
        ),
        "i_string_invalid_surrogate.json": .init(refusal: .loneSurrogate, reason: "high surrogate followed by text"),
        "i_string_invalid_utf-8.json": .init(refusal: .invalidUTF8, reason: "byte FF"),
        "i_string_inverted_surrogates_U+1D11E.json": .init(
            refusal: .loneSurrogate,
            reason: "low surrogate before high surrogate"
        ),
        "i_string_iso_latin_1.json": .init(refusal: .invalidUTF8, reason: "ISO 8859-1 byte E9 is not UTF-8"),
        "i_string_lone_second_surrogate.json": .init(refusal: .loneSurrogate, reason: "a lone low surrogate escape"),
        "i_string_lone_utf8_continuation_byte.json": .init(
            refusal: .invalidUTF8,
            reason: "a stray continuation byte (81)"
        ),
        "i_string_not_in_unicode_range.json": .init(refusal: .invalidUTF8, reason: "F4 BF BF BF is above U+10FFFF"),
        "i_string_overlong_sequence_2_bytes.json": .init(refusal: .invalidUTF8, reason: "overlong 2-byte form (C0 AF)"),
        "i_string_overlong_sequence_6_bytes.json": .init(
            refusal: .invalidUTF8,
            reason: "6-byte forms do not exist in UTF-8"
        ),
        "i_string_overlong_sequence_6_bytes_null.json": .init(refusal: .invalidUTF8, reason: "overlong 6-byte NUL"),
        "i_string_truncated-utf-8.json": .init(refusal: .invalidUTF8, reason: "E0 followed by a non-continuation byte"),
        "i_string_utf16BE_no_BOM.json": .init(
            refusal: .unexpectedByte,
            reason: "UTF-16BE: the NUL before '[' is not JSON"
        ),
        "i_string_utf16LE_no_BOM.json": .init(
            refusal: .unexpectedByte,
            reason: "UTF-16LE: the NUL after '[' is not JSON"
        ),
        "i_structure_500_nested_arrays.json": .init(
            refusal: .depthLimit,
            reason: "500 levels exceed the default depth limit of 64"
        ),
        "i_structure_UTF-8_BOM_empty_object.json": .init(
            refusal: .byteOrderMark,
            reason: "a UTF-8 BOM is refused (RFC 8259 §8.1: MUST NOT add one)"
        ),
    ]

    /// `y_` files refused anyway, by the gateway's policy.
    static let acceptedByTheSuiteButRefusedByPolicy: [String: JSONSyntaxError.Code] = [
        "y_object_duplicated_key.json": .duplicateKey,
        "y_object_duplicated_key_and_value.json": .duplicateKey,
    ]

    @Test func fixturesArePresent() {
        #expect(Self.fileNames(prefix: "y_").count >= 95)
        #expect(Self.fileNames(prefix: "n_").count >= 188)
        #expect(Self.fileNames(prefix: "i_").count == 35)
    }

    @Test func everyImplementationDefinedFileHasADocumentedOutcome() {
        #expect(Set(Self.fileNames(prefix: "i_")) == Set(Self.implementationDefined.keys))
    }

    @Test(arguments: fileNames(prefix: "n_"))
    func refusesEveryNFile(_ name: String) throws {
        let bytes = try Self.bytes(name)
        #expect(throws: JSONSyntaxError.self, "\(name) must be refused") {
            try JSONReader.parse(bytes)
        }
    }

    @Test(arguments: fileNames(prefix: "y_"))
    func acceptsEveryYFileAndRoundTripsIt(_ name: String) throws {
        let bytes = try Self.bytes(name)
        if let code = Self.acceptedByTheSuiteButRefusedByPolicy[name] {
            do {
                _ = try JSONReader.parse(bytes)
                Issue.record("\(name) must be refused by policy")
            } catch {
                #expect(error.code == code, "\(name)")
            }
            return
        }
        let value = try JSONReader.parse(bytes)
        let written = JSONWriter.bytes(value)
        let reparsed = try JSONReader.parse(written)
        #expect(reparsed == value, "\(name)")
        #expect(JSONWriter.bytes(reparsed) == written, "\(name): writing is stable")
    }

    @Test(arguments: fileNames(prefix: "i_"))
    func implementationDefinedFileHasTheDocumentedOutcome(_ name: String) throws {
        let outcome = try #require(Self.implementationDefined[name], "\(name) has no documented outcome")
        let bytes = try Self.bytes(name)
        do {
            let value = try JSONReader.parse(bytes)
            #expect(outcome.refusal == nil, "\(name) should be refused (\(outcome.reason))")
            #expect(try JSONReader.parse(JSONWriter.bytes(value)) == value, "\(name)")
        } catch {
            #expect(error.code == outcome.refusal, "\(name): \(error) (\(outcome.reason))")
        }
    }
}
