// What the benchmarks measure against, made in their `setup:` closures (never in the measured part).
import BenchSupport
import Contracts
import Crypto
import Foundation
import Gateway
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

struct BenchSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

let benchLogger: Logger = {
    var logger = Logger(label: "gateway-benchmarks")
    logger.logLevel = .warning
    return logger
}()

// MARK: - Policy and JSON

/// A compiled bench agreement, a request for one of its operations, the body (bytes and parsed) and the
/// subjects' consents: everything `plan` + `decide` needs, made once.
struct PolicyFixture: Sendable {
    let compiled: CompiledAgreement
    let request: ShareRequest
    let bytes: [UInt8]
    let body: JSONValue
    let consents: [ConsentRecord]
    let transformer: FieldTransformer
    let expectedRecords: Int

    static func compiledAgreement() throws -> CompiledAgreement {
        let xml = Array(BenchAgreement.xml().utf8)
        let agreement: Agreement
        do {
            agreement = try ContractValidator().validate(xml)
        } catch {
            throw BenchSetupError("the bench agreement does not validate: \(error)")
        }
        return CompiledAgreement(agreement: agreement, digest: ContractRegistry.digest(xml))
    }

    /// The consent every bench subject gave: analytics for `bench`, naming the categories it covers.
    static func consent(subject: String, id: Int64) -> ConsentRecord {
        ConsentRecord(
            id: id,
            subject: subject,
            purpose: "analytics",
            vendor: "bench",
            status: .granted,
            categories: ["user.unique_id", "user.contact", "user.device", "user.behavior", "user.demographic"],
            givenAt: Timestamp(rfc3339: "2026-11-01T10:00:00Z")!,
            expiresAt: Timestamp(rfc3339: "2030-11-01T00:00:00Z")!,
            source: "cmp:bench",
            evidence: "rcpt-\(id)"
        )
    }

    static func transformer() -> FieldTransformer {
        FieldTransformer(hashKey: SymmetricKey(data: Array(repeating: UInt8(7), count: 32)))
    }

    /// `POST /profile`: one record of 20 fields.
    static func profile() throws -> PolicyFixture {
        let bytes = Array(BenchPayloads.profileRecord(subject: "u-1").utf8)
        return try make(path: "/profile", bytes: bytes, subjects: ["u-1"])
    }

    /// `POST /events` with `records` records of 15 fields, each for a different consented subject.
    static func events(records: Int) throws -> PolicyFixture {
        let subjects = (0..<records).map { "u-\($0)" }
        let bytes = Array(BenchPayloads.eventsBody(subjects: subjects).utf8)
        return try make(path: "/events", bytes: bytes, subjects: subjects)
    }

    static func make(path: String, bytes: [UInt8], subjects: [String]) throws -> PolicyFixture {
        let fixture = PolicyFixture(
            compiled: try compiledAgreement(),
            request: ShareRequest(method: "POST", path: path, purpose: "analytics", service: "checkout", now: .now()),
            bytes: bytes,
            body: try JSONReader.parse(bytes),
            consents: subjects.enumerated().map { consent(subject: $1, id: Int64($0 + 1)) },
            transformer: transformer(),
            expectedRecords: subjects.count
        )
        try fixture.check()
        return fixture
    }

    /// The decision is the one the benchmark means to measure: every record sent, with redactions.
    func check() throws {
        let decision = decide()
        if let refusal = decision.refusal { throw BenchSetupError("the bench request is refused: \(refusal)") }
        guard decision.recordsSent == expectedRecords, decision.redactions > 0, decision.body != nil else {
            throw BenchSetupError("unexpected decision: \(decision.recordsSent) records sent, \(decision.redactions) redactions")
        }
        let perRecord = decision.redactions / expectedRecords
        print("[setup] \(request.path): \(expectedRecords) record(s), \(perRecord) redactions per record, "
            + "actions: \(decision.fields.map { "\($0.path)=\($0.action.rawValue)" }.joined(separator: " "))")
    }

    @inline(never)
    func decide() -> ShareDecision {
        guard case .success(let plan) = compiled.plan(request, standing: .approved, body: body, query: []) else {
            fatalError("the bench request no longer plans")
        }
        return plan.decide(consents: consents, transformer: transformer)
    }

