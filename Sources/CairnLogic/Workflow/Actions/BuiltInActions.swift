extension ActionRegistry {
    /// Every built-in action type, in the order `docs/workflows.md` lists them.
    static var builtInActionTypes: [any WorkflowAction.Type] {
        [
            StartAction.self, EndAction.self, JoinAction.self, IfAction.self,
            CopyDataAction.self, MapDataAction.self, SetFieldAction.self, IncrementFieldAction.self, DecrementFieldAction.self,
            AppendToArrayAction.self, RemoveFromArrayAction.self, DeleteFieldAction.self,
            AddSegmentAction.self, RemoveSegmentAction.self, AddInterestAction.self, IncreaseInterestAction.self,
            DecreaseInterestAction.self, GrantConsentAction.self, RevokeConsentAction.self, RequireConsentAction.self,
            MergeProfilesAction.self, UpdateSessionAction.self,
            TemplateAction.self, TrimTextAction.self, LowercaseTextAction.self, UppercaseTextAction.self, SplitTextAction.self,
            JoinTextAction.self, CalculatorAction.self, RegexMatchAction.self, RegexExtractAction.self, RegexReplaceAction.self,
            DateOffsetAction.self, DateFormatAction.self, DayOfWeekAction.self, HashAction.self, MaskAction.self,
            HasSegmentAction.self, NewProfileAction.self, NewVisitAction.self, PreviousEventAction.self, PreviousSessionAction.self,
            OncePerProfileAction.self, ThresholdAction.self,
            EmitEventAction.self, AddUXItemAction.self, SetResponseAction.self, SendToDestinationAction.self, RemoteCallAction.self,
        ]
    }
}
