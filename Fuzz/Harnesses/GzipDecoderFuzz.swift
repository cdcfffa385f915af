// libFuzzer harness: Gateway's GzipDecoder (compiled in with Sources/Gateway/Codecs/Gzip*.swift, -lz).
//
// Properties:
//  - no decode ever returns more than maxOutputBytes, nor more than maxRatio x the input size;
//  - the bounds are exact: an input that decodes to N bytes decodes (to the same bytes) with maxOutputBytes = N
//    and with maxRatio = ceil(N / input size), and is refused one below with too-large / ratio-exceeded;
//  - a tighter bound never turns a refusal into success: with a small bound an input the roomy decode refuses is
//    refused with the same code, or with the bound's own code;
//  - the output re-encodes (GzipEncoder) to a gzip member that decodes back to it;
//  - the raw input, gzip-encoded, decodes back to itself with maxOutputBytes = its size.
import CZlib

/// The roomy bound: 1 MiB (a bomb costs at most this much per run) at any ratio.
private let roomyOutput = 1 << 20
private let roomyRatio = 1 << 40

private func decoded(_ bytes: [UInt8], _ maxOutput: Int, _ maxRatio: Int, input: [UInt8]) -> Result<[UInt8], GzipError>
{
    do {
        let output = try GzipDecoder.decode(bytes, maxOutputBytes: maxOutput, maxRatio: maxRatio)
        check(
            output.count <= maxOutput,
            "output exceeds maxOutputBytes",
            input: input,
            "\(output.count) > \(maxOutput) (ratio \(maxRatio))"
        )
        let (product, overflow) = bytes.count.multipliedReportingOverflow(by: maxRatio)
        check(
            overflow || output.count <= product,
            "output exceeds maxRatio x input",
            input: input,
            "\(output.count) > \(maxRatio) x \(bytes.count)"
        )
        return .success(output)
    } catch {
        return .failure(error)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzipDecoder(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let input = fuzzInput(start, count)

    switch decoded(input, roomyOutput, roomyRatio, input: input) {
    case .success(let output):
        let n = output.count
        // Exactly at the bounds: accepted, same bytes.
        for (limit, ratio) in [(n, roomyRatio), (roomyOutput, input.isEmpty ? 0 : (n + input.count - 1) / input.count)]
        {
            switch decoded(input, limit, ratio, input: input) {
            case .success(let again):
                check(again == output, "the bound changed the output", input: input, "\(limit), \(ratio)")
            case .failure(let error):
                violated("refused at exactly its size", input: input, "\(limit), \(ratio): \(error)")
            }
        }
        if n > 0 {
            switch decoded(input, n - 1, roomyRatio, input: input) {
            case .success: violated("accepted one byte over maxOutputBytes", input: input)
            case .failure(let error):
                check(error == .tooLarge, "wrong refusal one byte over maxOutputBytes", input: input, "\(error)")
            }
            let ratio = (n + input.count - 1) / input.count
            switch decoded(input, roomyOutput, ratio - 1, input: input) {
            case .success: violated("accepted over maxRatio", input: input, "ratio \(ratio - 1)")
            case .failure(let error):
                check(error == .ratioExceeded, "wrong refusal over maxRatio", input: input, "\(error)")
            }
        }
        // The output re-encodes to a member that decodes back to it.
        let reencoded = GzipEncoder.encode(output)
        switch decoded(reencoded, max(n, 0), roomyRatio, input: input) {
        case .success(let again): check(again == output, "re-encoded output decodes differently", input: input)
        case .failure(let error): violated("re-encoded output does not decode", input: input, "\(error)")
        }
    case .failure(let error):
        if error == .tooLarge || error == .ratioExceeded { break }
        // A tighter bound: the same refusal, or the bound's own.
        for (limit, ratio) in [(16, roomyRatio), (roomyOutput, 1)] {
            switch decoded(input, limit, ratio, input: input) {
            case .success:
                violated(
                    "a tighter bound accepted what a roomy one refused",
                    input: input,
                    "\(error); \(limit), \(ratio)"
                )
            case .failure(let tight):
                let own: GzipError.Code = limit == 16 ? .tooLarge : .ratioExceeded
                check(
                    tight == error.code || tight == own,
                    "a tighter bound changed the refusal",
                    input: input,
                    "\(error) vs \(tight)"
                )
            }
        }
    }

    // The raw input round-trips through the encoder.
    let encoded = GzipEncoder.encode(input)
    switch decoded(encoded, input.count, roomyRatio, input: input) {
    case .success(let output): check(output == input, "encode -> decode changed the bytes", input: input)
    case .failure(let error): violated("encoded input does not decode", input: input, "\(error)")
    }
    return 0
}