    /// Strict read, plan + decide, write: the data plane's work on a body.
    @inline(never)
    func readRedactWrite() -> [UInt8] {
        let value: JSONValue
        do {
            value = try JSONReader.parse(bytes)
        } catch {
            fatalError("the bench body does not parse: \(error)")
        }
        guard case .success(let plan) = compiled.plan(request, standing: .approved, body: value, query: []) else {
            fatalError("the bench request no longer plans")
        }
        let decision = plan.decide(consents: consents, transformer: transformer)
        guard let body = decision.body else { fatalError("nothing to send") }
        return JSONWriter.bytes(body)
    }
}

// MARK: - Temporary directories

enum TemporaryDirectory {
    private static let made = Mutex<[String]>([])

    /// A new directory under `$TMPDIR` (or /tmp), removed by ``removeAll()``.
    static func make(_ label: String) throws -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/gateway-bench-\(label)-XXXXXX".utf8CString)
        guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw BenchSetupError("cannot make a temporary directory under \(base)")
        }
        let path = String(cString: result)
        made.withLock { $0.append(path) }
        return path
    }

    static func removeAll() {
        for path in made.withLock({ list in defer { list = [] }; return list }) {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}

// MARK: - Share log

let benchOrigin = "bench.example/gateway"

/// A `ShareLog` running on a fresh SQLite file in a temporary directory.
final class LedgerFixture: Sendable {
    let database: SQLiteDatabase
    let log: ShareLog
    let runner: Task<Void, any Error>

    private static let running = Mutex<[LedgerFixture]>([])

    private init(database: SQLiteDatabase, log: ShareLog, runner: Task<Void, any Error>) {
        self.database = database
        self.log = log
        self.runner = runner
    }

    static func start() async throws -> LedgerFixture {
        let directory = try TemporaryDirectory.make("ledger")
        let database = try SQLiteDatabase(path: directory + "/gateway.sqlite")
        let log = ShareLog(
            origin: benchOrigin, store: database, signer: try CheckpointSigner.generate(name: benchOrigin), logger: benchLogger
        )
        let runner = Task { try await log.run() }
        try await log.waitUntilAccepting()
        let fixture = LedgerFixture(database: database, log: log, runner: runner)
        running.withLock { $0.append(fixture) }
        return fixture
    }

    /// `count` appends, `appenders` at a time, each waiting for its entry to be durable.
    func append(count: Int, appenders: Int) async {
        let log = self.log
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<appenders {
                group.addTask {
                    var index = worker
                    while index < count {
                        do {
                            _ = try await log.append(SyntheticEntries.share(vendor: "bench", index: index))
                        } catch {
                            fatalError("append failed: \(error)")
                        }
                        index += appenders
                    }
                }
            }
        }
    }

    static func stopAll() async {
        for fixture in running.withLock({ list in defer { list = [] }; return list }) {
            print("[teardown] log size \(fixture.log.size) in \(fixture.log.commitCount) commits "
                + "(\(fixture.log.size / max(1, fixture.log.commitCount)) entries per commit)")
            fixture.log.stop()
            _ = try? await fixture.runner.value
        }
        TemporaryDirectory.removeAll()
    }
}

/// The same entries and Merkle nodes committed straight to the store, one transaction (one fsync) each.
final class SQLiteBaselineFixture: Sendable {
    let database: SQLiteDatabase
    private let frontier = Mutex(MerkleFrontier())

    init() throws {
        let directory = try TemporaryDirectory.make("sqlite-baseline")
        database = try SQLiteDatabase(path: directory + "/gateway.sqlite")
    }

    func commitOneByOne(count: Int) async throws {
        for _ in 0..<count {
            let (seq, draft, bytes, nodes) = try frontier.withLock { frontier in
                let seq = frontier.size
                let draft = SyntheticEntries.share(vendor: "bench", index: seq)
                let bytes = try ShareLog.entryBytes(draft, seq: seq, origin: benchOrigin, time: .now())
                let nodes = frontier.append(leafHash: MerkleTree.leafHash(bytes))
                return (seq, draft, bytes, nodes)
            }
            let row = LedgerEntryRow(
                origin: benchOrigin, seq: seq, id: draft.id, time: .now(), kind: "share", vendor: draft.vendor,
                purpose: draft.purpose, decision: draft.decision, shareID: nil, subjectRefs: [], bytes: bytes
            )
            try await database.commit(origin: benchOrigin, entries: [row], nodes: nodes, checkpoint: nil, mappings: [])
        }
    }
}

