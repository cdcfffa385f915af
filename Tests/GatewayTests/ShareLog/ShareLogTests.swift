import Contracts
import Foundation
import GRDB
import Logging
import Testing

@testable import Gateway

/// The share log on a real SQLite file: durability, group commit, checkpoints, restart, faults.
@Suite("Share log", .serialized)
struct ShareLogTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sharelog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func makeLog(
        _ database: SQLiteDatabase,
        origin: String = "test.example/log",
        signer: CheckpointSigner? = nil,
        intervalSeconds: Int = 10
    ) throws -> ShareLog {
        ShareLog(
            origin: origin,
            store: database,
            signer: try signer ?? CheckpointSigner.generate(name: origin),
            logger: Logger(label: "test"),
            checkpointIntervalSeconds: intervalSeconds
        )
    }

    /// Runs `body` with the log running, then stops it.
    static func running<T>(_ log: ShareLog, _ body: () async throws -> T) async throws -> T {
        let task = Task { try await log.run() }
        try await log.waitUntilAccepting()
        do {
            let result = try await body()
            log.stop()
            try await task.value
            return result
        } catch {
            log.stop()
            _ = await task.result
            throw error
        }
    }

    @Test func fixedEntryHasExactCanonicalBytesAndLeafHash() throws {
        let draft = LogEntryDraft(
            id: "e1",
            kind: .share,
            members: [
                JSONMember("vendor", .string("acme")),
                JSONMember("service", .string("checkout")),
                JSONMember(
                    "records",
                    .object([
                        JSONMember("sent", .number(JSONNumber(1))), JSONMember("received", .number(JSONNumber(2))),
                    ])
                ),
                JSONMember("subjectRefs", .array([.string("ab")])),
                JSONMember("reason", .null),
                JSONMember(
                    "fields",
                    .array([.object([JSONMember("path", .string("@.email")), JSONMember("action", .string("hash"))])])
                ),
                JSONMember("note", .string("caf\u{e9} \u{2028}")),
            ]
        )
        let bytes = try ShareLog.entryBytes(
            draft,
            seq: 7,
            origin: "gw.example/eu-1",
            time: Timestamp(rfc3339: "2026-11-29T12:00:00Z")!
        )
        let expected =
            "{\"fields\":[{\"action\":\"hash\",\"path\":\"@.email\"}],\"id\":\"e1\",\"kind\":\"share\",\"note\":\"caf\u{e9} \u{2028}\",\"origin\":\"gw.example/eu-1\",\"reason\":null,\"records\":{\"received\":2,\"sent\":1},\"seq\":7,\"service\":\"checkout\",\"subjectRefs\":[\"ab\"],\"time\":\"2026-11-29T12:00:00.000Z\",\"vendor\":\"acme\"}"
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
        #expect(
            Hex.encode(MerkleTree.leafHash(bytes)) == "57609f9b12809c607fa1a2ae5dbf1fbb88a1ab876912f3d3d630e97e21a48aea"
        )
    }

    @Test(arguments: [
        ["a", "zz", "Z"],
        ["identity", "ids", "i", "kinds", "originals", "sequence", "times", "\u{e9}", "\u{1F600}", "\u{FFFF}"], [],
    ])
    func splicedEntryBytesAreTheCanonicalForm(keys: [String]) throws {
        let members = keys.enumerated().map { JSONMember($0.element, .number(JSONNumber($0.offset))) }
        let draft = LogEntryDraft(id: "e-1", kind: .outcome, members: members)
        let time = Timestamp(epochMilliseconds: 1_790_000_000_123)
        let whole = try CanonicalJSON.bytes(
            .object(
                members + [
                    JSONMember("seq", .number(JSONNumber(42))), JSONMember("origin", .string("o.example/x")),
                    JSONMember("time", .string(time.rfc3339)), JSONMember("id", .string("e-1")),
                    JSONMember("kind", .string("outcome")),
                ]
            )
        )
        #expect(try ShareLog.entryBytes(draft, seq: 42, origin: "o.example/x", time: time) == whole)
    }

    @Test func entriesCannotSetWhatTheLogSets() {
        let draft = LogEntryDraft(id: "e", kind: .share, members: [JSONMember("seq", .number(JSONNumber(7)))])
        #expect(throws: (any Error).self) { try ShareLog.entryBytes(draft, seq: 0, origin: "o", time: .now()) }
    }

    @Test func entriesRefuseFloatingPointNumbers() {
        let draft = LogEntryDraft(
            id: "e",
            kind: .share,
            members: [JSONMember("x", .number(JSONNumber(uncheckedLiteral: "1.5")))]
        )
        #expect(throws: (any Error).self) { try ShareLog.entryBytes(draft, seq: 0, origin: "o", time: .now()) }
    }

    @Test func concurrentAppendersShareCommits() async throws {
        let directory = try Self.temporaryDirectory()
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("g.sqlite").path)
        let log = try Self.makeLog(database)
        let seqs = try await Self.running(log) {
            try await withThrowingTaskGroup(of: [Int].self) { group in
                for worker in 0..<64 {
                    group.addTask {
                        var seqs: [Int] = []
                        for index in 0..<40 {
                            seqs.append(
                                try await log.append(SyntheticEntries.share(vendor: "v", index: worker * 100 + index))
                                    .seq
                            )
                        }
                        return seqs
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
        }
        #expect(seqs.sorted() == Array(0..<2560))
        #expect(log.commitCount < 2560 / 4, "group commit: \(log.commitCount) commits for 2560 entries")
        #expect(try await database.ledgerSize(origin: log.origin) == 2560)
        // Checkpoints at every thousand, and one on shutdown.
        let sizes = try await database.checkpoints(origin: log.origin, limit: 100).map(\.size).sorted()
        #expect(sizes == [1000, 2000, 2560])
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func logReopensConsistentAndProofsVerify() async throws {
        let directory = try Self.temporaryDirectory()
        let path = directory.appendingPathComponent("g.sqlite").path
        let signer = try CheckpointSigner.generate(name: "test.example/log")
        do {
            let log = try Self.makeLog(try SQLiteDatabase(path: path), signer: signer)
            try await Self.running(log) {
                for index in 0..<37 { _ = try await log.append(SyntheticEntries.share(vendor: "v", index: index)) }
            }
        }
        let database = try SQLiteDatabase(path: path)
        let reopened = try Self.makeLog(database, signer: signer)
        try await Self.running(reopened) {
            #expect(reopened.size == 37)
            _ = try await reopened.append(SyntheticEntries.share(vendor: "v", index: 99))
        }
        let checkpoint = try #require(try await database.latestCheckpoint(origin: "test.example/log"))
        #expect(checkpoint.size == 38)
        let verified = try CheckpointVerifier(verifierKey: signer.verifierKeyString).verify(checkpoint.note)
        #expect(verified.rootHash == checkpoint.rootHash)
        let entries = try await database.entries(LedgerQuery(origin: "test.example/log", limit: 100))
        let proofs = LedgerProofs(store: database, origin: "test.example/log")
        for seq in [0, 17, 37] {
            let proof = try await proofs.inclusionProof(leafIndex: seq, treeSize: 38)
            #expect(
                MerkleTree.verifyInclusion(
                    leafHash: MerkleTree.leafHash(entries[seq].bytes),
                    leafIndex: seq,
                    treeSize: 38,
                    proof: proof,
                    root: checkpoint.rootHash
                )
            )
        }
        let old = try await proofs.treeHead(size: 20)
        let consistency = try await proofs.consistencyProof(from: 20, to: 38)
        #expect(
            MerkleTree.verifyConsistency(
                from: 20,
                to: 38,
                proof: consistency,
                oldRoot: old,
                newRoot: checkpoint.rootHash
            )
        )
        let check = try await LedgerSelfCheck(store: database, origin: "test.example/log").run()
        #expect(check.ok, "\(check.message)")
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func logSignedWithAnotherKeyIsNotContinued() async throws {
        let directory = try Self.temporaryDirectory()
        let path = directory.appendingPathComponent("g.sqlite").path
        let log = try Self.makeLog(try SQLiteDatabase(path: path))
        try await Self.running(log) { _ = try await log.append(SyntheticEntries.share(vendor: "v", index: 0)) }
        let intruder = try Self.makeLog(try SQLiteDatabase(path: path))
        await #expect(throws: StorageError.self) { try await intruder.run() }
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func checkpointFollowsTenSecondsOfActivity() async throws {
        let directory = try Self.temporaryDirectory()
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("g.sqlite").path)
        let log = try Self.makeLog(database, intervalSeconds: 1)
        try await Self.running(log) {
            for index in 0..<5 { _ = try await log.append(SyntheticEntries.share(vendor: "v", index: index)) }
            try await Task.sleep(for: .milliseconds(2500))
            #expect(try await database.latestCheckpoint(origin: log.origin)?.size == 5)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func appendFailsWhileTheDatabaseIsLockedBeyondTheDeadline() async throws {
        let directory = try Self.temporaryDirectory()
        let path = directory.appendingPathComponent("g.sqlite").path
        let database = try SQLiteDatabase(path: path, busyTimeoutSeconds: 0.3)
        let log = try Self.makeLog(database)
        let blocker = try DatabaseQueue(path: path)
        try await Self.running(log) {
            _ = try await log.append(SyntheticEntries.share(vendor: "v", index: 0))
            let (locked, release) = AsyncStream<Void>.makeStream()
            let (released, done) = AsyncStream<Void>.makeStream()
            let holder = Task.detached {
                try blocker.inTransaction(.exclusive) { _ in
                    release.yield()
                    Thread.sleep(forTimeInterval: 1.5)
                    return .rollback
                }
                done.yield()
            }
            var lockedIterator = locked.makeAsyncIterator()
            _ = await lockedIterator.next()
            await #expect(throws: LogError.self) {
                _ = try await log.append(SyntheticEntries.share(vendor: "v", index: 1))
            }
            var releasedIterator = released.makeAsyncIterator()
            _ = await releasedIterator.next()
            try await holder.value
            let entry = try await log.append(SyntheticEntries.share(vendor: "v", index: 2))
            #expect(entry.seq == 1, "the failed append left no trace")
        }
        #expect(try await database.ledgerSize(origin: log.origin) == 2)
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func appendFailsWhenTheDatabaseFilesBecomeReadOnly() async throws {
        let directory = try Self.temporaryDirectory()
        let path = directory.appendingPathComponent("g.sqlite").path
        let database = try SQLiteDatabase(path: path)
        let log = try Self.makeLog(database)
        let files = [path, path + "-wal"]
        try await Self.running(log) {
            _ = try await log.append(SyntheticEntries.share(vendor: "v", index: 0))
            // The immutable attribute makes the files read-only even through descriptors already open.
            guard Self.run("/usr/bin/chattr", ["+i"] + files) == 0 else {
                withKnownIssue("this file system does not support the immutable attribute") {
                    Issue.record("read-only file test not run")
                }
                return
            }
            await #expect(throws: LogError.self) {
                _ = try await log.append(SyntheticEntries.share(vendor: "v", index: 1))
            }
            #expect(Self.run("/usr/bin/chattr", ["-i"] + files) == 0)
            let entry = try await log.append(SyntheticEntries.share(vendor: "v", index: 2))
            #expect(entry.seq == 1, "the failed append left no trace")
        }
        _ = Self.run("/usr/bin/chattr", ["-i"] + files)
        #expect(try await database.ledgerSize(origin: log.origin) == 2)
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func appendFailsOnAFullDisk() async throws {
        let mountPoint = try Self.temporaryDirectory()
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint.path]) == 0 else {
            withKnownIssue("mounting a tmpfs needs CAP_SYS_ADMIN, which this machine does not grant") {
                Issue.record("full disk test not run")
            }
            return
        }
        defer { _ = Self.run("/bin/umount", ["-l", mountPoint.path]) }
        let database = try SQLiteDatabase(path: mountPoint.appendingPathComponent("g.sqlite").path)
        let log = try Self.makeLog(database)
        var failures = 0
        var acknowledged: [Int] = []
        try await Self.running(log) {
            for index in 0..<20_000 {
                do {
                    acknowledged.append(try await log.append(SyntheticEntries.share(vendor: "v", index: index)).seq)
                } catch is LogError {
                    failures += 1
                    break
                }
            }
        }
        #expect(failures == 1, "a full disk must fail an append, not pass silently")
        #expect(try await database.ledgerSize(origin: log.origin) == acknowledged.count)
    }

    static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        } catch {
            return -1
        }
    }
}
