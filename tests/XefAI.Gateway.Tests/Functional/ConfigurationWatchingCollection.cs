namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Tests whose gateways watch their configuration files, and the tests that count inotify instances: they run
/// alone, one at a time, so a count is never disturbed by another test's watcher and the suite never holds more
/// than one watching gateway.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConfigurationWatchingCollection
{
    public const string Name = "Configuration watching";
}
