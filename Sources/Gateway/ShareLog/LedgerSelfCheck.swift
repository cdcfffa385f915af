import Contracts

/// The server-side self check: every stored entry hashed again, the tree rebuilt from them, compared with the
/// stored tree and the latest signed checkpoint.
public struct LedgerSelfCheck: Sendable {
    let store: any LedgerStore
    let origin: String

    public init(store: any LedgerStore, origin: String) {
        self.store = store
        self.origin = origin
    }

    public struct Result: Sendable {
        public var ok: Bool
        public var size: Int
        public var checkpointSize: Int?
        public var message: String

        public var json: JSONValue {
            .object([
                JSONMember("ok", .bool(ok)),
                JSONMember("treeSize", .number(JSONNumber(size))),
                JSONMember("checkpointSize", checkpointSize.map { .number(JSONNumber($0)) } ?? .null),
                JSONMember("message", .string(message)),
            ])
        }
    }

    public func run() async throws -> Result {
        let checkpoint = try await store.latestCheckpoint(origin: origin)
        var frontier = MerkleFrontier()
        var checkpointRoot: [UInt8]?
        var after: LedgerPosition?
        var expected = 0
        while true {
            let page = try await store.entries(LedgerQuery(origin: origin, after: after, limit: 5000))
            for entry in page {
                guard entry.seq == expected else {
                    return Result(
                        ok: false,
                        size: expected,
                        checkpointSize: checkpoint?.size,
                        message: "entry \(expected) is missing"
                    )
                }
                frontier.append(leafHash: MerkleTree.leafHash(entry.bytes))
                expected += 1
                if expected == checkpoint?.size { checkpointRoot = frontier.root }
            }
            guard let last = page.last, page.count == 5000 else { break }
            after = LedgerPosition(origin: last.origin, seq: last.seq)
        }
        let storedRoot = try await LedgerProofs(store: store, origin: origin).treeHead(size: frontier.size)
        guard storedRoot == frontier.root else {
            return Result(
                ok: false,
                size: frontier.size,
                checkpointSize: checkpoint?.size,
                message: "the stored tree does not match the entries"
            )
        }
        if let checkpoint {
            guard checkpointRoot == checkpoint.rootHash else {
                return Result(
                    ok: false,
                    size: frontier.size,
                    checkpointSize: checkpoint.size,
                    message: "the entries do not match the latest checkpoint"
                )
            }
        }
        return Result(
            ok: true,
            size: frontier.size,
            checkpointSize: checkpoint?.size,
            message: "\(frontier.size) entries rehashed; tree and checkpoint agree"
        )
    }
}
