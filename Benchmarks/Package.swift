// swift-tools-version:6.2
//
// Benchmarks for Cairn, kept out of the main package so that `swift build` and `swift test` there
// do not build the benchmark harness. Depends on the main package by path.
//
//   swift package benchmark                 per-operation benchmarks (ordo-one/benchmark)
//   swift run -c release log-figures        the log's figures against same-run baselines
//   swift run -c release projection-figures the projector's figures against same-run baselines
import PackageDescription

let package = Package(
    name: "CairnBenchmarks",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // zstd itself, for the raw baselines.
        .systemLibrary(name: "CZstdRaw", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .executableTarget(
            name: "log-figures",
            dependencies: [
                "CZstdRaw",
                .product(name: "CairnLog", package: "main"),
                .product(name: "CairnCorpus", package: "main"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/LogFigures",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "projection-figures",
            dependencies: [
                .product(name: "CairnEngine", package: "main"),
                .product(name: "CairnStore", package: "main"),
                .product(name: "CairnModel", package: "main"),
                .product(name: "CairnLog", package: "main"),
                .product(name: "CairnCorpus", package: "main"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/ProjectionFigures",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "LogBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CairnLog", package: "main"),
                .product(name: "CairnCorpus", package: "main"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/LogBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
