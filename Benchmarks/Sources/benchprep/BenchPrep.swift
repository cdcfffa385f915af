// benchprep: makes what the load test needs (agreement, bodies, consent lines) and the large store of
// scenario (c): 10,000 registered and approved vendors and 10,000,000 consent records, written through the
// gateway's own store API (`SQLiteDatabase`, `ContractRegistry`), so the schema, digests and consent
// fingerprints are the gateway's.
import ArgumentParser
import BenchSupport
import Contracts
import Foundation
import Gateway
import Logging

@main
struct BenchPrep: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchprep",
        abstract: "Make agreements, request bodies, consent files and the large store for the gateway's load test.",
        subcommands: [AgreementCommand.self, BodyCommand.self, ConsentsCommand.self, BigStoreCommand.self]
    )
}

struct AgreementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agreement", abstract: "Print the bench agreement (DPA XML).")
    @Option(help: "The vendor id.") var vendor = "bench"
    @Option(help: "The endpoint's base URL.") var baseURL = "https://api.bench.example/v1"
    @Option(help: "The agreement version.") var version = 1
    @Option(help: "The credential name (empty: none).") var credential = "bench-api-key"
    @Option(help: "The calling service allowed.") var service = "checkout"

    func run() throws {
        print(
            BenchAgreement.xml(
                vendorID: vendor, version: version, baseURL: baseURL, credential: credential.isEmpty ? nil : credential,
                service: service
            ),
            terminator: ""
        )
    }
}

struct BodyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "body",
        abstract: "Print a POST /events body: RECORDS records of 15 fields, subjects templated for loadgen."
    )
    @Option(help: "Records in the batch.") var records = 1
    @Option(help: "The subject of each record; `{{n}}` is filled in per request by loadgen.") var subject = "u-{{n}}"

    func run() throws {
        print(BenchPayloads.eventsBody(subjects: Array(repeating: subject, count: records)), terminator: "")
    }
}

