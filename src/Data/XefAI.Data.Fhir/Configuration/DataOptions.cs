namespace XefAI.Data.Configuration;

/// <summary>The <c>Data</c> section: settings of the data layer.</summary>
/// <remarks>A class, not a record: a record's ToString would print the salt into any log that formats the options.</remarks>
public sealed class DataOptions
{
    public const string SectionName = "Data";

    public const int MinimumSaltLength = 16;

    /// <summary>Most entries accepted in one FHIR Bundle (nested Bundles included), checked before the FHIR parser runs.</summary>
    public int MaxBundleEntries { get; set; } = 5000;

    /// <summary>Deepest JSON nesting accepted in FHIR content.</summary>
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>
    /// Folder of the prompt templates (<c>{name}/{version}.json</c>); a relative path is resolved against the content root,
    /// the folder that holds <c>config/</c>.
    /// </summary>
    public string PromptsPath { get; set; } = "config/prompts";

    /// <summary>
    /// Longest text, in characters, the de-identifier accepts in one piece; a longer one is refused
    /// (<c>deidentification_failed</c>) rather than sent. The scan is linear, so this bounds the time a call can take.
    /// </summary>
    public int MaxDeIdentifiedTextLength { get; set; } = 4 * 1024 * 1024;

    /// <summary>Secret key of the patient pseudonyms in the audit trail; changing it changes every pseudonym.</summary>
    public string? PseudonymSalt { get; set; }
}
