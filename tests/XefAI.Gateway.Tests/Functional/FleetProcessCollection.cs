namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Tests that freeze or kill gateway processes under load and bound how long the survivor took: they run alone,
/// after the parallel tests, so another test's processes do not starve the ones under test of CPU.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FleetProcessCollection
{
    public const string Name = "Fleet processes";
}
