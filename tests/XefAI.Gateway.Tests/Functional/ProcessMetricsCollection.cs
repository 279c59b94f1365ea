namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Tests that read exact numbers off <c>/metrics</c>. A gateway's meter provider listens to its meters by name,
/// and every in-process test host has meters of the same names, so a host alive beside the one under test can
/// shadow or add to its series. These tests run alone, one at a time, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMetricsCollection
{
    public const string Name = "Process-wide metrics";
}