struct ConsentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consents",
        abstract: "Print JSON Lines for `gatewayd consents import`: subjects PREFIX0..PREFIX(N-1) grant analytics to VENDOR."
    )
    @Option(help: "How many subjects.") var subjects = 10_000
    @Option(help: "The subject id prefix.") var prefix = "u-"
    @Option(help: "The vendor.") var vendor = "bench"

    func run() throws {
        var out = ""
        out.reserveCapacity(subjects * 200)
        for index in 0..<subjects {
            out += BenchPayloads.consentLine(
                subject: "\(prefix)\(index)",
                vendor: vendor,
                categories: ["user.unique_id", "user.contact", "user.device", "user.behavior", "user.demographic"]
            )
            out += "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}

struct BigStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "big-store",
        abstract: "Write a gateway SQLite store with many vendors and consent records (scenario (c) of run-load.sh).",
        discussion: """
            Vendors v-00000... are registered and approved (an analytics agreement each). Subjects \
            PREFIX0000000... get RECORDS/SUBJECTS consent records each: the first grants analytics to `bench` \
            (the load test's vendor, registered later), the others are a mix of grants and withdrawals for random \
            vendors and purposes over two years. Written through the gateway's store, in large transactions.
            """
    )
    @Option(help: "The SQLite file to make (must not exist).") var database: String
    @Option(help: "Vendors to register.") var vendors = 10_000
    @Option(help: "Consent records to store.") var consents = 10_000_000
    @Option(help: "Distinct subjects over which the records are spread.") var subjects = 1_000_000
    @Option(help: "The subject id prefix (ids are zero-padded to 7 digits).") var prefix = "c-"
    @Option(help: "Records per transaction.") var batch = 50_000

    func run() async throws {
        guard !FileManager.default.fileExists(atPath: database) else {
            throw ValidationError("\(database) exists; remove it first")
        }
        var logger = Logger(label: "benchprep")
        logger.logLevel = .warning
        let store = try SQLiteDatabase(path: database)
        let started = ContinuousClock.now

        // Vendors, with the validation and approval the gateway does (two principals), a few at a time.
        let registry = ContractRegistry(store: store, validator: ContractValidator(), logger: logger)
        let vendorIDs = (0..<vendors).map { "v-" + String(format: "%05d", $0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add() {
                guard next < vendorIDs.count else { return }
                let id = vendorIDs[next]
                next += 1
                group.addTask {
                    let xml = BenchAgreement.xml(
                        vendorID: id, agreementID: id + "-analytics", baseURL: "https://api.\(id).example/v1", credential: nil
                    )
                    _ = try await registry.register(xml: Array(xml.utf8), by: "benchprep")
                    _ = try await registry.approve(vendorID: id, by: "benchprep-approval")
                }
            }
            for _ in 0..<8 { add() }
            var done = 0
            while try await group.next() != nil {
                done += 1
                if done % 2000 == 0 { progress("vendors: \(done)/\(vendors)", since: started) }
                add()
            }
        }
        progress("vendors: \(vendors) registered and approved", since: started)

        // Consent records, subject by subject.
        let purposes = ["analytics", "personalize", "marketing.communications.email", "marketing.advertising", "product_development"]
        let perSubject = max(1, consents / max(1, subjects))
        let base = Timestamp(rfc3339: "2025-01-01T00:00:00Z")!.epochMilliseconds
        let twoYears: Int64 = 2 * 365 * 24 * 3600 * 1000
        var generator = SplitMix64(seed: 0x5eed)
        var written = 0
        var pending: [ConsentRecord] = []
        pending.reserveCapacity(batch)
        let now = Timestamp.now()
        var subjectIndex = 0
        while written + pending.count < consents {
            let subject = prefix + String(format: "%07d", subjectIndex % max(1, subjects))
            let round = subjectIndex / max(1, subjects)
            for slot in 0..<perSubject where written + pending.count < consents {
                if slot == 0 && round == 0 {
                    pending.append(
                        ConsentRecord(
                            subject: subject, purpose: "analytics", vendor: "bench", status: .granted,
                            categories: ["user.unique_id", "user.contact", "user.device", "user.behavior", "user.demographic"],
                            givenAt: Timestamp(epochMilliseconds: base + Int64(generator.next() % UInt64(twoYears / 2))),
                            expiresAt: Timestamp(rfc3339: "2030-01-01T00:00:00Z"), source: "cmp:web",
                            evidence: "rcpt-\(subjectIndex)"
                        )
                    )
                    continue
                }
                let random = generator.next()
                let vendor = random % 10 == 0 ? ConsentRecord.allVendors : vendorIDs[Int(random >> 8) % max(1, vendorIDs.count)]
                let expires: Timestamp? = random % 3 == 0 ? Timestamp(epochMilliseconds: base + twoYears + Int64(random % 1000) * 86_400_000) : nil
                pending.append(
                    ConsentRecord(
                        subject: subject,
                        purpose: purposes[Int((random >> 20) % UInt64(purposes.count))],
                        vendor: vendor,
                        status: random % 7 == 0 ? .withdrawn : .granted,
                        categories: random % 4 == 0 ? ["user.contact.email"] : [],
                        givenAt: Timestamp(epochMilliseconds: base + Int64((random >> 24) % UInt64(twoYears))),
                        expiresAt: expires,
                        source: random % 2 == 0 ? "cmp:web" : "cmp:app",
                        evidence: "rcpt-\(subjectIndex)-\(slot)"
                    )
                )
            }
            subjectIndex += 1
            if pending.count >= batch {
                written += try await store.insert(pending, at: now).inserted
                pending.removeAll(keepingCapacity: true)
                if written % 1_000_000 < batch { progress("consents: \(written)/\(consents)", since: started) }
            }
        }
        if !pending.isEmpty { written += try await store.insert(pending, at: now).inserted }
        progress("consents: \(written) stored for \(min(subjectIndex, subjects)) subjects", since: started)
    }

    func progress(_ text: String, since start: ContinuousClock.Instant) {
        FileHandle.standardError.write(Data("benchprep: \(text) (\(ContinuousClock.now - start))\n".utf8))
    }
}

/// A small deterministic generator (SplitMix64), so the store is the same on every machine.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
