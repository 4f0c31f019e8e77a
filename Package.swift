// swift-tools-version:6.2
//
// Cairn's targets, lowest layer first. Arrows point down only:
//
//   cairn (CLI) ──► CairnServer ──► CairnEngine ──► CairnLogic ──► CairnModel
//                                      │  └──────► CairnStore ──► CLMDB
//                                      └─────────► CairnLog ──► CZstd, COpenSSL, CCRC32C
//   Tools/*     ──► CairnLog, CairnCorpus
//
// CairnLog is the storage core: an append-only log of opaque records. It knows
// nothing of customers, events or HTTP. CairnServer is the HTTP shell (Hummingbird).
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
    // Lets release builds specialize generics across modules (the projector's table access in
    // CairnStore), instead of going through generic metadata on every call.
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "Cairn",
    products: [
        .library(name: "CairnLog", targets: ["CairnLog"]),
        .library(name: "CairnCorpus", targets: ["CairnCorpus"]),
        .library(name: "CairnModel", targets: ["CairnModel"]),
        .library(name: "CairnStore", targets: ["CairnStore"]),
        .library(name: "CairnEngine", targets: ["CairnEngine"]),
        .library(name: "CairnLogic", targets: ["CairnLogic"]),
        .executable(name: "cairn", targets: ["cairn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The destination dispatcher's webhook deliveries (CairnServer/Destinations).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // C libraries from the system (see Makefile `deps`).
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // gzip request bodies (Segment's clients compress theirs).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        // CRC32C with the SSE4.2 instruction where the CPU has it, slicing-by-8 otherwise.
        .target(name: "CCRC32C"),

        .target(
            name: "CairnLog",
            dependencies: [
                "CZstd", "COpenSSL", "CCRC32C",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        .target(name: "CairnModel", swiftSettings: strict),
        // The CDP's logic: conditions, workflows and actions. Pure: no I/O, no clock, no randomness.
        .target(name: "CairnLogic", dependencies: ["CairnModel"], swiftSettings: strict),
        .target(
            name: "CairnEngine",
            dependencies: [
                "CairnLog", "CairnStore", "CairnModel", "CairnLogic", "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
                // Configuration files (Config/ConfigurationFiles.swift).
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .target(name: "CairnCorpus", path: "Tools/CairnCorpus", swiftSettings: strict),
        .target(
            name: "CairnStore",
            dependencies: ["CLMDB", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "CairnServer",
            dependencies: [
                "CairnEngine", "CairnLog", "CairnLogic", "CairnModel", "CairnStore", "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The OpenAPI document served at /openapi.json (docs/openapi.json links to it).
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "cairn",
            dependencies: [
                "CairnLog", "CairnCorpus", "CairnEngine", "CairnModel", "CairnServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Drivers used by the crash tests and `make torture`.
        .executableTarget(
            name: "cairn-crash-child",
            dependencies: ["CairnLog"],
            path: "Tools/CrashChild",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "cairn-corpus",
            dependencies: [
                "CairnCorpus",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/CorpusCommand",
            swiftSettings: strict
        ),

        .target(name: "CairnTestSupport", path: "Tests/CairnTestSupport", swiftSettings: strict),
        .testTarget(
            name: "CairnLogTests",
            dependencies: ["CairnLog", "CairnTestSupport", "cairn-crash-child"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CairnEngineTests",
            dependencies: ["CairnEngine", "CairnCorpus", "CairnTestSupport"],
            // Scenario scripts and configuration, read at test time beside the tests (#filePath).
            exclude: ["Scenarios/Scripts", "Scenarios/Configuration"],
            swiftSettings: strict
        ),
        .testTarget(name: "CairnCorpusTests", dependencies: ["CairnCorpus"], swiftSettings: strict),
        .testTarget(name: "CairnModelTests", dependencies: ["CairnModel", "CairnTestSupport"], swiftSettings: strict),
        .testTarget(name: "CairnLogicTests", dependencies: ["CairnLogic", "CairnTestSupport"], swiftSettings: strict),
        .testTarget(name: "CairnStoreTests", dependencies: ["CairnStore", "CairnTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "CairnServerTests",
            dependencies: [
                // `cairn` for `cairn destination dead-letters`, run as a program.
                "CairnServer", "CairnEngine", "CairnLogic", "CairnTestSupport", "cairn",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // The destination tests run webhook receivers of their own.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CairnCLITests",
            dependencies: ["CairnLog", "CairnCorpus", "CairnTestSupport", "cairn"],
            swiftSettings: strict
        ),
    ]
)
