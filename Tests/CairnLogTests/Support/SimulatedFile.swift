@testable import CairnLog

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Handles

/// An open file of a `SimulatedStorage`.
///
/// Holds no state of its own beyond its identity: every operation goes through the storage's lock.
/// After `SimulatedStorage.simulateCrash` every operation throws `LogError(.io)` (EIO), as a
/// handle into a file system that has since "rebooted". Using a handle after `close()` is a
/// programmer error and traps, loudly, rather than throwing an error the log might absorb.
/// `close()` itself is idempotent and safe on a handle invalidated by a crash.
final class SimulatedFile: StorageFile {
    /// The path the file was opened with.
    let path: String
    private let storage: SimulatedStorage
    private let handle: Int
    private let generation: Int

    init(path: String, storage: SimulatedStorage, handle: Int, generation: Int) {
        self.path = path
        self.storage = storage
        self.handle = handle
        self.generation = generation
    }

    func size() throws -> UInt64 {
        let (handle, generation, path) = (self.handle, self.generation, self.path)
        return try storage.state.withLock { fs in
            let inode = try fs.inode(handle: handle, generation: generation, path: path)
            return UInt64(fs.inodes[inode]!.current.count)
        }
    }

    func read(at position: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let (handle, generation, path, count) = (self.handle, self.generation, self.path, buffer.count)
        let bytes = try storage.state.withLock { fs in
            try fs.read(handle: handle, generation: generation, path: path, at: position, count: count)
        }
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        return bytes.count
    }

    func write(at position: UInt64, _ bytes: UnsafeRawBufferPointer) throws {
        let (handle, generation, path) = (self.handle, self.generation, self.path)
        let copy = [UInt8](bytes)
        try storage.state.withLock { fs in
            try fs.write(handle: handle, generation: generation, path: path, at: position, copy)
        }
    }

    func truncate(to length: UInt64) throws {
        let (handle, generation, path) = (self.handle, self.generation, self.path)
        try storage.state.withLock { fs in
            try fs.truncate(handle: handle, generation: generation, path: path, to: length)
        }
    }

    func sync() throws {
        let (handle, generation, path) = (self.handle, self.generation, self.path)
        try storage.state.withLock { fs in
            try fs.sync(handle: handle, generation: generation, path: path)
        }
    }

    func close() {
        let (handle, generation) = (self.handle, self.generation)
        storage.state.withLock { fs in fs.close(handle: handle, generation: generation) }
    }
}

/// A lock taken with `SimulatedStorage.lockFile`; released by `release()` or by a simulated crash.
final class SimulatedLock: StorageLock {
    private let storage: SimulatedStorage
    private let path: String
    private let id: Int

    init(storage: SimulatedStorage, path: String, id: Int) {
        self.storage = storage
        self.path = path
        self.id = id
    }

    /// Releases the lock. Idempotent; does nothing when a crash already released it (lock ids are
    /// never reused, so this cannot release a lock taken after the crash).
    func release() {
        let (path, id) = (self.path, self.id)
        storage.state.withLock { fs in
            if fs.locks[path] == id { fs.locks[path] = nil }
        }
    }
}

// MARK: - File contents

/// A change to a file's bytes that has been made (reads see it) but not yet made durable.
enum PendingOperation: Sendable, Equatable {
    case write(offset: Int, bytes: [UInt8])
    case truncate(length: Int)

    func apply(to content: inout [UInt8]) {
        switch self {
        case .write(let offset, let bytes): content.overwrite(at: offset, with: bytes[...])
        case .truncate(let length): content.resize(to: length)
        }
    }
}

/// A file's data, independent of the names it has.
///
/// `current` is what reads see. `durable` is what survives a crash for certain. `pending` are the
/// operations since the last sync, in order: a successful sync applies them to `durable`; a crash
/// keeps a random prefix of them. Invariant while no sync has failed:
/// `durable` + `pending` == `current`. A failed sync drops `pending` without applying it, after
/// which `current` may hold data that will never become durable (see `SimulatedStorage`).
struct SimulatedInode: Sendable {
    var current: [UInt8] = []
    var durable: [UInt8] = []
    var pending: [PendingOperation] = []

