namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Tests that need the gateway's pooled SQLite connections to outlive a change to the file under them (a database
/// replaced while open): they run alone, after the parallel tests, since every other host's disposal clears all pools.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SqlitePoolCollection
{
    public const string Name = "SQLite connection pools";
}
