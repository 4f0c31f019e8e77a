@testable import CairnLog
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An in-memory `Storage` that loses unsynced data on a simulated crash and injects faults, all
/// driven by one seed, for deterministic simulation tests of the log.
///
/// Model:
/// - Each file has `current` bytes (what reads see), `durable` bytes (what surely survives a
///   crash) and the list of operations (writes, truncates) made since its last sync. `sync()`
///   applies that list to `durable`.
/// - Creating, renaming and removing files change the visible names at once; a directory's names
///   become durable only on `syncDirectory(thatDirectory)`. Directories themselves are durable as
///   soon as they are created (as if `createDirectory` synced its parents) and are never removed.
///   A file whose last name is removed keeps existing while a handle is open (POSIX).
/// - `simulateCrash(.random)`: each surviving file becomes its durable bytes plus a random prefix of
///   its unsynced operations, in order; when the last kept one is a write it is torn half the time
///   (see `TornWrite`). Names revert to their durable state, files no durable name reaches are
///   gone, every handle opened before throws `LogError(.io)` (EIO), and all locks are released.
/// - A failed sync (`Faults.syncEIO`) follows Linux: the unsynced operations are forgotten, not
///   made durable, and no later successful sync makes them durable; reads keep seeing them until a
///   crash. The durable bytes stay exactly what they were.
/// - Failed writes (`writeEIO`, `writeENOSPC`, and the `bytesMax` capacity) first write a prefix
///   of the bytes (random for injected faults; what fits for capacity), which is then unsynced
///   data like any other.
/// - Space used is the sum of the current sizes of files with a name or an open handle;
///   truncating never fails for lack of space (a sparse extension).
///
/// Determinism: faults and crashes draw from a generator seeded by `seed`; reads draw from a
/// separate one, so concurrent readers do not change the writer's sequence of faults. Runs replay
/// exactly when the calls into the storage are made in the same order.
///
/// Paths are strings: `/a/b` or relative `a/b`; duplicate and trailing slashes and `.` components
/// are ignored; `..` is not interpreted. `/` and `.` always exist.
final class SimulatedStorage: Storage, CustomStringConvertible {
    /// The seed all random choices derive from; print it so a failure can be replayed.
    let seed: UInt64
    /// All mutable state; every operation of the storage and of its handles and locks takes it.
    let state: Mutex<SimulatedFileSystem>

    /// A storage with no files, only the directories `/` and `.`.
    init(seed: UInt64, faults: Faults = .none, bytesMax: Int? = nil, tornWrite: TornWrite = .bytePrefix) {
        self.seed = seed
        state = Mutex(SimulatedFileSystem(seed: seed, faults: faults, bytesMax: bytesMax, tornWrite: tornWrite))
    }

    var description: String { "SimulatedStorage(seed: \(seed))" }

    // MARK: Storage

    func openFile(_ path: String, create: Bool) throws -> any StorageFile {
        let (handle, generation) = try state.withLock { fs in try fs.open(path, create: create) }
        return SimulatedFile(path: path, storage: self, handle: handle, generation: generation)
    }

    func exists(_ path: String) -> Bool {
        let path = SimulatedPath.normalize(path)
        return state.withLock { fs in fs.directories.contains(path) || fs.names[path] != nil }
    }

    func listDirectory(_ path: String) throws -> [String] {
        try state.withLock { fs in try fs.list(path) }
    }

    func createDirectory(_ path: String) throws {
        try state.withLock { fs in try fs.createDirectory(path) }
    }

    func rename(from: String, to: String) throws {
        try state.withLock { fs in try fs.rename(from: from, to: to) }
    }

    func removeFile(_ path: String) throws {
        try state.withLock { fs in try fs.remove(path) }
    }

    func syncDirectory(_ path: String) throws {
        try state.withLock { fs in try fs.syncDirectory(path) }
    }

    func lockFile(_ path: String) throws -> any StorageLock {
        let key = SimulatedPath.normalize(path)
        let id = try state.withLock { fs in try fs.lock(path) }
        return SimulatedLock(storage: self, path: key, id: id)
    }

