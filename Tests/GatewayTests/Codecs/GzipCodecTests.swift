import Testing

@testable import Gateway

private func gzipError(_ bytes: [UInt8], maxOutputBytes: Int = 1 << 20, maxRatio: Int = 1000) -> GzipError? {
    do {
        _ = try GzipDecoder.decode(bytes, maxOutputBytes: maxOutputBytes, maxRatio: maxRatio)
        return nil
    } catch {
        return error
    }
}

/// `{"name":"Ada"}` compressed by GNU gzip (`gzip -9 -n`), independent of our encoder.
private let gnuGzip: [UInt8] = [
    0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xAB, 0x56, 0xCA, 0x4B, 0xCC, 0x4D, 0x55, 0xB2,
    0x52, 0x72, 0x4C, 0x49, 0x54, 0xAA, 0x05, 0x00, 0x05, 0x72, 0xFA, 0x29, 0x0E, 0x00, 0x00, 0x00,
]

/// The same, with an FNAME header field (`a.json`).
private let gnuGzipWithName: [UInt8] = [
    31, 139, 8, 8, 0, 0, 0, 0, 0, 3, 97, 46, 106, 115, 111, 110, 0, 171, 86, 202, 75, 204, 77, 85, 178, 82, 114,
    76, 73, 84, 170, 5, 0, 5, 114, 250, 41, 14, 0, 0, 0,
]

/// `hello` in the zlib format (RFC 1950), which is not gzip.
private let zlibFormat: [UInt8] = [120, 156, 203, 72, 205, 201, 201, 7, 0, 6, 44, 2, 21]

