using Hl7.Fhir.Model;

namespace XefAI.Data.Export;

internal static class ExportValues
{
    /// <summary>The trimmed value, or null when blank: FHIR strings are never empty, so blank optional facts are left out.</summary>
    public static string? Present(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>A concept of one coding with its display (Firely's three-argument constructor sets <c>text</c>, not the display).</summary>
    public static CodeableConcept Concept(string system, string code, string display) =>
        new() { Coding = [new Coding(system, code, display)] };
}
