import Benchmark
import Contracts
import Gateway

let benchmarks: @Sendable () -> Void = {
    Benchmark("placeholder") { _ in }
}
