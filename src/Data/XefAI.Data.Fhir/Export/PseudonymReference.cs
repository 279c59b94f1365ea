using Hl7.Fhir.Model;

namespace XefAI.Data.Export;

/// <summary>The only way the export refers to a patient: by the pseudonym, as a logical reference.</summary>
internal static class PseudonymReference
{
    // The shape PatientPseudonymizer produces: "pp-" and 32 lowercase hex digits.
    private const string Prefix = "pp-";
    private const int HexDigits = 32;

    /// <summary>Null when there is no pseudonym; throws when the value is not one, so a real identifier never leaves.</summary>
    public static ResourceReference? For(string? pseudonym, string paramName)
    {
        if (string.IsNullOrEmpty(pseudonym))
        {
            return null;
        }

        if (!IsPseudonym(pseudonym))
        {
            // Never echo the value: if it is not a pseudonym it may be the patient's identifier.
            throw new ArgumentException("The patient value is not a pseudonym from IPatientPseudonymizer; it is not exported.", paramName);
        }

        return new ResourceReference
        {
            Type = "Patient",
            Identifier = new Identifier(FhirExportSystems.PatientPseudonym, pseudonym),
        };
    }

    internal static bool IsPseudonym(string value) =>
        value.Length == Prefix.Length + HexDigits
        && value.StartsWith(Prefix, StringComparison.Ordinal)
        && value.AsSpan(Prefix.Length).IndexOfAnyExcept("0123456789abcdef") < 0;
}