    // MARK: Crashes and faults

    /// Simulates a power loss and reboot (see the type's documentation). `.random` draws from the
    /// seeded generator; the other modes are deterministic.
    func simulateCrash(_ mode: CrashMode = .random) {
        state.withLock { fs in fs.crash(mode) }
    }

    /// The fault probabilities now in force.
    var faults: Faults { state.withLock { $0.faults } }

    /// Sets the fault probabilities for the operations that follow.
    func setFaults(_ faults: Faults) {
        state.withLock { $0.faults = faults }
    }

    /// Sets the capacity: the most bytes all files may hold together, or nil for no limit. Lowering
    /// it below what is used fails further growth but drops nothing.
    func setCapacity(_ bytesMax: Int?) {
        state.withLock { $0.bytesMax = bytesMax }
    }

    /// Sets how a write cut by a crash is torn.
    func setTornWrite(_ tornWrite: TornWrite) {
        state.withLock { $0.tornWrite = tornWrite }
    }

    /// How many faults of each kind have been injected so far, and how many crashes.
    var injectedFaults: InjectedFaults { state.withLock { $0.injected } }

    /// The bytes counted against the capacity: files with a name or an open handle.
    var usedBytes: Int { state.withLock { $0.usedBytes() } }

    /// The state of the fault generator, to record alongside the seed.
    var generatorState: UInt64 { state.withLock { $0.rng.state } }

    // MARK: Inspection

    /// The bytes reads of the file at `path` see now, or nil when there is no such file.
    func contents(_ path: String) -> [UInt8]? {
        let path = SimulatedPath.normalize(path)
        return state.withLock { fs in fs.names[path].map { fs.inodes[$0]!.current } }
    }

    /// The bytes of `path` that a crash losing every unsynced operation would leave: the durable
    /// bytes of the file its durable name refers to, or nil when it has no durable name.
    func durableContents(_ path: String) -> [UInt8]? {
        let path = SimulatedPath.normalize(path)
        return state.withLock { fs in fs.durableNames[path].map { fs.inodes[$0]!.durable } }
    }

    /// The number of unsynced operations of the file at `path`, or nil when there is no such file.
    func unsyncedOperationCount(_ path: String) -> Int? {
        let path = SimulatedPath.normalize(path)
        return state.withLock { fs in fs.names[path].map { fs.inodes[$0]!.pending.count } }
    }

    /// The names of the files (not directories) in `directory` now, sorted.
    func fileNames(in directory: String) -> [String] {
        state.withLock { fs in fs.fileNames(in: directory, durable: false) }
    }

    /// The names of the files in `directory` that would survive a crash, sorted.
    func durableFileNames(in directory: String) -> [String] {
        state.withLock { fs in fs.fileNames(in: directory, durable: true) }
    }

    /// Flips one bit of the file at `path`, in both its current and its durable bytes (wherever the
    /// byte exists), as silent corruption on the medium would. Meant for synced data: an unsynced
    /// write covering the byte would overwrite the flip in the durable bytes when synced.
    /// Throws `.notFound` for a missing file and `.invalidArgument` for a byte past both ends.
    func flipBit(path: String, byteIndex: Int, bit: Int) throws {
        precondition((0..<8).contains(bit), "bit must be in 0..<8")
        try state.withLock { fs in try fs.flipBit(path, byteIndex: byteIndex, bit: bit) }
    }
}

/// Probabilities (0...1) of injecting a fault into one operation. All zero by default.
struct Faults: Sendable, Equatable {
    /// A write writes a random prefix (possibly empty, never all) of its bytes, then throws
    /// `.io` (EIO).
    var writeEIO = 0.0
    /// A write writes a random prefix (possibly empty, never all) of its bytes, then throws
    /// `.noSpace` (ENOSPC).
    var writeENOSPC = 0.0
    /// A sync throws `.io` (EIO) and the file's unsynced operations are lost (Linux semantics).
    var syncEIO = 0.0
    /// A read throws `.io` (EIO).
    var readEIO = 0.0

    /// No faults.
    static let none = Faults()
}

