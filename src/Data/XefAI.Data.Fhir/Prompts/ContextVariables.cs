using System.Text;

namespace XefAI.Data.Prompts;

/// <summary>Turns a clinical context into the text of the <see cref="PromptContextVariables"/>.</summary>
internal static class ContextVariables
{
    private const string None = "(none)";
    private const string NotGiven = "(not given)";
    private const string PatientCategory = "Patient";

    // The categories the FHIR source produces, in the order a clinician reads a chart; others follow in the sender's order.
    private static readonly (string Category, string Heading)[] Known =
    [
        ("Condition", "Conditions"),
        ("Allergy", "Allergies"),
        ("Medication", "Medications"),
        ("Observation", "Observations"),
        ("Procedure", "Procedures"),
        ("Encounter", "Encounters"),
        ("Report", "Diagnostic reports"),
        ("Note", "Notes"),
        ("Document", "Documents"),
    ];

    public static Dictionary<string, string> From(ClinicalContext context) => new(StringComparer.Ordinal)
    {
        [PromptContextVariables.Facts] = Facts(context.Facts),
        [PromptContextVariables.Text] = Text(context.FreeText),
        [PromptContextVariables.Patient] = Patient(context.Facts),
    };

    private static string Facts(IReadOnlyList<ClinicalFact> facts)
    {
        var groups = facts
            .Where(f => !string.IsNullOrWhiteSpace(f.Text) && !IsPatient(f))
            .GroupBy(f => string.IsNullOrWhiteSpace(f.Category) ? "Other" : f.Category.Trim(), StringComparer.OrdinalIgnoreCase)
            .Select((group, order) => (Rank: Rank(group.Key, order), Heading: Heading(group.Key), Facts: group.ToList()))
            .OrderBy(g => g.Rank)
            .ToList();
        if (groups.Count == 0)
        {
            return None;
        }

        var text = new StringBuilder();
        foreach (var group in groups)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(group.Heading).Append(":\n");
            foreach (var fact in group.Facts)
            {
                text.Append("- ").Append(OneLine(fact.Text));
                var details = string.Join("; ", new[]
                {
                    string.IsNullOrWhiteSpace(fact.Date) ? null : $"date: {OneLine(fact.Date)}",
                    string.IsNullOrWhiteSpace(fact.Status) ? null : $"status: {OneLine(fact.Status)}",
                }.OfType<string>());
                if (details.Length > 0)
                {
                    text.Append(" (").Append(details).Append(')');
                }

                text.Append('\n');
            }
        }

        return text.ToString().TrimEnd('\n');
    }

    private static string Text(IReadOnlyList<string> freeText)
    {
        var parts = freeText.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToList();
        return parts.Count == 0 ? None : string.Join("\n\n", parts);
    }

    private static string Patient(IReadOnlyList<ClinicalFact> facts)
    {
        var parts = facts.Where(f => IsPatient(f) && !string.IsNullOrWhiteSpace(f.Text)).Select(f => OneLine(f.Text)).Distinct(StringComparer.Ordinal).ToList();
        return parts.Count == 0 ? NotGiven : string.Join("; ", parts);
    }

    private static bool IsPatient(ClinicalFact fact) => string.Equals(fact.Category?.Trim(), PatientCategory, StringComparison.OrdinalIgnoreCase);

    private static int Rank(string category, int order)
    {
        var known = Array.FindIndex(Known, k => string.Equals(k.Category, category, StringComparison.OrdinalIgnoreCase));
        return known >= 0 ? known : Known.Length + order;
    }

    private static string Heading(string category)
    {
        var known = Array.Find(Known, k => string.Equals(k.Category, category, StringComparison.OrdinalIgnoreCase));
        return known.Heading ?? category;
    }

    // A line break inside a fact would start what looks like a new bullet or heading.
    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