/// The floor under any durable append on this disk: one `pwrite` and one `fdatasync` per entry, into a file
/// written out and synced beforehand (as SQLite reuses its WAL), so no append changes the file's size or
/// extents and each sync flushes data only.
final class FsyncBaselineFixture: Sendable {
    let descriptor: Int32
    let line: [UInt8]
    let capacity: Int
    private let offset = Mutex(0)

    init() throws {
        let directory = try TemporaryDirectory.make("fsync-baseline")
        descriptor = open(directory + "/entries.jsonl", O_RDWR | O_CREAT, 0o600)
        guard descriptor >= 0 else { throw BenchSetupError("cannot open the baseline file") }
        line = try ShareLog.entryBytes(SyntheticEntries.share(vendor: "bench", index: 0), seq: 0, origin: benchOrigin, time: .now())
            + [UInt8(ascii: "\n")]
        capacity = 256 << 20
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<(capacity >> 20) {
            let written = zeros.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written == zeros.count else { throw BenchSetupError("cannot preallocate the baseline file") }
        }
        guard fsync(descriptor) == 0 else { throw BenchSetupError("fsync failed") }
    }

    func append(count: Int) {
        for _ in 0..<count {
            let position = offset.withLock { offset -> Int in
                if offset + line.count > capacity { offset = 0 }
                defer { offset += line.count }
                return offset
            }
            let written = line.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(position)) }
            guard written == line.count, fdatasync(descriptor) == 0 else { fatalError("pwrite or fdatasync failed") }
        }
    }

    deinit { close(descriptor) }
}

// MARK: - The million-entry log

/// A log of 1,000,000 synthetic shares, built once through `ShareLog` (1,000 appenders at once, so group commit
/// fills its batches) and cached under `$VENDOR_GATEWAY_BENCH_CACHE` (default `/tmp/vendor-gateway-bench`) with
/// its JSON Lines export, its signed checkpoint and its verifier key.
enum MillionEntryLog {
    static let size = 1_000_000
    static let origin = "bench.example/ledger-1m"

