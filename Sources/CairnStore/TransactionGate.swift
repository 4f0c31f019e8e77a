import Glibc

/// Counts the LMDB transactions open in this process so that the map can be resized and the
/// environment closed only when none is.
///
/// `mdb_env_set_mapsize` is legal only with no transaction active in the process, and LMDB does not
/// check it for read transactions: it unmaps the file under them. Every transaction, read or
/// write, therefore enters the gate before `mdb_txn_begin` and leaves after commit or abort.
/// `exclusive` (map growth) and `close` stop new entries, wait for the count to reach zero and then
/// run with the gate shut.
///
/// Writer preference: while growth waits, new transactions wait too, so a steady stream of short
/// readers cannot starve it. A thread that already holds a transaction (a `read` nested in a
/// `read`, or a `read` inside a write body on the writer thread) enters without waiting, since
/// growth is waiting for that very transaction; that keeps nesting free of deadlock and never lets
/// growth run under an open transaction, because it still needs the count at zero.
///
/// Not `Sendable` by itself: it is owned by `LMDBEnvironment`, whose comment covers it. The state
/// lives behind a pthread mutex; the condition variable wakes both waiting sides.
final class TransactionGate {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// Guarded by `mutex`.
    private var open = 0
    private var exclusivePending = 0
    private var closed = false

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        precondition(pthread_cond_init(condition, nil) == 0, "pthread_cond_init failed")
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Admits one transaction; waits while a resize is pending unless this thread already holds
    /// one. Pair with `leave()`.
    ///
    /// - Throws: `StoreError.closed` once the gate is closed.
    func enter() throws {
        let nested = ThreadTransactions.depth > 0
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while exclusivePending > 0 && !nested && !closed {
            pthread_cond_wait(condition, mutex)
        }
        if closed { throw StoreError.closedError }
        open += 1
        ThreadTransactions.depth += 1
    }

    func leave() {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        assert(open > 0, "leave() without enter()")
        open -= 1
        ThreadTransactions.depth -= 1
        if open == 0 { pthread_cond_broadcast(condition) }
    }

    /// Runs `body` with no transaction open in the process and none admitted meanwhile.
    ///
    /// - Precondition: the calling thread holds no transaction (it would wait for itself).
    /// - Throws: `StoreError.closed` once the gate is closed, or what `body` throws.
    func exclusive<T>(_ body: () throws -> T) throws -> T {
        precondition(ThreadTransactions.depth == 0, "resizing the map from a thread that holds a transaction")
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        exclusivePending += 1
        defer {
            exclusivePending -= 1
            pthread_cond_broadcast(condition)
        }
        while open > 0 && !closed {
            pthread_cond_wait(condition, mutex)
        }
        if closed { throw StoreError.closedError }
        return try body()
    }

    /// Shuts the gate for good: waits for open transactions to end, then runs `body` (which
    /// closes the environment) with the gate shut. Later `enter` and `exclusive` throw `.closed`.
    /// Returns false without running `body` when the gate was already closed.
    func close(_ body: () -> Void) -> Bool {
        precondition(ThreadTransactions.depth == 0, "closing the store from a thread that holds a transaction")
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if closed { return false }
        exclusivePending += 1
        while open > 0 {
            pthread_cond_wait(condition, mutex)
        }
        exclusivePending -= 1
        closed = true
        body()
        pthread_cond_broadcast(condition)
        return true
    }
}

/// How many transactions the current thread holds, across environments, in a pthread key. A read
/// body is synchronous, so a transaction stays on the thread that began it.
enum ThreadTransactions {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        return key
    }()

    static var depth: Int {
        get { Int(bitPattern: pthread_getspecific(key)) }
        set { precondition(pthread_setspecific(key, UnsafeRawPointer(bitPattern: newValue)) == 0, "pthread_setspecific failed") }
    }
}
