namespace XefAI.Governance;

/// <summary>An audit store that queues appends for a writer of its own (<see cref="AuditBatchWriter"/>), and says how many it holds.</summary>
internal interface IQueuedAuditStore
{
    /// <summary>Appends the writer holds now: queued, or in the batch being committed.</summary>
    int Backlog { get; }
}
