/// The one error type of `CairnEngine`: a code to match on and a message naming what was wrong.
public struct EngineError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case invalidConfiguration, invalidEvent, invalidWorkflow, notFound, corruptedProjection, corruptedChangeLog, changeLogMismatch, concurrentWriter, io, closed
            case invalidArgument, conflict, limitReached, corruptedFile
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// An event could not be decoded: a record in the log, or an event file given to the
        /// ``WorkflowTester`` (the message names the file and the line).
        public static let invalidEvent = Code(.invalidEvent)
        /// A workflow does not pass validation against the action registry (the message names the
        /// workflow and the node).
        public static let invalidWorkflow = Code(.invalidWorkflow)
        /// What was asked for by id is not there: a workflow in the configuration, or a profile in
        /// the projections (the message names which, and the id).
        public static let notFound = Code(.notFound)
        /// A projection table holds something that cannot be decoded or contradicts itself.
        public static let corruptedProjection = Code(.corruptedProjection)
        /// A change-log record, or the event emitter's cursor file, cannot be read.
        public static let corruptedChangeLog = Code(.corruptedChangeLog)
        /// The change log and the projection's record of it disagree (it lost records, or holds
        /// records the projection did not make).
        public static let changeLogMismatch = Code(.changeLogMismatch)
        /// Another projector wrote to the same store meanwhile.
        public static let concurrentWriter = Code(.concurrentWriter)
        /// A file of the data directory could not be created, written or read (the message names
        /// it and the system's reason).
        public static let io = Code(.io)
        public static let closed = Code(.closed)
        /// A value given by the caller breaks its rules, such as an access token's name (the
        /// message names the value and the rule).
        public static let invalidArgument = Code(.invalidArgument)
        /// What is to be created exists already, such as an access token of that name.
        public static let conflict = Code(.conflict)
        /// A bounded collection is full, such as the access tokens (the message names the limit).
        public static let limitReached = Code(.limitReached)
        /// A small file of the data directory, such as the access tokens in `tokens`, cannot be
        /// parsed (the message names the file and the line).
        public static let corruptedFile = Code(.corruptedFile)

        public var description: String { value.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
