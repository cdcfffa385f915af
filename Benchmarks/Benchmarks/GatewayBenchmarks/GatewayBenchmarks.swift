// Micro-benchmarks of the gateway's hot paths and of its share log.
//
//   cd Benchmarks && swift package --disable-sandbox benchmark
//   swift package --disable-sandbox benchmark --filter 'Policy|JSON'      (a subset)
//
// Every benchmark keeps its setup (parsing the agreement, making the database, building the million-entry
// log) out of the measured part: setup runs in the `setup:` closure, before the warm-up iterations.
// Throughput figures in entries/s or records/s are custom metrics computed from each iteration's wall clock.
import Benchmark
import BenchSupport
import Contracts
import Crypto
import Foundation
import Gateway

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .cpuTotal, .mallocCountTotal],
        warmupIterations: 5,
        maxDuration: .seconds(5),
        maxIterations: 1_000_000
    )
    policyBenchmarks()
    jsonBenchmarks()
    contractBenchmarks()
    ledgerBenchmarks()
    proofAndVerifierBenchmarks()
}

/// Custom metrics, larger is better, not scaled.
enum Rate {
    static let records = BenchmarkMetric.custom("records/s", polarity: .prefersLarger, useScalingFactor: false)
    static let entries = BenchmarkMetric.custom("entries/s", polarity: .prefersLarger, useScalingFactor: false)
}

/// Runs `body` and records `count / elapsed` under `metric`.
@inline(__always)
func measuringRate<T>(_ benchmark: Benchmark, _ metric: BenchmarkMetric, count: Int, _ body: () throws -> T) rethrows -> T {
    let start = ContinuousClock.now
    let result = try body()
    benchmark.measurement(metric, rate(count, since: start))
    return result
}

func rate(_ count: Int, since start: ContinuousClock.Instant) -> Int {
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return seconds > 0 ? Int((Double(count) / seconds).rounded()) : 0
}

// MARK: - Policy

/// Plan + decide for one 20-field record (`POST /profile`), against its baseline: Foundation's
/// `JSONSerialization` parse + write of the same record.
func policyBenchmarks() {
    Benchmark(
        "Policy: plan+decide, one 20-field record",
        configuration: .init(metrics: [.throughput, .wallClock, .mallocCountTotal, Rate.records], scalingFactor: .kilo)
    ) { benchmark, fixture in
        let count = benchmark.scaledIterations.count
        measuringRate(benchmark, Rate.records, count: count) {
            for _ in benchmark.scaledIterations {
                blackHole(fixture.decide())
            }
        }
    } setup: {
        try PolicyFixture.profile()
    }

    Benchmark(
        "Policy baseline: JSONSerialization parse+write, same 20-field record",
        configuration: .init(metrics: [.throughput, .wallClock, .mallocCountTotal, Rate.records], scalingFactor: .kilo)
    ) { benchmark, data in
        let count = benchmark.scaledIterations.count
        measuringRate(benchmark, Rate.records, count: count) {
            for _ in benchmark.scaledIterations {
                blackHole(FoundationJSON.roundTrip(data))
            }
        }
    } setup: {
        Data(BenchPayloads.profileRecord(subject: "u-1").utf8)
    }
}

// MARK: - Strict JSON read + redact + write

/// What the data plane does with a body once it has it: strict read, plan + decide (redaction), write.
func jsonBenchmarks() {
    for (label, records, scaling) in [("1 record, 15 fields", 1, BenchmarkScalingFactor.kilo), ("100-record batch", 100, .one)] {
        Benchmark(
            "JSON read+redact+write: \(label)",
            configuration: .init(metrics: [.throughput, .wallClock, .mallocCountTotal, Rate.records], scalingFactor: scaling)
        ) { (benchmark: Benchmark, fixture: PolicyFixture) in
            let count = benchmark.scaledIterations.count * records
            measuringRate(benchmark, Rate.records, count: count) {
                for _ in benchmark.scaledIterations {
                    blackHole(fixture.readRedactWrite())
                }
            }
        } setup: { () throws -> PolicyFixture in
            let fixture = try PolicyFixture.events(records: records)
            if records == 1 { print("[setup] 1-record body: \(fixture.bytes.count) bytes") }
            if records == 100 { print("[setup] 100-record body: \(fixture.bytes.count) bytes") }
            return fixture
        }

        Benchmark(
            "JSON baseline: JSONSerialization parse+write: \(label)",
            configuration: .init(metrics: [.throughput, .wallClock, .mallocCountTotal, Rate.records], scalingFactor: scaling)
        ) { benchmark, data in
            let count = benchmark.scaledIterations.count * records
            measuringRate(benchmark, Rate.records, count: count) {
                for _ in benchmark.scaledIterations {
                    blackHole(FoundationJSON.roundTrip(data))
                }
            }
        } setup: {
            Data(try PolicyFixture.events(records: records).bytes)
        }
    }
}

enum FoundationJSON {
    @inline(never)
    static func roundTrip(_ data: Data) -> Data {
        do {
            let object = try JSONSerialization.jsonObject(with: data)
            return try JSONSerialization.data(withJSONObject: object)
        } catch {
            fatalError("JSONSerialization failed: \(error)")
        }
    }
}

// MARK: - DPA validation

