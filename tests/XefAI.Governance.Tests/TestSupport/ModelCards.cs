namespace XefAI.Governance.Tests;

/// <summary>Model-card configuration for tests: every required attribute answered, unless told otherwise.</summary>
internal static class ModelCards
{
    /// <summary>Keys under <c>Governance:UseCases:&lt;id&gt;:ModelCard</c> answering every required attribute except <paramref name="leaveOut"/>.</summary>
    public static (string Key, string? Value)[] Complete(params string[] leaveOut) =>
    [
        .. new ModelCard().Attributes
            .Where(a => a.Required && !leaveOut.Contains(a.Path))
            .Select(a => ($"ModelCard:{a.Path}", (string?)$"{a.Path} as documented")),
    ];
}
