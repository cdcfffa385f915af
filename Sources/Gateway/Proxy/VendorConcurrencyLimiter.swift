import Synchronization

/// Bounds the requests in flight to each vendor; over the bound, requests are refused at once (503), not queued.
final class VendorConcurrencyLimiter: Sendable {
    let limit: Int
    private let inFlight = Mutex<[String: Int]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot for `vendor`; false when every slot is taken.
    func acquire(_ vendor: String) -> Bool {
        inFlight.withLock { counts in
            let current = counts[vendor, default: 0]
            guard current < limit else { return false }
            counts[vendor] = current + 1
            return true
        }
    }

    func release(_ vendor: String) {
        inFlight.withLock { counts in
            let current = counts[vendor, default: 1] - 1
            counts[vendor] = current > 0 ? current : nil
        }
    }
}