/// Counts of what the simulator has injected.
struct InjectedFaults: Sendable, Equatable {
    var writeEIO = 0
    var writeENOSPC = 0
    /// Writes cut short because the capacity (`bytesMax`) was reached.
    var capacityENOSPC = 0
    var syncEIO = 0
    var readEIO = 0
    var crashes = 0
    /// Writes torn by crashes.
    var tornWrites = 0
}

/// What a simulated crash keeps of unsynced operations.
enum CrashMode: Sendable, Equatable {
    /// A random prefix of each file's unsynced operations, the last write possibly torn.
    case random
    /// None: only durable data survives.
    case loseUnsynced
    /// All of them, none torn (the kernel had written everything back).
    case keepUnsynced
}

// MARK: - State

/// The simulator's state, guarded by `SimulatedStorage.state`. Its methods take the paths and
/// handles the storage's callers pass and throw the `LogError`s the real storage would.
struct SimulatedFileSystem: Sendable {
    /// Directories, always durable. `/` and `.` are the roots.
    var directories: Set<String> = SimulatedPath.roots
    /// Visible file names (normalized paths) and the file each refers to.
    var names: [String: Int] = [:]
    /// File names as a crash would leave them.
    var durableNames: [String: Int] = [:]
    /// Files by id; a file with no name, no durable name and no handle is dropped.
    var inodes: [Int: SimulatedInode] = [:]
    /// Open handles and the file each refers to.
    var handles: [Int: Int] = [:]
    /// Held locks by normalized path.
    var locks: [String: Int] = [:]
    /// Incremented by each crash; handles from an earlier generation are invalid.
    var generation = 0
    private var nextID = 1

    var faults: Faults
    var bytesMax: Int?
    var tornWrite: TornWrite
    var injected = InjectedFaults()
    /// Draws for writes, syncs and crashes.
    var rng: SplitMix64
    /// Draws for reads, separate so that concurrent readers do not perturb `rng`.
    var readRNG: SplitMix64

    /// The largest file the simulator agrees to hold (its memory is real).
    static let maxFileSize = 1 << 32

    init(seed: UInt64, faults: Faults, bytesMax: Int?, tornWrite: TornWrite) {
        var root = SplitMix64(seed: seed)
        rng = SplitMix64(seed: root.next())
        readRNG = SplitMix64(seed: root.next())
        self.faults = faults
        self.bytesMax = bytesMax
        self.tornWrite = tornWrite
    }

    private mutating func makeID() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    // MARK: Namespace

    mutating func open(_ rawPath: String, create: Bool) throws -> (handle: Int, generation: Int) {
        let inode = try lookUpOrCreate(rawPath, create: create, call: "open")
        let handle = makeID()
        handles[handle] = inode
        return (handle, generation)
    }

    private mutating func lookUpOrCreate(_ rawPath: String, create: Bool, call: String) throws -> Int {
        let path = SimulatedPath.normalize(rawPath)
        if directories.contains(path) { throw Self.error(call, rawPath, EISDIR) }
        if let inode = names[path] { return inode }
        guard create else { throw Self.error(call, rawPath, ENOENT) }
        try requireParentDirectory(of: path, rawPath, call: call)
        let inode = makeID()
        inodes[inode] = SimulatedInode()
        names[path] = inode
        return inode
    }

    private func requireParentDirectory(of path: String, _ rawPath: String, call: String) throws {
        let parent = SimulatedPath.parent(path)
        if directories.contains(parent) { return }
        throw Self.error(call, rawPath, names[parent] != nil ? ENOTDIR : ENOENT)
    }

    func list(_ rawPath: String) throws -> [String] {
        let path = SimulatedPath.normalize(rawPath)
        guard directories.contains(path) else {
            throw Self.error("opendir", rawPath, names[path] != nil ? ENOTDIR : ENOENT)
        }
        let entries = names.keys.filter { SimulatedPath.parent($0) == path }
            + directories.filter { !SimulatedPath.roots.contains($0) && SimulatedPath.parent($0) == path }
        return entries.map(SimulatedPath.name).sorted()
    }

