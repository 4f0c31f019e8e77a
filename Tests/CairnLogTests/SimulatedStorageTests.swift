@testable import CairnLog
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Tests of the simulator itself: its crash, namespace and fault semantics.
@Suite struct SimulatedStorageTests {
    private static let dir = "/log"
    private static let path = "/log/00000000000000000000.log"

    /// A storage with `/log` created.
    private func makeStorage(seed: UInt64 = 1, faults: Faults = .none, bytesMax: Int? = nil,
                             tornWrite: TornWrite = .bytePrefix) throws -> SimulatedStorage {
        let storage = SimulatedStorage(seed: seed, faults: faults, bytesMax: bytesMax, tornWrite: tornWrite)
        try storage.createDirectory(Self.dir)
        return storage
    }

    /// Creates `path`, writes `bytes`, syncs the file and its directory.
    private func writeDurably(_ storage: SimulatedStorage, _ path: String, _ bytes: [UInt8]) throws {
        let file = try storage.openFile(path, create: true)
        try file.write(at: 0, bytes)
        try file.sync()
        try storage.syncDirectory(SimulatedPath.parent(path))
        file.close()
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func expectError(_ code: LogError.Code, errno: Int32? = nil, _ body: () throws -> Void,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected \(code), nothing thrown", sourceLocation: sourceLocation)
        } catch let error as LogError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            if let errno { #expect(error.errno == errno, "\(error)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("expected LogError \(code), got \(error)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Data durability

    @Test func unsyncedWritesVanishOnCrash() throws {
        let storage = try makeStorage()
        try writeDurably(storage, Self.path, bytes("durable"))
        let file = try storage.openFile(Self.path, create: false)
        try file.write(at: 7, bytes(" and not"))
        try file.truncate(to: 3)
        #expect(storage.contents(Self.path) == bytes("dur"))
        #expect(storage.durableContents(Self.path) == bytes("durable"))
        storage.simulateCrash(.loseUnsynced)
        #expect(storage.contents(Self.path) == bytes("durable"))
    }

    @Test func keepUnsyncedCrashKeepsEverything() throws {
        let storage = try makeStorage()
        try writeDurably(storage, Self.path, bytes("a"))
        let file = try storage.openFile(Self.path, create: false)
        try file.write(at: 1, bytes("bc"))
        storage.simulateCrash(.keepUnsynced)
        #expect(storage.contents(Self.path) == bytes("abc"))
    }

    @Test func syncedWritesSurviveEveryCrash() throws {
        let seed = SimulationSeed.make()
        let storage = try makeStorage(seed: seed)
        try writeDurably(storage, Self.path, bytes("synced"))
        for _ in 0..<50 {
            storage.simulateCrash(.random)
            #expect(storage.contents(Self.path) == bytes("synced"), "seed \(seed)")
        }
    }

    /// Appends only, so any crash image must be a prefix of the final content, at least as long as
    /// the synced part.
    @Test func tornWriteLeavesAPrefix() throws {
        let seed = SimulationSeed.make()
        print("tornWriteLeavesAPrefix seed \(seed)")
        var rng = SplitMix64(seed: seed)
        var tornLengths = 0
        for _ in 0..<300 {
            let storage = try makeStorage(seed: rng.next())
            let base = rng.bytes(rng.below(100))
            try writeDurably(storage, Self.path, base)
            let file = try storage.openFile(Self.path, create: false)
            var full = base
            for _ in 0..<(1 + rng.below(3)) {
                let chunk = rng.bytes(1 + rng.below(2000))
                try file.write(at: UInt64(full.count), chunk)
                full += chunk
            }
            storage.simulateCrash(.random)
            let image = try #require(storage.contents(Self.path), "seed \(seed)")
            #expect(image.count >= base.count && image.count <= full.count, "seed \(seed) \(storage)")
            #expect(image == Array(full[..<image.count]), "seed \(seed) \(storage)")
            if storage.injectedFaults.tornWrites > 0 { tornLengths += 1 }
        }
        #expect(tornLengths > 30, "seed \(seed): only \(tornLengths) torn writes in 300 crashes")
    }

    /// With sector tearing and zero fill, a crash image is a prefix of the final content, then
    /// zeros within one sector.
    @Test func tornSectorIsZeroFilled() throws {
        let seed = SimulationSeed.make()
        print("tornSectorIsZeroFilled seed \(seed)")
        var rng = SplitMix64(seed: seed)
        var sawZeros = false
        for _ in 0..<300 {
            let storage = try makeStorage(seed: rng.next(), tornWrite: .sectors(.zeros))
            let nonZero = { (count: Int) in (0..<count).map { _ in UInt8(1 + rng.below(255)) } }
            let base = nonZero(rng.below(700))
            try writeDurably(storage, Self.path, base)
            let file = try storage.openFile(Self.path, create: false)
            let chunk = nonZero(1 + rng.below(3000))
            try file.write(at: UInt64(base.count), chunk)
            let full = base + chunk
            storage.simulateCrash(.random)
            let image = try #require(storage.contents(Self.path), "seed \(seed)")
            #expect(image.count >= base.count && image.count <= full.count, "seed \(seed)")
            let intact = zip(image, full).prefix { $0 == $1 }.count
            #expect(intact >= base.count, "seed \(seed)")
            guard intact < image.count else { continue }
            sawZeros = true
            #expect(image[intact...].allSatisfy { $0 == 0 }, "seed \(seed): torn bytes are not zeros")
            #expect(intact / 512 == (image.count - 1) / 512, "seed \(seed): zeros span sectors")
            #expect(image.count == full.count || image.count % 512 == 0, "seed \(seed): torn sector not filled to its end")
        }
        #expect(sawZeros, "seed \(seed)")
    }

    @Test func sectorAtomicTearEndsOnASectorBoundary() throws {
        let seed = SimulationSeed.make()
        print("sectorAtomicTearEndsOnASectorBoundary seed \(seed)")
        var rng = SplitMix64(seed: seed)
        for _ in 0..<100 {
            let storage = try makeStorage(seed: rng.next(), tornWrite: .sectors(.unchanged))
            let file = try storage.openFile(Self.path, create: true)
            try storage.syncDirectory(Self.dir)
            let chunk = rng.bytes(1 + rng.below(5000))
            try file.write(at: 0, chunk)
            storage.simulateCrash(.random)
            let image = try #require(storage.contents(Self.path), "seed \(seed)")
            #expect(image == Array(chunk[..<image.count]), "seed \(seed)")
            #expect(image.count == chunk.count || image.count % 512 == 0, "seed \(seed)")
        }
    }

    @Test func sameSeedSameCrash() throws {
        let seed = SimulationSeed.make()
        print("sameSeedSameCrash seed \(seed)")
        func run() throws -> [UInt8]? {
            let storage = try makeStorage(seed: seed, tornWrite: .sectors(.garbage))
            let file = try storage.openFile(Self.path, create: true)
            try storage.syncDirectory(Self.dir)
            for index in 0..<20 { try file.write(at: UInt64(index * 700), [UInt8](repeating: UInt8(index + 1), count: 700)) }
            storage.simulateCrash(.random)
            return storage.contents(Self.path)
        }
        #expect(try run() == run(), "seed \(seed)")
    }

    // MARK: Namespace durability

    @Test func createWithoutSyncDirectoryVanishes() throws {
        let storage = try makeStorage()
        let file = try storage.openFile(Self.path, create: true)
        try file.write(at: 0, bytes("data"))
        try file.sync()
        #expect(storage.exists(Self.path))
        #expect(storage.durableFileNames(in: Self.dir).isEmpty)
        storage.simulateCrash(.keepUnsynced)
        #expect(!storage.exists(Self.path))
        #expect(try storage.listDirectory(Self.dir).isEmpty)
        #expect(storage.exists(Self.dir))
    }

    @Test func createWithSyncDirectorySurvives() throws {
        let storage = try makeStorage()
        _ = try storage.openFile(Self.path, create: true)
        try storage.syncDirectory(Self.dir)
        storage.simulateCrash(.random)
        #expect(storage.contents(Self.path) == [])
        #expect(try storage.listDirectory(Self.dir) == ["00000000000000000000.log"])
    }

    @Test func renameWithoutSyncDirectoryIsUndone() throws {
        let storage = try makeStorage()
        try writeDurably(storage, "/log/a.tmp", bytes("new"))
        try writeDurably(storage, "/log/a", bytes("old"))
        try storage.rename(from: "/log/a.tmp", to: "/log/a")
        #expect(storage.fileNames(in: Self.dir) == ["a"])
        #expect(storage.contents("/log/a") == bytes("new"))
        storage.simulateCrash(.random)
        #expect(storage.fileNames(in: Self.dir) == ["a", "a.tmp"])
        #expect(storage.contents("/log/a") == bytes("old"))
        #expect(storage.contents("/log/a.tmp") == bytes("new"))

        try storage.rename(from: "/log/a.tmp", to: "/log/a")
        try storage.syncDirectory(Self.dir)
        storage.simulateCrash(.random)
        #expect(storage.fileNames(in: Self.dir) == ["a"])
        #expect(storage.contents("/log/a") == bytes("new"))
    }

    @Test func removeWithoutSyncDirectoryComesBack() throws {
        let storage = try makeStorage()
        try writeDurably(storage, Self.path, bytes("kept"))
        try storage.removeFile(Self.path)
        #expect(!storage.exists(Self.path))
        expectError(.notFound, errno: ENOENT) { _ = try storage.openFile(Self.path, create: false) }
        storage.simulateCrash(.random)
        #expect(storage.contents(Self.path) == bytes("kept"))

        try storage.removeFile(Self.path)
        try storage.syncDirectory(Self.dir)
        storage.simulateCrash(.random)
        #expect(!storage.exists(Self.path))
    }

    @Test func removedFileStaysReadableThroughOpenHandle() throws {
        let storage = try makeStorage()
        try writeDurably(storage, Self.path, bytes("open"))
        let file = try storage.openFile(Self.path, create: false)
        try storage.removeFile(Self.path)
        try storage.syncDirectory(Self.dir)
        #expect(try file.read(at: 0, count: 10) == bytes("open"))
        file.close()
        #expect(storage.usedBytes == 0)
    }

    @Test func directoriesAndListing() throws {
        let storage = SimulatedStorage(seed: 1)
        #expect(!storage.exists("/a"))
        expectError(.notFound, errno: ENOENT) { _ = try storage.openFile("/a/b/f", create: true) }
        expectError(.notFound) { _ = try storage.listDirectory("/a") }
        try storage.createDirectory("/a/b/")
        try storage.createDirectory("/a/b")
        #expect(storage.exists("/a") && storage.exists("/a/b"))
        _ = try storage.openFile("/a/b/f", create: true)
        _ = try storage.openFile("/a//g", create: true)
        #expect(try storage.listDirectory("/a") == ["b", "g"])
        #expect(try storage.listDirectory("/a/b") == ["f"])
        #expect(storage.fileNames(in: "/a") == ["g"])
        #expect(storage.exists("/a/b/f"))
        expectError(.io, errno: ENOTDIR) { _ = try storage.listDirectory("/a/g") }
        expectError(.notFound, errno: ENOENT) { try storage.rename(from: "/a/nope", to: "/a/x") }
        expectError(.notFound, errno: ENOENT) { try storage.removeFile("/a/nope") }
    }

    // MARK: Faults

    @Test func syncEIOLosesDataEvenAfterALaterSuccessfulSync() throws {
        let storage = try makeStorage()
        try writeDurably(storage, Self.path, bytes("base"))
        let file = try storage.openFile(Self.path, create: false)
        try file.write(at: 4, bytes("LOST"))
        storage.setFaults(Faults(syncEIO: 1))
        expectError(.io, errno: EIO) { try file.sync() }
        #expect(storage.injectedFaults.syncEIO == 1)
        // Reads still see the lost bytes until a crash; nothing of them is durable.
        #expect(storage.contents(Self.path) == bytes("baseLOST"))
        #expect(storage.unsyncedOperationCount(Self.path) == 0)

        storage.setFaults(.none)
        try file.write(at: 8, bytes("more"))
        try file.sync()
        #expect(storage.durableContents(Self.path) == bytes("base") + [0, 0, 0, 0] + bytes("more"))
        storage.simulateCrash(.keepUnsynced)
        #expect(storage.contents(Self.path) == bytes("base") + [0, 0, 0, 0] + bytes("more"))
    }

    @Test func capacityENOSPCAndRecovery() throws {
        let storage = try makeStorage(bytesMax: 100)
        try writeDurably(storage, "/log/other", [UInt8](repeating: 7, count: 30))
        let file = try storage.openFile(Self.path, create: true)
        try file.write(at: 0, [UInt8](repeating: 1, count: 50))
        expectError(.noSpace, errno: ENOSPC) { try file.write(at: 50, [UInt8](repeating: 2, count: 50)) }
        #expect(try file.size() == 70)
        #expect(storage.usedBytes == 100)
        #expect(storage.injectedFaults.capacityENOSPC == 1)
        // Overwriting within the file needs no space.
        try file.write(at: 0, [UInt8](repeating: 3, count: 70))

        storage.setCapacity(200)
        try file.write(at: 70, [UInt8](repeating: 4, count: 50))
        #expect(try file.size() == 120)

        // Removing a file frees its space.
        storage.setCapacity(160)
        expectError(.noSpace) { try file.write(at: 120, [UInt8](repeating: 5, count: 40)) }
        #expect(try file.size() == 130)
        try storage.removeFile("/log/other")
        try file.write(at: 130, [UInt8](repeating: 6, count: 30))
        #expect(storage.usedBytes == 160)
        #expect(storage.contents(Self.path)![120..<130].allSatisfy { $0 == 5 })
    }

    @Test func injectedWriteFaultsWriteAPrefix() throws {
        let seed = SimulationSeed.make()
        print("injectedWriteFaultsWriteAPrefix seed \(seed)")
        let storage = try makeStorage(seed: seed, faults: Faults(writeENOSPC: 1))
        let file = try storage.openFile(Self.path, create: true)
        let data = [UInt8](repeating: 9, count: 1000)
        expectError(.noSpace, errno: ENOSPC) { try file.write(at: 0, data) }
        let afterENOSPC = try file.size()
        #expect(afterENOSPC < 1000, "seed \(seed)")

        storage.setFaults(Faults(writeEIO: 1))
        expectError(.io, errno: EIO) { try file.write(at: 0, data) }
        #expect(try file.size() < 1000, "seed \(seed)")
        #expect(storage.contents(Self.path)!.allSatisfy { $0 == 9 }, "seed \(seed)")

        storage.setFaults(Faults(readEIO: 1))
        expectError(.io, errno: EIO) { _ = try file.read(at: 0, count: 1) }
        storage.setFaults(.none)
        try file.write(at: 0, data)
        #expect(try file.read(at: 0, count: 2000) == data)
        let counts = storage.injectedFaults
        #expect(counts.writeENOSPC == 1 && counts.writeEIO == 1 && counts.readEIO == 1, "\(counts)")
    }

    @Test func faultProbabilitiesAreRoughlyHonoured() throws {
        let seed = SimulationSeed.make()
        print("faultProbabilitiesAreRoughlyHonoured seed \(seed)")
        let storage = try makeStorage(seed: seed, faults: Faults(writeEIO: 0.25))
        let file = try storage.openFile(Self.path, create: true)
        var failures = 0
        for index in 0..<1000 {
            do { try file.write(at: UInt64(index), [1]) } catch { failures += 1 }
        }
        #expect((150...350).contains(failures), "seed \(seed): \(failures) failures")
        #expect(storage.injectedFaults.writeEIO == failures)
    }

    @Test func flipBitChangesCurrentAndDurableBytes() throws {
        let storage = try makeStorage()
        try writeDurably(storage, Self.path, [0x00, 0xFF])
        try storage.flipBit(path: Self.path, byteIndex: 1, bit: 3)
        #expect(storage.contents(Self.path) == [0x00, 0xF7])
        #expect(storage.durableContents(Self.path) == [0x00, 0xF7])
        storage.simulateCrash(.random)
        #expect(storage.contents(Self.path) == [0x00, 0xF7])
        let file = try storage.openFile(Self.path, create: false)
        #expect(try file.read(at: 0, count: 2) == [0x00, 0xF7])
        expectError(.invalidArgument) { try storage.flipBit(path: Self.path, byteIndex: 2, bit: 0) }
        expectError(.notFound) { try storage.flipBit(path: "/log/none", byteIndex: 0, bit: 0) }
    }

    // MARK: Handles and locks

    @Test func handlesAreInvalidAfterCrash() throws {
        let storage = try makeStorage()
        try writeDurably(storage, Self.path, bytes("x"))
        let file = try storage.openFile(Self.path, create: false)
        storage.simulateCrash(.random)
        expectError(.io, errno: EIO) { _ = try file.size() }
        expectError(.io, errno: EIO) { _ = try file.read(at: 0, count: 1) }
        expectError(.io, errno: EIO) { try file.write(at: 0, bytes("y")) }
        expectError(.io, errno: EIO) { try file.truncate(to: 0) }
        expectError(.io, errno: EIO) { try file.sync() }
        file.close()
        file.close()
        let reopened = try storage.openFile(Self.path, create: false)
        #expect(try reopened.read(at: 0, count: 1) == bytes("x"))
    }

    @Test func lockIsExclusiveUntilReleasedOrCrash() throws {
        let storage = try makeStorage()
        let lock = try storage.lockFile("/log/LOCK")
        #expect(storage.exists("/log/LOCK"))
        expectError(.locked) { _ = try storage.lockFile("/log/LOCK") }
        expectError(.locked) { _ = try storage.lockFile("/log//LOCK") }
        lock.release()
        let second = try storage.lockFile("/log/LOCK")
        try storage.syncDirectory(Self.dir)
        storage.simulateCrash(.random)
        let third = try storage.lockFile("/log/LOCK")
        second.release()  // a crash already released it; must not release `third`
        expectError(.locked) { _ = try storage.lockFile("/log/LOCK") }
        third.release()
    }

    @Test func concurrentReadersAndWriter() async throws {
        let storage = try makeStorage()
        let file = try storage.openFile(Self.path, create: true)
        let chunk = [UInt8](repeating: 0xAB, count: 64)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for index in 0..<500 {
                    try file.write(at: UInt64(index * 64), chunk)
                    if index % 50 == 0 { try file.sync() }
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<500 {
                        let size = try file.size()
                        guard size >= 64 else { continue }
                        let bytes = try file.read(at: size - 64, count: 64)
                        #expect(bytes == chunk)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try file.size() == 500 * 64)
    }
}
