/// A key made of several `KeyComponent`s whose byte order is the tuple order: first by the first
/// component, then the second, and so on. For example events by profile, then time, then offset:
///
/// ```swift
/// let events: Table<CompositeKey<String, Int64, UInt64>, [UInt8]> = ...
/// try txn.put(events, CompositeKey(profileID, eventTimeMs, offset), payload)
/// // One profile's events in time order: a prefix with only the first component.
/// let rows = try txn.entries(events, .prefix(CompositeKey(profileID)))
/// ```
///
/// A `CompositeKey` with fewer components than a table's key type encodes a prefix of those keys
/// that matches whole components only (`CompositeKey("p1")` does not match "p10"'s keys).
public struct CompositeKey<each Component: KeyComponent>: StoreCodec {
    public let components: (repeat each Component)

    public init(_ components: repeat each Component) {
        self.components = (repeat each components)
    }

    public func encode(into bytes: inout [UInt8]) {
        for component in repeat each components {
            component.encodeComponent(into: &bytes)
        }
    }

    /// - Throws: `StoreError.corrupted` when a component does not decode or bytes are left over.
    public static func decode(from buffer: UnsafeRawBufferPointer) throws -> CompositeKey {
        let reader = ComponentCursor(buffer)
        let components = (repeat try reader.next((each Component).self))
        try reader.reader.expectEnd()
        return CompositeKey(repeat each components)
    }
}

/// Lets a pack expansion read components in order: a class, so that each element of the expansion
/// advances the same reader without an `inout` access per element.
private final class ComponentCursor {
    var reader: KeyReader

    init(_ buffer: UnsafeRawBufferPointer) {
        reader = KeyReader(buffer)
    }

    func next<C: KeyComponent>(_ type: C.Type) throws -> C {
        try C.decodeComponent(from: &reader)
    }
}

extension CompositeKey: Sendable {}

extension CompositeKey: Equatable {
    public static func == (lhs: CompositeKey, rhs: CompositeKey) -> Bool {
        for (left, right) in repeat (each lhs.components, each rhs.components) {
            guard left == right else { return false }
        }
        return true
    }
}

extension CompositeKey: Hashable {
    public func hash(into hasher: inout Hasher) {
        for component in repeat each components {
            hasher.combine(component)
        }
    }
}

extension CompositeKey: Comparable {
    /// Tuple order, which is also the order of the encoded bytes.
    public static func < (lhs: CompositeKey, rhs: CompositeKey) -> Bool {
        for (left, right) in repeat (each lhs.components, each rhs.components) {
            if left < right { return true }
            if right < left { return false }
        }
        return false
    }
}

extension CompositeKey: CustomStringConvertible {
    public var description: String {
        var parts: [String] = []
        for component in repeat each components {
            parts.append(String(describing: component))
        }
        return "(" + parts.joined(separator: ", ") + ")"
    }
}
