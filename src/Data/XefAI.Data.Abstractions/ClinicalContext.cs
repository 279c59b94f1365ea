namespace XefAI.Data;

/// <summary>Clinical context assembled from the request: facts by category and the free text around them.</summary>
/// <param name="Facts">Structured facts, e.g. conditions, medications, observations.</param>
/// <param name="FreeText">Inputs that were plain text, not clinical data.</param>
/// <param name="PatientReference">The patient the data is about, e.g. <c>Patient/123</c>; PHI, never logged.</param>
/// <param name="ResourceCount">How many FHIR resources were read.</param>
public sealed record ClinicalContext(
    IReadOnlyList<ClinicalFact> Facts,
    IReadOnlyList<string> FreeText,
    string? PatientReference,
    int ResourceCount)
{
    public static ClinicalContext Empty { get; } = new([], [], null, 0);
}

/// <summary>One clinical fact in plain words, with its date and status where the source gives them.</summary>
public sealed record ClinicalFact(string Category, string Text, string? Date = null, string? Status = null);

/// <summary>Clinical data in the request is malformed; the message says why, in the parser's words.</summary>
public sealed class ClinicalDataException : Exception
{
    public ClinicalDataException()
    {
    }

    public ClinicalDataException(string message)
        : base(message)
    {
    }

    public ClinicalDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
