namespace XefAI.Data.Context;

/// <summary>Asks every registered source about each input and merges what they read into one context.</summary>
internal sealed class ClinicalContextBuilder(IEnumerable<IClinicalContextSource> sources) : IClinicalContextBuilder
{
    private readonly IClinicalContextSource[] _sources = [.. sources];

    public ClinicalContext Build(IReadOnlyList<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);

        var facts = new List<ClinicalFact>();
        var freeText = new List<string>();
        var warnings = new List<ClinicalDataWarning>();
        var people = new List<ClinicalPerson>();
        string? patientReference = null;
        var resourceCount = 0;
        foreach (var input in inputs)
        {
            if (string.IsNullOrWhiteSpace(input))
            {
                continue;
            }

            if (Read(input) is not { } context)
            {
                freeText.Add(input);
                continue;
            }

            facts.AddRange(context.Facts);
            freeText.AddRange(context.FreeText);
            warnings.AddRange(context.Warnings);
            people.AddRange(context.People);
            patientReference ??= context.PatientReference;
            resourceCount += context.ResourceCount;
        }

        return facts.Count == 0 && freeText.Count == 0 && patientReference is null && resourceCount == 0 && warnings.Count == 0 && people.Count == 0
            ? ClinicalContext.Empty
            : new ClinicalContext(facts, freeText, patientReference, resourceCount) { Warnings = warnings, People = people };
    }

    // First source that recognizes the input owns it; a malformed-data exception is the caller's answer, not a fallback.
    private ClinicalContext? Read(string input)
    {
        foreach (var source in _sources)
        {
            if (source.TryRead(input) is { } context)
            {
                return context;
            }
        }

        return null;
    }
}
