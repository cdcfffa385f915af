// libFuzzer harness: the DPA reader, ContractValidator().validate(_:) (libxml2 + the embedded schema and
// taxonomy). Needs Contracts built with -enable-testing (for ContractValidator.isCleanOperationPath).
//
// Properties:
//  - validation is deterministic (libxml2 keeps global state: error handlers, the entity loader);
//  - a refusal names at least one problem, each on a line of the document (0 = no line);
//  - an accepted agreement renders (ContractExplanation) and compiles (CompiledAgreement), its operations have
//    clean paths and are found again by method and path, and a trailing newline does not change the result.
@testable import Contracts

private func outcome(_ bytes: [UInt8]) -> Result<String, XMLDocumentError> {
    do {
        let agreement = try ContractValidator().validate(bytes)
        return .success(ContractExplanation.render(agreement))
    } catch {
        return .failure(error)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDPAReader(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let input = fuzzInput(start, count)
    let first = outcome(input)
    let second = outcome(input)
    if fuzzVerbose {
        switch first {
        case .success(let rendering): stderrWrite("accepted:\n\(rendering)\n")
        case .failure(let error): stderrWrite("refused:\n\(error)\n")
        }
    }
    switch (first, second) {
    case (.success(let a), .success(let b)):
        check(a == b, "validation is not deterministic (two renderings)", input: input)
    case (.failure(let a), .failure(let b)):
        check(
            a.description == b.description,
            "validation is not deterministic (two refusals)",
            input: input,
            "\(a)\n---\n\(b)"
        )
        check(!a.diagnostics.isEmpty, "a refusal names no problem", input: input)
        let lines = input.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        for diagnostic in a.diagnostics {
            check(
                diagnostic.line >= 0 && diagnostic.line <= lines,
                "a diagnostic names a line outside the document",
                input: input,
                "\(diagnostic) (\(lines) lines)"
            )
        }
    default:
        violated("validation is not deterministic (accepted once, refused once)", input: input, "\(first) vs \(second)")
    }

    guard case .success(let rendering) = first else { return 0 }
    let agreement: Agreement
    do { agreement = try ContractValidator().validate(input) } catch {
        violated("refused on the third try", input: input)
    }
    let compiled = CompiledAgreement(agreement: agreement, digest: "sha256:fuzz")
    check(compiled.vendorID == agreement.vendor.id, "compiled vendor id differs", input: input)
    for operation in agreement.operations {
        check(
            ContractValidator.isCleanOperationPath(operation.path),
            "an accepted operation path is not clean",
            input: input,
            operation.path
        )
        check(
            agreement.operation(method: operation.method, path: operation.path)?.line == operation.line,
            "an accepted operation is not found by method and path (duplicate?)",
            input: input,
            "\(operation.method) \(operation.path)"
        )
    }
    switch outcome(input + [0x0A]) {
    case .success(let again): check(again == rendering, "a trailing newline changed the agreement", input: input)
    case .failure(let error): violated("a trailing newline made the agreement invalid", input: input, "\(error)")
    }
    return 0
}