@Suite("Gzip codec")
struct GzipCodecTests {
    @Test func decodesGNUGzipOutput() throws {
        let expected = Array(#"{"name":"Ada"}"#.utf8)
        #expect(try GzipDecoder.decode(gnuGzip, maxOutputBytes: 100, maxRatio: 10) == expected)
        #expect(try GzipDecoder.decode(gnuGzipWithName, maxOutputBytes: 100, maxRatio: 10) == expected)
    }

    @Test(arguments: [0, 1, 100, 65_535, 65_536, 65_537, 300_000])
    func roundTrips(_ count: Int) throws {
        var rng = SystemRandomNumberGenerator()
        let text = (0..<count).map { index in
            index % 7 == 0 ? UInt8.random(in: 0...255, using: &rng) : UInt8(ascii: "a") + UInt8(index % 26)
        }
        let compressed = GzipEncoder.encode(text)
        #expect(compressed.starts(with: [0x1F, 0x8B]))
        #expect(try GzipDecoder.decode(compressed, maxOutputBytes: count, maxRatio: 100_000) == text)
    }

    @Test func incompressibleDataRoundTrips() throws {
        var rng = SystemRandomNumberGenerator()
        let data = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        #expect(try GzipDecoder.decode(GzipEncoder.encode(data), maxOutputBytes: data.count, maxRatio: 1) == data)
    }

    @Test func refusesABombQuickly() throws {
        let bomb = GzipEncoder.encode([UInt8](repeating: 0, count: 100 * 1024 * 1024))
        #expect(bomb.count < 200 * 1024)
        let clock = ContinuousClock()
        var error: GzipError?
        let elapsed = clock.measure {
            error = gzipError(bomb, maxOutputBytes: 1 << 20, maxRatio: 1_000_000)
        }
        #expect(error?.code == .tooLarge)
        #expect(elapsed < .milliseconds(500), "stopping at the bound must be cheap (\(elapsed))")
    }

    @Test func sizeBoundIsExact() throws {
        let data = [UInt8](repeating: UInt8(ascii: "x"), count: 10_000)
        let compressed = GzipEncoder.encode(data)
        #expect(try GzipDecoder.decode(compressed, maxOutputBytes: 10_000, maxRatio: 1_000_000) == data)
        #expect(gzipError(compressed, maxOutputBytes: 9_999, maxRatio: 1_000_000)?.code == .tooLarge)
        #expect(gzipError(compressed, maxOutputBytes: 0, maxRatio: 1_000_000)?.code == .tooLarge)
        #expect(try GzipDecoder.decode(GzipEncoder.encode([]), maxOutputBytes: 0, maxRatio: 1) == [])
    }

    @Test func ratioBoundIsExact() throws {
        let data = [UInt8](repeating: 0, count: 1 << 20)
        let compressed = GzipEncoder.encode(data)
        let ratio = (data.count - 1) / compressed.count  // about 1000; ratio × input < output
        #expect(gzipError(compressed, maxOutputBytes: 10 << 20, maxRatio: 100)?.code == .ratioExceeded)
        #expect(gzipError(compressed, maxOutputBytes: 10 << 20, maxRatio: ratio)?.code == .ratioExceeded)
        #expect(try GzipDecoder.decode(compressed, maxOutputBytes: 10 << 20, maxRatio: ratio + 1) == data)
        // Whichever bound is tighter is the one reported.
        #expect(gzipError(compressed, maxOutputBytes: 1000, maxRatio: 100)?.code == .tooLarge)
    }

    @Test func refusesEveryTruncation() {
        let compressed = GzipEncoder.encode(Array(String(repeating: "consent-gated ", count: 50).utf8))
        #expect(gzipError([])?.code == .notGzip)
        #expect(gzipError([0x1F])?.code == .truncated)
        for length in 2..<compressed.count {
            #expect(gzipError(Array(compressed.prefix(length)))?.code == .truncated, "\(length) bytes")
        }
    }

    @Test func refusesTrailingData() {
        #expect(gzipError(gnuGzip + [0])?.code == .trailingData)
        #expect(gzipError(gnuGzip + Array("garbage".utf8))?.code == .trailingData)
        #expect(gzipError(gnuGzip + [0x1F, 0x8B])?.code == .trailingData)
    }

    @Test func refusesTwoConcatenatedMembers() {
        // RFC 1952 allows multi-member files (and `gunzip` decodes them); a body must be one member.
        #expect(gzipError(gnuGzip + gnuGzip)?.code == .trailingData)
        #expect(gzipError(GzipEncoder.encode([1, 2, 3]) + GzipEncoder.encode([4]))?.code == .trailingData)
    }

    @Test func refusesWhatIsNotGzip() {
        #expect(gzipError(Array(#"{"name":"Ada"}"#.utf8))?.code == .notGzip)
        #expect(gzipError(zlibFormat)?.code == .notGzip)
        #expect(gzipError([0x8B, 0x1F, 0x08])?.code == .notGzip)
        #expect(gzipError([0x42])?.code == .notGzip)
    }

    @Test func refusesCorruptData() {
        var badMethod = gnuGzip
        badMethod[2] = 7
        #expect(gzipError(badMethod)?.code == .corrupt)
        var badCRC = gnuGzip
        badCRC[badCRC.count - 8] ^= 0xFF
        #expect(gzipError(badCRC)?.code == .corrupt)
        var badLength = gnuGzip
        badLength[badLength.count - 4] ^= 0x01
        #expect(gzipError(badLength)?.code == .corrupt)
        var badBlock = gnuGzip
        badBlock[10] = 0xFF  // reserved block type 3
        #expect(gzipError(badBlock)?.code == .corrupt)
        var reservedFlags = gnuGzip
        reservedFlags[3] = 0xE0
        #expect(gzipError(reservedFlags)?.code == .corrupt)
    }

    @Test func errorsCarryOnlyTheirKind() {
        #expect(GzipError(.tooLarge).description == "invalid gzip body: too-large")
        #expect(GzipError(.ratioExceeded).kind == "ratio-exceeded")
        #expect(GzipError(.trailingData) == .trailingData)
    }
}