    mutating func record(_ operation: PendingOperation) {
        operation.apply(to: &current)
        pending.append(operation)
    }

    mutating func syncSucceeded() {
        for operation in pending { operation.apply(to: &durable) }
        pending.removeAll()
    }

    /// Linux semantics after a failed fsync: the dirty pages are marked clean and will not be
    /// written again, so the unsynced operations are forgotten: they stay visible to reads until a
    /// crash but no later sync makes them durable.
    mutating func syncFailed() {
        pending.removeAll()
    }

    /// The file's content after a crash, and whether a write was torn.
    func imageAfterCrash(_ mode: CrashMode, tornWrite: TornWrite, rng: inout SplitMix64) -> (bytes: [UInt8], torn: Bool) {
        var image = durable
        let kept: Int
        switch mode {
        case .loseUnsynced: return (image, false)
        case .keepUnsynced: kept = pending.count
        case .random: kept = rng.below(pending.count + 1)
        }
        guard kept > 0 else { return (image, false) }
        for operation in pending[..<(kept - 1)] { operation.apply(to: &image) }
        let last = pending[kept - 1]
        // The last operation that made it is torn half the time, when it is a write.
        guard mode == .random, case .write(let offset, let bytes) = last, rng.chance(0.5) else {
            last.apply(to: &image)
            return (image, false)
        }
        let landed = rng.below(bytes.count)  // strictly fewer bytes than written
        tornWrite.tear(offset: offset, bytes: bytes, landed: landed, into: &image, rng: &rng)
        return (image, true)
    }
}

/// How a write interrupted by a crash is torn.
enum TornWrite: Sendable, Equatable {
    /// A random byte-granular prefix of the write lands; the rest of its range keeps its old bytes.
    case bytePrefix
    /// The write's 512-byte sectors (aligned to file offsets) land in order up to a random one,
    /// whose part within the write is filled as given; later sectors keep their old bytes.
    case sectors(SectorFill)

    static let sectorSize = 512

    /// What a torn sector holds.
    enum SectorFill: Sendable, Equatable {
        /// Zeros, as when the device had allocated but not written the sector.
        case zeros
        /// Random bytes.
        case garbage
        /// Its old contents: sector writes are atomic.
        case unchanged
    }

    /// Applies the torn version of writing `bytes` at `offset`, of which the first `landed`
    /// (< `bytes.count`) bytes made it before the crash.
    func tear(offset: Int, bytes: [UInt8], landed: Int, into image: inout [UInt8], rng: inout SplitMix64) {
        switch self {
        case .bytePrefix:
            image.overwrite(at: offset, with: bytes[..<landed])
        case .sectors(let fill):
            let size = Self.sectorSize
            let cut = offset + landed
            let tornStart = max(offset, cut / size * size)
            let tornEnd = min(offset + bytes.count, (cut / size + 1) * size)
            image.overwrite(at: offset, with: bytes[..<(tornStart - offset)])
            switch fill {
            case .unchanged: break
            case .zeros: image.overwrite(at: tornStart, with: ArraySlice(repeating: 0, count: tornEnd - tornStart))
            case .garbage: image.overwrite(at: tornStart, with: rng.bytes(tornEnd - tornStart)[...])
            }
        }
    }
}

extension [UInt8] {
    /// Shortens the array, or extends it with zeros, to `length`.
    mutating func resize(to length: Int) {
        if length < count {
            removeLast(count - length)
        } else if length > count {
            append(contentsOf: repeatElement(0, count: length - count))
        }
    }

    /// `pwrite` semantics: replaces bytes from `offset`, extending with zeros (a hole) as needed.
    /// Writing nothing does not extend.
    mutating func overwrite(at offset: Int, with bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        let end = offset + bytes.count
        if end > count { resize(to: end) }
        replaceSubrange(offset..<end, with: bytes)
    }
}
