namespace XefAI.Gateway.Configuration;

/// <summary>
/// Limits on the shape of a request, checked before any expensive work (DOM, FHIR parsing, vendor call), so a
/// small body cannot buy a large amount of CPU or memory.
/// </summary>
/// <param name="MaxJsonDepth">Deepest JSON nesting accepted in a request body.</param>
/// <param name="MaxMessages">Most messages accepted in one chat request.</param>
internal sealed record RequestLimits(int MaxJsonDepth, int MaxMessages);
