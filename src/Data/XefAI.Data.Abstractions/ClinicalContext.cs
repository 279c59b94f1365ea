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

    /// <summary>
    /// Recoverable problems found in the data that was read: the data was used as far as it could be read, and these
    /// say where it was not clean. Empty when the data was clean. Never holds the offending values.
    /// </summary>
    public IReadOnlyList<ClinicalDataWarning> Warnings { get; init; } = [];

    /// <summary>
    /// The people the data names (the patient, related persons, practitioners) with what identifies them, so that a
    /// de-identifier finds them in free text in any form. PHI: never logged, never sent.
    /// </summary>
    public IReadOnlyList<ClinicalPerson> People { get; init; } = [];
}

/// <summary>What identifies one person named in clinical data; every value is PHI.</summary>
/// <param name="Role"><c>patient</c>, <c>related-person</c> or <c>practitioner</c>.</param>
public sealed record ClinicalPerson(string Role)
{
    /// <summary>Given names (first and middle), as written.</summary>
    public IReadOnlyList<string> GivenNames { get; init; } = [];

    /// <summary>Family names, as written.</summary>
    public IReadOnlyList<string> FamilyNames { get; init; } = [];

    /// <summary>Identifier values (MRN, SSN, member number, NPI…).</summary>
    public IReadOnlyList<string> Identifiers { get; init; } = [];

    /// <summary>Phone numbers, fax numbers, email addresses, URLs.</summary>
    public IReadOnlyList<string> Telecom { get; init; } = [];

    /// <summary>Street lines of the person's addresses.</summary>
    public IReadOnlyList<string> AddressLines { get; init; } = [];

    /// <summary>Cities and districts (counties) of the person's addresses.</summary>
    public IReadOnlyList<string> Places { get; init; } = [];

    /// <summary>Postal codes of the person's addresses.</summary>
    public IReadOnlyList<string> PostalCodes { get; init; } = [];

    /// <summary>Birth date as FHIR writes it (<c>1956-05-12</c>), when known.</summary>
    public string? BirthDate { get; init; }
}

/// <summary>A recoverable problem in clinical data: where it is and what it is, never the value itself (which may be PHI).</summary>
/// <param name="Path">The element, as a FHIRPath-like location such as <c>Bundle.entry[0].resource.birthDate</c>.</param>
/// <param name="Code">
/// A bounded code: <c>unknown-element</c>, <c>unknown-type</c>, <c>invalid-value</c>, <c>invalid-code</c>,
/// <c>missing-element</c>, <c>empty-element</c>, <c>invalid-content</c>, <c>more-warnings</c>, or <c>truncated</c> (the gateway's:
/// a FHIR server fetch stopped at its page or entry limit).
/// </param>
/// <param name="Message">A short description, e.g. <c>Invalid literal; the value was left out</c>.</param>
public sealed record ClinicalDataWarning(string Path, string Code, string Message);

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
