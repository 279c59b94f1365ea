namespace XefAI.Data.Tests.Fhir;

/// <summary>
/// HL7's published FHIR R4 examples (the FHIR package <c>hl7.fhir.r4.examples</c> 4.0.1, CC0, installed from the npm
/// registry by <c>npm ci --prefix tests/fhir-examples</c>): FHIR written by another system than this one. Tests that read
/// them are skipped, with that command as the reason, where the package is not installed, unless
/// <see cref="RequireVariable"/> demands they run (as CI does).
/// </summary>
internal static class Hl7Examples
{
    public const string RequireVariable = "XEFAI_TESTS_REQUIRE_HL7_EXAMPLES";

    private const string PackagePath = "tests/fhir-examples/node_modules/hl7.fhir.r4.examples";

    // Definitions, terminology and knowledge artifacts: about no one, and most of the package's 5,300 files.
    private static readonly string[] NotAboutPeople =
    [
        "SearchParameter", "ValueSet", "CodeSystem", "StructureDefinition", "ConceptMap", "OperationDefinition", "CapabilityStatement",
        "ImplementationGuide", "NamingSystem", "CompartmentDefinition", "StructureMap", "TerminologyCapabilities", "MessageDefinition",
        "GraphDefinition", "ExampleScenario", "TestScript", "TestReport", "Questionnaire", "Library", "PlanDefinition", "ActivityDefinition",
        "Measure", "EventDefinition", "EffectEvidenceSynthesis", "Evidence", "EvidenceVariable", "ResearchDefinition",
        "ResearchElementDefinition", "RiskEvidenceSynthesis", "ChargeItemDefinition", "ObservationDefinition", "SpecimenDefinition",
        "MedicinalProduct", "SubstanceSpecification", "OperationOutcome", "Parameters", "Binary",
    ];

    private static readonly Lazy<string?> Folder = new(FindFolder);

    public static bool IsRequired => Environment.GetEnvironmentVariable(RequireVariable) is "1" or "true";

    /// <summary>Why the examples cannot be read here, or null when they can.</summary>
    public static string? UnavailableReason => Folder.Value is null
        ? $"HL7's FHIR R4 examples are not installed: run `npm ci --prefix tests/fhir-examples` from the repository root."
        : null;

    /// <summary>The examples about patients, care and the people in it, under the body limit the gateway enforces (1 MB).</summary>
    public static IEnumerable<string> ClinicalFiles()
    {
        var folder = Folder.Value ?? throw new InvalidOperationException(UnavailableReason);
        return Directory.EnumerateFiles(folder, "*.json")
            .Where(f => Path.GetFileName(f) is var name && name.Contains('-', StringComparison.Ordinal)
                && !NotAboutPeople.Contains(name[..name.IndexOf('-', StringComparison.Ordinal)], StringComparer.Ordinal)
                && new FileInfo(f).Length < 1024 * 1024)
            .Order(StringComparer.Ordinal);
    }

    private static string? FindFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, PackagePath);
            if (File.Exists(Path.Combine(candidate, "Patient-example.json")))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A test over <see cref="Hl7Examples"/>: skipped where they are not installed, unless required.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class Hl7ExamplesFactAttribute : FactAttribute
{
    public Hl7ExamplesFactAttribute()
    {
        if (!Hl7Examples.IsRequired && Hl7Examples.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
