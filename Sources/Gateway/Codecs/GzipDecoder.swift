import CZlib

/// Decodes a `Content-Encoding: gzip` body (RFC 1952), bounded in size and ratio, with zlib.
///
/// Exactly one gzip member is accepted: anything after its end (including a second member) is refused.
/// Decompression stops as soon as the output would cross the bound, so a decompression bomb costs at
/// most the bound (plus one 64 KiB chunk of work) however large it claims to be.
public enum GzipDecoder {
    /// Output is produced in chunks of this size.
    private static let chunkSize = 64 * 1024

    /// Decompresses one gzip member.
    ///
    /// - Parameters:
    ///   - bytes: the whole compressed body.
    ///   - maxOutputBytes: the most decompressed bytes accepted.
    ///   - maxRatio: the most decompressed bytes accepted per compressed byte
    ///     (output is refused once it exceeds `maxRatio × bytes.count`).
    /// - Returns: the decompressed bytes.
    /// - Throws: ``GzipError``: `.notGzip`, `.corrupt`, `.truncated`, `.tooLarge`, `.ratioExceeded`,
    ///   `.trailingData`, `.zlibFailure`.
    public static func decode(_ bytes: [UInt8], maxOutputBytes: Int, maxRatio: Int) throws(GzipError) -> [UInt8] {
        guard bytes.count >= 2 else {
            throw GzipError(bytes == [0x1F] ? .truncated : .notGzip)
        }
        guard bytes[0] == 0x1F, bytes[1] == 0x8B else { throw GzipError(.notGzip) }

        let sizeLimit = max(maxOutputBytes, 0)
        let (product, overflow) = bytes.count.multipliedReportingOverflow(by: max(maxRatio, 0))
        let ratioLimit = overflow ? Int.max : product
        let limit = min(sizeLimit, ratioLimit)
        let limitError = GzipError(sizeLimit <= ratioLimit ? .tooLarge : .ratioExceeded)

        var stream = z_stream()
        guard inflateInit2_(&stream, 31, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw GzipError(.zlibFailure)
        }
        defer { inflateEnd(&stream) }

        var output: [UInt8] = []
        output.reserveCapacity(min(limit, chunkSize))
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }

        return try bytes.withUnsafeBufferPointer { (input) throws(GzipError) -> [UInt8] in
            let base = UnsafeMutablePointer(mutating: input.baseAddress!)
            var fed = 0
            while true {
                if stream.avail_in == 0, fed < input.count {
                    let count = min(input.count - fed, Int(UInt32.max))
                    stream.next_in = base + fed
                    stream.avail_in = UInt32(count)
                    fed += count
                }
                // Never ask for more than one byte beyond the limit: crossing it is detected at once.
                let remaining = limit - output.count
                let room = remaining >= chunkSize ? chunkSize : remaining + 1
                stream.next_out = chunk
                stream.avail_out = UInt32(room)
                let status = inflate(&stream, Z_NO_FLUSH)
                let produced = room - Int(stream.avail_out)
                if produced > remaining { throw limitError }
                output.append(contentsOf: UnsafeBufferPointer(start: chunk, count: produced))
                switch status {
                case Z_STREAM_END:
                    guard stream.avail_in == 0, fed == input.count else { throw GzipError(.trailingData) }
                    return output
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: with room to write, that means the input ran out.
                    if stream.avail_in == 0, fed == input.count { throw GzipError(.truncated) }
                    continue
                case Z_MEM_ERROR:
                    throw GzipError(.zlibFailure)
                default:  // Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR
                    throw GzipError(.corrupt)
                }
            }
        }
    }
}
