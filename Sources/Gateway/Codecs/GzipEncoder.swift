import CZlib

/// Compresses bytes as one gzip member (RFC 1952) with zlib's default level; for tests and the demo.
public enum GzipEncoder {
    /// The gzip encoding of `bytes`.
    ///
    /// zlib can only fail here when it cannot allocate its state, which is treated as fatal.
    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(
            &stream,
            Z_DEFAULT_COMPRESSION,
            Z_DEFLATED,
            31,
            8,
            Z_DEFAULT_STRATEGY,
            ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size)
        )
        precondition(status == Z_OK, "deflateInit2_ failed (\(status))")
        defer { deflateEnd(&stream) }

        let chunkSize = 64 * 1024
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 2 + 64)

        bytes.withUnsafeBufferPointer { input in
            var fed = 0
            while true {
                if stream.avail_in == 0, fed < input.count {
                    let count = min(input.count - fed, Int(UInt32.max))
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + fed)
                    stream.avail_in = UInt32(count)
                    fed += count
                }
                let flush = fed == input.count ? Z_FINISH : Z_NO_FLUSH
                stream.next_out = chunk
                stream.avail_out = UInt32(chunkSize)
                let status = deflate(&stream, flush)
                precondition(
                    status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR,
                    "deflate failed (\(status))"
                )
                output.append(contentsOf: UnsafeBufferPointer(start: chunk, count: chunkSize - Int(stream.avail_out)))
                if status == Z_STREAM_END { return }
            }
        }
        return output
    }
}
