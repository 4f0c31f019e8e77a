import CairnEngine

/// One change as a destination reads it: the change and where the change log holds it.
struct ChangeEntry: Sendable, Equatable {
    /// The change-log offset of the record.
    let changeOffset: UInt64
    /// When the change log accepted it (microseconds since the epoch): `now()` for conditions.
    let timestampMicros: Int64
    let change: Change
}

/// What a destination does next with the changes it reads, decided by ``next(in:from:key:trigger:)``
/// from the changes alone. Pure.
///
/// | change(s) | trigger | step |
/// |---|---|---|
/// | `configuration.changed` of this destination (`destination/<id>`) | any, or none | `definition`: read the new version |
/// | `profile.created`, `profile.updated`, `profile.merged`, `segment.entered`, `segment.exited` | `profile-change` | `fire` with that change |
/// | the run of changes one event made (same `offset`, not configuration) | `event` | `fire` with the run |
/// | anything else | | skipped |
enum DispatchStep: Sendable, Equatable {
    case definition(ChangeEntry)
    case fire([ChangeEntry])

    /// The first step at or after `index` and the index after it; a nil step when there is none
    /// before the end (the returned index is then `entries.endIndex`). `trigger` is nil while the
    /// destination is deleted or does not compile: only its own configuration changes matter then.
    ///
    /// A caller must not split one event's changes between two calls: the change log reader
    /// (`ChangeLogReaders.entries`) reads whole runs.
    static func next(in entries: [ChangeEntry], from index: Int, key: String, trigger: Destination.Trigger?) -> (step: DispatchStep?, next: Int) {
        var index = index
        while index < entries.count {
            let entry = entries[index]
            let change = entry.change
            if change.kind == .configurationChanged {
                if change.id == key { return (.definition(entry), index + 1) }
                index += 1
                continue
            }
            switch trigger {
            case .profileChange? where change.kind.entity == .profile:
                return (.fire([entry]), index + 1)
            case .event?:
                var end = index + 1
                while end < entries.count, entries[end].change.offset == change.offset, entries[end].change.kind != .configurationChanged {
                    end += 1
                }
                return (.fire(Array(entries[index..<end])), end)
            default:
                index += 1
            }
        }
        return (nil, index)
    }
}
