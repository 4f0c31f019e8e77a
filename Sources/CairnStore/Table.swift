import CLMDB

/// A named LMDB database holding keys of type `Key` and values of type `Value`, each through its
/// `StoreCodec`.
///
/// Get one from `WriteTransaction.openTable` (or `StoreEnvironment.openTable`). A `Table` is a
/// small `Sendable` handle, valid for the environment that opened it until that environment
/// closes; using it with another environment is a programmer error and traps. Opening the same
/// name twice gives equal handles. The types are not stored in the file: opening a table with
/// other codecs than it was written with makes reads throw `StoreError.corrupted`.
public struct Table<Key: StoreCodec, Value: StoreCodec>: Sendable, Hashable, CustomStringConvertible {
    /// The table's name in the environment.
    public let name: String
    let dbi: MDB_dbi
    let environmentID: UInt64

    init(name: String, dbi: MDB_dbi, environmentID: UInt64) {
        self.name = name
        self.dbi = dbi
        self.environmentID = environmentID
    }

    public var description: String { "Table(\(name))" }
}