    func fileNames(in rawDirectory: String, durable: Bool) -> [String] {
        let directory = SimulatedPath.normalize(rawDirectory)
        return (durable ? durableNames : names).keys
            .filter { SimulatedPath.parent($0) == directory }
            .map(SimulatedPath.name)
            .sorted()
    }

    mutating func createDirectory(_ rawPath: String) throws {
        var path = SimulatedPath.normalize(rawPath)
        var missing: [String] = []
        while !directories.contains(path) {
            if names[path] != nil { throw Self.error("mkdir", rawPath, EEXIST) }
            missing.append(path)
            path = SimulatedPath.parent(path)
        }
        directories.formUnion(missing)
    }

    mutating func rename(from rawFrom: String, to rawTo: String) throws {
        let from = SimulatedPath.normalize(rawFrom)
        let to = SimulatedPath.normalize(rawTo)
        guard let inode = names[from] else {
            throw Self.error("rename", rawFrom, directories.contains(from) ? EISDIR : ENOENT)
        }
        if directories.contains(to) { throw Self.error("rename", rawTo, EISDIR) }
        try requireParentDirectory(of: to, rawTo, call: "rename")
        guard from != to else { return }
        names[from] = nil
        names[to] = inode
        collectGarbage()
    }

    mutating func remove(_ rawPath: String) throws {
        let path = SimulatedPath.normalize(rawPath)
        guard names[path] != nil else {
            throw Self.error("unlink", rawPath, directories.contains(path) ? EISDIR : ENOENT)
        }
        names[path] = nil
        collectGarbage()
    }

    mutating func syncDirectory(_ rawPath: String) throws {
        let path = SimulatedPath.normalize(rawPath)
        guard directories.contains(path) else {
            throw Self.error("fsync", rawPath, names[path] != nil ? ENOTDIR : ENOENT)
        }
        let affected = Set(names.keys).union(durableNames.keys).filter { SimulatedPath.parent($0) == path }
        for name in affected { durableNames[name] = names[name] }
        collectGarbage()
    }

    mutating func lock(_ rawPath: String) throws -> Int {
        let path = SimulatedPath.normalize(rawPath)
        _ = try lookUpOrCreate(rawPath, create: true, call: "open")
        if locks[path] != nil {
            throw LogError(.locked, "\(rawPath) is locked by another holder", path: rawPath, errno: EWOULDBLOCK)
        }
        let id = makeID()
        locks[path] = id
        return id
    }

    /// Drops files that nothing can reach any more.
    private mutating func collectGarbage() {
        let live = Set(names.values).union(durableNames.values).union(handles.values)
        inodes = inodes.filter { live.contains($0.key) }
    }

    func usedBytes() -> Int {
        Set(names.values).union(handles.values).reduce(0) { $0 + inodes[$1]!.current.count }
    }

    // MARK: Handles

    /// The file a handle refers to; throws EIO for a handle from before a crash.
    func inode(handle: Int, generation: Int, path: String) throws -> Int {
        guard generation == self.generation else {
            throw LogError(.io, "\(path) was opened before a simulated crash (errno \(EIO))", path: path, errno: EIO)
        }
        guard let inode = handles[handle] else { preconditionFailure("\(path) used after close()") }
        return inode
    }

    mutating func read(handle: Int, generation: Int, path: String, at position: UInt64, count: Int) throws -> [UInt8] {
        let inode = try self.inode(handle: handle, generation: generation, path: path)
        if readRNG.chance(faults.readEIO) {
            injected.readEIO += 1
            throw Self.error("pread", path, EIO)
        }
        let content = inodes[inode]!.current
        guard position < UInt64(content.count) else { return [] }
        let start = Int(position)
        return Array(content[start..<min(content.count, start + count)])
    }

