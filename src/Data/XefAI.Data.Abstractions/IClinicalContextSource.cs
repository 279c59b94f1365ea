namespace XefAI.Data;

/// <summary>
/// Finds clinical data in what a caller sent (a FHIR Bundle in a message today; CDS Hooks prefetch
/// and FHIR servers later) and turns it into structured context.
/// </summary>
public interface IClinicalContextSource
{
    /// <summary>Name of the source, for logs and the audit trail.</summary>
    string Name { get; }

    /// <summary>Reads clinical data from one piece of caller input.</summary>
    /// <returns>The context found, or null when this input holds nothing this source reads.</returns>
    /// <exception cref="ClinicalDataException">The input is clinical data of this source's kind but malformed.</exception>
    ClinicalContext? TryRead(string input);
}

/// <summary>Turns everything a caller sent into one clinical context, using every registered source.</summary>
public interface IClinicalContextBuilder
{
    /// <exception cref="ClinicalDataException">Some input is malformed clinical data.</exception>
    ClinicalContext Build(IReadOnlyList<string> inputs);
}

/// <summary>Derives the patient pseudonym used in the audit trail: a salted hash, never the identifier itself.</summary>
public interface IPatientPseudonymizer
{
    string Pseudonymize(string patientReference);
}
