/// A growable byte buffer for the writer's hot path: appends without zero-filling, and room can
/// be reserved and written in place (zstd compresses straight into it). Not thread-safe; owned by
/// one writer. Memory is released when the buffer is.
final class ByteBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Bytes written so far.
    private(set) var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        base = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes after `count`.
    func reserve(_ extra: Int) {
        let needed = count + extra
        guard needed > capacity else { return }
        var grown = capacity
        while grown < needed { grown *= 2 }
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
        fresh.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = fresh
        capacity = grown
    }

    @inline(__always)
    func appendLE<T: FixedWidthInteger>(_ value: T) {
        reserve(MemoryLayout<T>.size)
        (base + count).storeBytes(of: value.littleEndian, as: T.self)
        count += MemoryLayout<T>.size
    }

    func append(_ bytes: [UInt8]) {
        reserve(bytes.count)
        bytes.withUnsafeBytes { if let source = $0.baseAddress { (base + count).copyMemory(from: source, byteCount: $0.count) } }
        count += bytes.count
    }

    /// Zeroed room for `length` bytes at the end; returns where it starts.
    func appendZeros(_ length: Int) -> Int {
        reserve(length)
        (base + count).initializeMemory(as: UInt8.self, repeating: 0, count: length)
        count += length
        return count - length
    }

    /// Bytes `range` as a buffer, valid until the next mutation.
    func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range outside the buffer")
        return UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    func mutableBytes(_ range: Range<Int>) -> UnsafeMutableRawBufferPointer {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range outside the buffer")
        return UnsafeMutableRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// The unwritten room after `count` (call `reserve` first), and `commit` to claim part of it.
    var spare: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: base + count, count: capacity - count) }

    func commit(_ length: Int) {
        precondition(length >= 0 && count + length <= capacity, "commit beyond the reserved room")
        count += length
    }

    /// Forgets the contents, keeping the memory.
    func removeAll() { count = 0 }
}
