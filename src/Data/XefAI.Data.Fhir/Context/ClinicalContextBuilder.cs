namespace XefAI.Data.Context;

/// <summary>Asks every registered source about each input and merges what they read into one context.</summary>
internal sealed class ClinicalContextBuilder(IEnumerable<IClinicalContextSource> sources) : IClinicalContextBuilder
{
    private readonly IClinicalContextSource[] _sources = [.. sources];

    public ClinicalContext Build(IReadOnlyList<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);

        // Lists only for what there is: a chat call's plain texts make one list, not four.
        List<ClinicalFact>? facts = null;
        List<string>? freeText = null;
        List<ClinicalDataWarning>? warnings = null;
        List<ClinicalPerson>? people = null;
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
                (freeText ??= new List<string>(inputs.Count)).Add(input);
                continue;
            }

            AddTo(ref facts, context.Facts);
            AddTo(ref freeText, context.FreeText);
            AddTo(ref warnings, context.Warnings);
            AddTo(ref people, context.People);
            patientReference ??= context.PatientReference;
            resourceCount += context.ResourceCount;
        }

        return facts is null && freeText is null && patientReference is null && resourceCount == 0 && warnings is null && people is null
            ? ClinicalContext.Empty
            : new ClinicalContext(facts ?? [], freeText ?? [], patientReference, resourceCount) { Warnings = warnings ?? [], People = people ?? [] };
    }

    private static void AddTo<T>(ref List<T>? list, IReadOnlyList<T> items)
    {
        if (items.Count > 0)
        {
            (list ??= []).AddRange(items);
        }
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