/// Schema (libxml2, XSD) and meaning checks of `contracts/agreements/acme-analytics.xml`.
func contractBenchmarks() {
    Benchmark(
        "DPA validation: acme-analytics.xml",
        configuration: .init(metrics: [.throughput, .wallClock, .mallocCountTotal], scalingFactor: .one)
    ) { (benchmark: Benchmark, fixture: ValidationFixture) in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try fixture.validator.validate(fixture.bytes))
            } catch {
                benchmark.error("validation failed: \(error)")
            }
        }
    } setup: { () throws -> ValidationFixture in
        let path = RepositoryPaths.root + "/contracts/agreements/acme-analytics.xml"
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let validator = ContractValidator()
        _ = try validator.validate(bytes)
        return ValidationFixture(validator: validator, bytes: bytes)
    }
}

struct ValidationFixture {
    let validator: ContractValidator
    let bytes: [UInt8]
}

/// Where the repository is: `VENDOR_GATEWAY_ROOT`, else two levels above this package.
enum RepositoryPaths {
    static var root: String {
        if let root = ProcessInfo.processInfo.environment["VENDOR_GATEWAY_ROOT"], !root.isEmpty { return root }
        // #filePath: <root>/Benchmarks/Benchmarks/GatewayBenchmarks/GatewayBenchmarks.swift
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }
}

// MARK: - Share log

/// Durable appends through `ShareLog` (group commit) on a SQLite file, with 1, 8 and 64 appenders at once,
/// against two baselines with one fsync per append and no group commit: a SQLite transaction per entry (the
/// same store, without the log's writer and Merkle tree) and a plain `pwrite` + `fdatasync` per entry into a preallocated file.
func ledgerBenchmarks() {
    for appenders in [1, 8, 64] {
        Benchmark(
            "Ledger: durable appends, \(appenders) appender\(appenders == 1 ? "" : "s") (ShareLog, SQLite)",
            configuration: .init(
                metrics: [.throughput, .wallClock, .cpuTotal, Rate.entries],
                warmupIterations: 2,
                scalingFactor: .kilo,
                maxDuration: .seconds(10)
            )
        ) { benchmark, fixture in
            let count = benchmark.scaledIterations.count
            let start = ContinuousClock.now
            await fixture.append(count: count, appenders: appenders)
            benchmark.measurement(Rate.entries, rate(count, since: start))
        } setup: {
            try await LedgerFixture.start()
        } teardown: {
            await LedgerFixture.stopAll()
        }
    }

    Benchmark(
        "Ledger baseline: SQLite transaction (fsync) per append, 1 appender",
        configuration: .init(
            metrics: [.throughput, .wallClock, .cpuTotal, Rate.entries],
            warmupIterations: 2,
            scalingFactor: .kilo,
            maxDuration: .seconds(10)
        )
    ) { benchmark, fixture in
        let count = benchmark.scaledIterations.count
        let start = ContinuousClock.now
        do {
            try await fixture.commitOneByOne(count: count)
        } catch {
            benchmark.error("commit failed: \(error)")
        }
        benchmark.measurement(Rate.entries, rate(count, since: start))
    } setup: {
        try SQLiteBaselineFixture()
    }

    Benchmark(
        "Ledger baseline: pwrite+fdatasync per append (preallocated file), 1 appender",
        configuration: .init(
            metrics: [.throughput, .wallClock, .cpuTotal, Rate.entries],
            warmupIterations: 2,
            scalingFactor: .kilo,
            maxDuration: .seconds(10)
        )
    ) { benchmark, fixture in
        let count = benchmark.scaledIterations.count
        measuringRate(benchmark, Rate.entries, count: count) {
            fixture.append(count: count)
        }
    } setup: {
        try FsyncBaselineFixture()
    }
}

// MARK: - Proofs and export verification at 1,000,000 entries

/// An inclusion proof at tree size 1,000,000 (read from SQLite, as the audit API serves it), and the offline
/// verifier over a 1,000,000-line export held in memory.
func proofAndVerifierBenchmarks() {
    Benchmark(
        "Inclusion proof: random leaf at tree size 1,000,000",
        configuration: .init(metrics: [.throughput, .wallClock, .mallocCountTotal], scalingFactor: .one)
    ) { benchmark, fixture in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try await fixture.proofOfRandomLeaf())
            } catch {
                benchmark.error("proof failed: \(error)")
            }
        }
    } setup: {
        try await MillionEntryLog.prepare().proofs()
    }

    Benchmark(
        "Inclusion proof + verification against the signed root, tree size 1,000,000",
        configuration: .init(metrics: [.throughput, .wallClock, .mallocCountTotal], scalingFactor: .one)
    ) { benchmark, fixture in
        for _ in benchmark.scaledIterations {
            do {
                guard try await fixture.proveAndVerifyRandomLeaf() else {
                    benchmark.error("an inclusion proof did not verify")
                    return
                }
            } catch {
                benchmark.error("proof failed: \(error)")
            }
        }
    } setup: {
        try await MillionEntryLog.prepare().proofs()
    }

    Benchmark(
        "ExportVerifier: 1,000,000-line export (in memory)",
        configuration: .init(
            metrics: [.throughput, .wallClock, .cpuTotal, Rate.entries],
            warmupIterations: 1,
            scalingFactor: .one,
            maxDuration: .seconds(20),
            maxIterations: 10
        )
    ) { benchmark, fixture in
        let result = measuringRate(benchmark, Rate.entries, count: fixture.entries) {
            ExportVerifier.verify(export: fixture.export, checkpointNote: fixture.checkpoint, verifierKey: fixture.key)
        }
        if !result.ok { benchmark.error("verification failed: \(result.message)") }
    } setup: {
        try await MillionEntryLog.prepare().verifierFixture()
    }
}
