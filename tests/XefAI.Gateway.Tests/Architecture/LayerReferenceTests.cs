using System.Reflection;

namespace XefAI.Gateway.Tests.Architecture;

/// <summary>
/// The layers stay separate: Data, Models and Governance never reference one another or the host, and an
/// implementation references only its own layer's abstractions. Read from the built assemblies, so a
/// reference slipped in through any route fails here.
/// </summary>
public sealed class LayerReferenceTests
{
    private static readonly string[] Layers = ["Data", "Models", "Governance", "Integration"];

    public static TheoryData<string, string[]> Allowed => new()
    {
        { "XefAI.Data.Abstractions", [] },
        { "XefAI.Data.Fhir", ["XefAI.Data.Abstractions"] },
        { "XefAI.Models.Abstractions", [] },
        { "XefAI.Models.Providers", ["XefAI.Models.Abstractions"] },
        { "XefAI.Governance.Abstractions", [] },
        { "XefAI.Governance", ["XefAI.Governance.Abstractions"] },

        // A way in translates to and from the pipeline's neutral types: the conversation and answer (Models) and the
        // clinical data warnings and rendered prompt (Data). It sees no layer's implementation, and Governance not at all.
        { "XefAI.Integration.Abstractions", ["XefAI.Data.Abstractions", "XefAI.Models.Abstractions"] },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Assembly_ReferencesOnlyItsOwnLayersAbstractions(string assembly, string[] allowed)
    {
        var references = XefAIReferencesOf(assembly);

        Assert.All(references, r => Assert.Contains(r, allowed));
    }

    [Fact]
    public void AllLayerAssemblies_AreCoveredByTheRules()
    {
        var built = Directory.EnumerateFiles(AppContext.BaseDirectory, "XefAI.*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n is not null && Layers.Any(l => n.StartsWith($"XefAI.{l}", StringComparison.Ordinal)))
            .ToList();

        var covered = Allowed.Select(row => (string)row[0]).ToHashSet();
        Assert.All(built, name => Assert.Contains(name!, covered));
        Assert.Equal(covered.Count, built.Count);
    }

    [Fact]
    public void Host_IsTheOnlyAssemblyThatKnowsAllFourLayers()
    {
        var references = XefAIReferencesOf("XefAI.Gateway");

        Assert.Contains("XefAI.Data.Abstractions", references);
        Assert.Contains("XefAI.Models.Abstractions", references);
        Assert.Contains("XefAI.Governance.Abstractions", references);
        Assert.Contains("XefAI.Integration.Abstractions", references);
    }

    [Fact]
    public void Rules_WouldCatchAViolation()
    {
        // The host references every layer: checked against a layer's rule, it must be reported.
        var references = XefAIReferencesOf("XefAI.Gateway");

        Assert.Contains(references, r => !new[] { "XefAI.Models.Abstractions" }.Contains(r));
    }

    private static List<string> XefAIReferencesOf(string assembly) =>
        Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, assembly + ".dll"))
            .GetReferencedAssemblies()
            .Select(r => r.Name!)
            .Where(n => n.StartsWith("XefAI.", StringComparison.Ordinal))
            .ToList();
}