    mutating func write(handle: Int, generation: Int, path: String, at position: UInt64, _ bytes: [UInt8]) throws {
        let inode = try self.inode(handle: handle, generation: generation, path: path)
        guard bytes.count <= Self.maxFileSize, position <= UInt64(Self.maxFileSize - bytes.count) else { throw Self.error("pwrite", path, EFBIG) }
        guard !bytes.isEmpty else { return }
        let offset = Int(position)
        var count = bytes.count
        var failure: LogError?
        if rng.chance(faults.writeEIO) {
            injected.writeEIO += 1
            count = rng.below(bytes.count)
            failure = Self.error("pwrite", path, EIO)
        } else if rng.chance(faults.writeENOSPC) {
            injected.writeENOSPC += 1
            count = rng.below(bytes.count)
            failure = Self.error("pwrite", path, ENOSPC)
        }
        if let bytesMax {
            let size = inodes[inode]!.current.count
            let free = max(0, bytesMax - usedBytes())
            let fits = max(0, min(count, size + free - offset))
            if fits < count {
                count = fits
                if failure == nil {
                    injected.capacityENOSPC += 1
                    failure = Self.error("pwrite", path, ENOSPC)
                }
            }
        }
        if count > 0 { inodes[inode]!.record(.write(offset: offset, bytes: Array(bytes[..<count]))) }
        if let failure { throw failure }
    }

    mutating func truncate(handle: Int, generation: Int, path: String, to length: UInt64) throws {
        let inode = try self.inode(handle: handle, generation: generation, path: path)
        guard length <= UInt64(Self.maxFileSize) else { throw Self.error("ftruncate", path, EFBIG) }
        inodes[inode]!.record(.truncate(length: Int(length)))
    }

    mutating func sync(handle: Int, generation: Int, path: String) throws {
        let inode = try self.inode(handle: handle, generation: generation, path: path)
        if rng.chance(faults.syncEIO) {
            injected.syncEIO += 1
            inodes[inode]!.syncFailed()
            throw Self.error("fdatasync", path, EIO)
        }
        inodes[inode]!.syncSucceeded()
    }

    mutating func close(handle: Int, generation: Int) {
        guard generation == self.generation else { return }
        handles[handle] = nil
        collectGarbage()
    }

    // MARK: Crash and corruption

    mutating func crash(_ mode: CrashMode) {
        injected.crashes += 1
        generation += 1
        handles.removeAll()
        locks.removeAll()
        names = durableNames
        collectGarbage()
        // Sorted: dictionary order varies between processes, and the draws must not.
        for id in inodes.keys.sorted() {
            let (image, torn) = inodes[id]!.imageAfterCrash(mode, tornWrite: tornWrite, rng: &rng)
            if torn { injected.tornWrites += 1 }
            inodes[id] = SimulatedInode(current: image, durable: image, pending: [])
        }
    }

    mutating func flipBit(_ rawPath: String, byteIndex: Int, bit: Int) throws {
        let path = SimulatedPath.normalize(rawPath)
        guard let id = names[path] else { throw Self.error("flipBit", rawPath, ENOENT) }
        let mask = UInt8(1) << UInt8(bit)
        var inode = inodes[id]!
        guard byteIndex >= 0, byteIndex < max(inode.current.count, inode.durable.count) else {
            throw LogError(.invalidArgument, "byte \(byteIndex) is past the end of \(rawPath)", path: rawPath)
        }
        if byteIndex < inode.current.count { inode.current[byteIndex] ^= mask }
        if byteIndex < inode.durable.count { inode.durable[byteIndex] ^= mask }
        inodes[id] = inode
    }

    static func error(_ call: String, _ path: String, _ errno: Int32) -> LogError {
        LogError.system("\(call) (simulated)", path: path, errno: errno)
    }
}

/// Path strings as the simulator understands them.
enum SimulatedPath {
    /// The directories that always exist.
    static let roots: Set<String> = ["/", "."]

    /// Drops duplicate and trailing slashes and `.` components; an empty path is `.`.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        let parts = path.split(separator: "/").filter { $0 != "." }
        if parts.isEmpty { return absolute ? "/" : "." }
        return (absolute ? "/" : "") + parts.joined(separator: "/")
    }

    /// The directory containing a normalized path; a root's parent is itself.
    static func parent(_ path: String) -> String {
        if roots.contains(path) { return path }
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of a normalized path.
    static func name(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
