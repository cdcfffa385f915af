import Contracts

/// Bulk consent import from JSON Lines: every valid line applied (in batches), every invalid one reported
/// by line number; idempotent; streaming, so a million lines never sit in memory together.
public struct ConsentImporter: Sendable {
    public struct Report: Sendable {
        public var lines = 0
        public var applied = 0
        /// Records not stored before.
        public var stored = 0
        public var invalid = 0
    }

    let input: ConsentInput
    let service: ConsentService
    let batchSize: Int
    let maxLineBytes: Int

    public init(input: ConsentInput, service: ConsentService, batchSize: Int = 1000, maxLineBytes: Int = 16 << 10) {
        self.input = input
        self.service = service
        self.batchSize = batchSize
        self.maxLineBytes = maxLineBytes
    }

    /// Imports `lines`; `onInvalid(lineNumber, message)` for each refused line (1-based).
    public func run<Lines: AsyncSequence>(
        lines: Lines,
        onInvalid: (Int, String) async throws -> Void
    ) async throws -> Report where Lines.Element == [UInt8] {
        var report = Report()
        var batch: [ConsentRecord] = []
        batch.reserveCapacity(batchSize)
        for try await line in lines {
            report.lines += 1
            var bytes = line[...]
            if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            guard bytes.count <= maxLineBytes else {
                report.invalid += 1
                try await onInvalid(report.lines, "the line is over \(maxLineBytes) bytes")
                continue
            }
            do {
                let value = try JSONReader.parse(Array(bytes))
                batch.append(try input.record(value, subject: nil))
            } catch let error as ConsentInputError {
                report.invalid += 1
                try await onInvalid(report.lines, error.message)
                continue
            } catch {
                report.invalid += 1
                try await onInvalid(report.lines, "not a JSON object (\(error))")
                continue
            }
            if batch.count >= batchSize {
                report.stored += try await flush(&batch)
                report.applied += batchSize
            }
        }
        let remaining = batch.count
        report.stored += try await flush(&batch)
        report.applied += remaining
        return report
    }

    private func flush(_ batch: inout [ConsentRecord]) async throws -> Int {
        guard !batch.isEmpty else { return 0 }
        defer { batch.removeAll(keepingCapacity: true) }
        return try await service.put(batch).inserted
    }
}
