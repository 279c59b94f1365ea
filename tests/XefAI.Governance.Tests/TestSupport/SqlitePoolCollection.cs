namespace XefAI.Governance.Tests;

/// <summary>
/// Tests that need a store's pooled SQLite connection to outlive a change to the file under it (a database deleted or
/// replaced while open): they run alone, since another test's <c>ClearAllPools</c> would close that connection first.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SqlitePoolCollection
{
    public const string Name = "SQLite connection pools";
}
