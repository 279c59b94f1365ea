namespace XefAI.Data.FhirServer;

/// <summary>The <c>Data:FhirServer</c> section: how far a fetch of clinical context from a FHIR server may go.</summary>
public sealed class FhirServerOptions
{
    public const string SectionName = "Data:FhirServer";

    /// <summary>Longest wait for one HTTP request, body included.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest a whole fetch (every query, page, retry and redirect) may take.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest response body accepted for one resource or one search page, in bytes; a larger one fails the fetch.</summary>
    public int MaxResponseBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most pages read for one search; the rest is left on the server and the result marked truncated.</summary>
    public int MaxPages { get; set; } = 10;

    /// <summary>Most Bundle entries kept over a whole fetch; the rest is dropped and the result marked truncated.</summary>
    public int MaxEntries { get; set; } = 1000;

    /// <summary>Most queries in one fetch.</summary>
    public int MaxQueries { get; set; } = 20;
}
