// swift-tools-version: 6.2
//
// Benchmarks and the load harness of the vendor gateway, kept out of the main package (the SwiftNIO layout):
//
//   swift package --disable-sandbox benchmark        micro-benchmarks (ordo-one/benchmark)
//   swift build -c release --product loadgen         the TLS load generator used by run-load.sh
//   swift build -c release --product benchprep       makes the data sets run-load.sh needs
import PackageDescription

let package = Package(
    name: "vendor-gateway-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "vendor-gateway", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        .target(
            name: "BenchSupport",
            path: "Sources/BenchSupport"
        ),
        .executableTarget(
            name: "GatewayBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Contracts", package: "vendor-gateway"),
                .product(name: "Gateway", package: "vendor-gateway"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/GatewayBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        .executableTarget(
            name: "loadgen",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/loadgen"
        ),
        .executableTarget(
            name: "benchprep",
            dependencies: [
                "BenchSupport",
                .product(name: "Contracts", package: "vendor-gateway"),
                .product(name: "Gateway", package: "vendor-gateway"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/benchprep"
        ),
    ]
)