    static var cacheRoot: String {
        ProcessInfo.processInfo.environment["VENDOR_GATEWAY_BENCH_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "/tmp/vendor-gateway-bench"
    }

    static var directory: String { cacheRoot + "/ledger-1m-v1" }

    struct Prepared: Sendable {
        let directory: String
        var databasePath: String { directory + "/gateway.sqlite" }
        var exportPath: String { directory + "/export.jsonl" }
        var checkpointPath: String { directory + "/checkpoint.txt" }
        var verifierKeyPath: String { directory + "/verifier.key" }

        func proofs() async throws -> ProofFixture {
            let database = try SQLiteDatabase(path: databasePath)
            guard let checkpoint = try await database.latestCheckpoint(origin: origin), checkpoint.size == size else {
                throw BenchSetupError("the cached log in \(directory) has no checkpoint at \(size); remove the directory")
            }
            // Leaf hashes of 1,024 random entries, to verify proofs against.
            var samples: [(index: Int, leafHash: [UInt8])] = []
            for _ in 0..<1024 {
                let index = Int.random(in: 0..<size)
                let rows = try await database.entries(
                    LedgerQuery(origin: origin, after: index == 0 ? nil : LedgerPosition(origin: origin, seq: index - 1), limit: 1)
                )
                guard let row = rows.first, row.seq == index else { throw BenchSetupError("entry \(index) is missing") }
                samples.append((index, MerkleTree.leafHash(row.bytes)))
            }
            return ProofFixture(
                database: database, proofs: LedgerProofs(store: database, origin: origin), root: checkpoint.rootHash,
                samples: samples
            )
        }

        func verifierFixture() throws -> VerifierFixture {
            let export = try Array(Data(contentsOf: URL(fileURLWithPath: exportPath)))
            let checkpoint = try Array(Data(contentsOf: URL(fileURLWithPath: checkpointPath)))
            let key = try String(contentsOfFile: verifierKeyPath, encoding: .utf8)
            let fixture = VerifierFixture(export: export, checkpoint: checkpoint, key: key, entries: size)
            let result = ExportVerifier.verify(export: export, checkpointNote: checkpoint, verifierKey: key)
            guard result.ok else { throw BenchSetupError("the cached export does not verify: \(result.message)") }
            print("[setup] export: \(export.count) bytes, \(size) lines; \(result.message)")
            return fixture
        }
    }

    static func prepare() async throws -> Prepared {
        let prepared = Prepared(directory: directory)
        if FileManager.default.fileExists(atPath: directory + "/complete") {
            print("[setup] reusing the 1,000,000-entry log in \(directory)")
            return prepared
        }
        try FileManager.default.createDirectory(atPath: cacheRoot, withIntermediateDirectories: true)
        let building = directory + ".building-\(getpid())"
        try? FileManager.default.removeItem(atPath: building)
        try FileManager.default.createDirectory(atPath: building, withIntermediateDirectories: true)
        print("[setup] building a 1,000,000-entry log in \(building) (once; cached for later runs)")
        let started = ContinuousClock.now
        let database = try SQLiteDatabase(path: building + "/gateway.sqlite")
        let signer = try CheckpointSigner.generate(name: origin)
        let log = ShareLog(origin: origin, store: database, signer: signer, logger: benchLogger)
        let runner = Task { try await log.run() }
        try await log.waitUntilAccepting()
        let appenders = 1000
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<appenders {
                group.addTask {
                    var index = worker
                    while index < size {
                        _ = try await log.append(SyntheticEntries.share(vendor: "bench", index: index))
                        index += appenders
                    }
                }
            }
            try await group.waitForAll()
        }
        log.stop()
        try await runner.value
        print("[setup] appended \(log.size) entries in \(ContinuousClock.now - started) (\(log.commitCount) commits)")
        guard let checkpoint = try await database.latestCheckpoint(origin: origin), checkpoint.size == size else {
            throw BenchSetupError("the log has no checkpoint at \(size)")
        }
        try Data(checkpoint.note.utf8).write(to: URL(fileURLWithPath: building + "/checkpoint.txt"))
        try Data((signer.verifierKeyString + "\n").utf8).write(to: URL(fileURLWithPath: building + "/verifier.key"))
        _ = FileManager.default.createFile(atPath: building + "/export.jsonl", contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: building + "/export.jsonl"))
        let exported = try await LedgerExporter(store: database, pageSize: 10_000).export(origin: origin) { chunk in
            try handle.write(contentsOf: chunk)
        }
        try handle.close()
        guard exported == size else { throw BenchSetupError("exported \(exported) entries, expected \(size)") }
        _ = FileManager.default.createFile(atPath: building + "/complete", contents: Data())
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.moveItem(atPath: building, toPath: directory)
        print("[setup] log, export and checkpoint ready in \(ContinuousClock.now - started)")
        return prepared
    }
}

struct ProofFixture: Sendable {
    let database: SQLiteDatabase
    let proofs: LedgerProofs
    let root: [UInt8]
    let samples: [(index: Int, leafHash: [UInt8])]

    func proofOfRandomLeaf() async throws -> [[UInt8]] {
        try await proofs.inclusionProof(leafIndex: Int.random(in: 0..<MillionEntryLog.size), treeSize: MillionEntryLog.size)
    }

    func proveAndVerifyRandomLeaf() async throws -> Bool {
        let sample = samples.randomElement()!
        let proof = try await proofs.inclusionProof(leafIndex: sample.index, treeSize: MillionEntryLog.size)
        return MerkleTree.verifyInclusion(
            leafHash: sample.leafHash, leafIndex: sample.index, treeSize: MillionEntryLog.size, proof: proof, root: root
        )
    }
}

struct VerifierFixture: Sendable {
    let export: [UInt8]
    let checkpoint: [UInt8]
    let key: String
    let entries: Int
}
