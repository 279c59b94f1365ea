using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace XefAI.Models.Providers.Local;

/// <summary>Writes clinical facts as one line per group, in the order a clinician reads a chart.</summary>
internal static class FactSummary
{
    public const int MaxItemsPerGroup = 8;

    private const string ObservationsHeading = "Recent observations";

    // FHIR resource names first, then the plain words a context source might use instead.
    private static readonly (string Heading, string[] Categories)[] Groups =
    [
        ("Patient", ["Patient"]),
        ("Problems", ["Condition", "Problem", "Diagnosis"]),
        ("Allergies", ["AllergyIntolerance", "Allergy"]),
        ("Medications", ["Medication", "MedicationStatement", "MedicationRequest", "MedicationAdministration", "MedicationDispense"]),
        (ObservationsHeading, ["Observation", "VitalSign", "Vital", "Lab"]),
        ("Procedures", ["Procedure"]),
        ("Encounters", ["Encounter"]),
        ("Diagnostic reports", ["DiagnosticReport"]),
        ("Notes", ["Composition", "DocumentReference", "Note"]),
    ];

    private static readonly FrozenDictionary<string, int> GroupByCategory = Groups
        .SelectMany((group, index) => group.Categories.Select(category => KeyValuePair.Create(category, index)))
        .ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly string[] PartialDateFormats = ["yyyy", "yyyy-MM", "yyyy-MM-dd"];

    /// <summary>Appends one line per non-empty group; returns whether it wrote any.</summary>
    public static bool Append(StringBuilder answer, IReadOnlyList<ContextFact> facts)
    {
        var known = new List<ContextFact>?[Groups.Length];
        var other = new SortedDictionary<string, List<ContextFact>>(StringComparer.OrdinalIgnoreCase);
        foreach (var fact in facts)
        {
            if (string.IsNullOrWhiteSpace(fact.Text))
            {
                continue;
            }

            var category = string.IsNullOrWhiteSpace(fact.Category) ? "Other" : fact.Category.Trim();
            if (GroupByCategory.TryGetValue(category, out var index))
            {
                (known[index] ??= []).Add(fact);
            }
            else if (other.TryGetValue(category, out var list))
            {
                list.Add(fact);
            }
            else
            {
                other.Add(category, [fact]);
            }
        }

        var wrote = false;
        for (var i = 0; i < Groups.Length; i++)
        {
            if (known[i] is { } group)
            {
                var heading = Groups[i].Heading;
                AppendGroup(answer, heading, heading == ObservationsHeading ? NewestFirst(group) : group);
                wrote = true;
            }
        }

        foreach (var (category, group) in other)
        {
            AppendGroup(answer, category, group);
            wrote = true;
        }

        return wrote;
    }

    private static void AppendGroup(StringBuilder answer, string heading, IEnumerable<ContextFact> facts)
    {
        // Bundles often carry the same fact twice (a condition on the problem list and on an encounter).
        var items = facts.Select(Format).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        answer.Append(heading).Append(" (").Append(items.Count).Append("): ");
        answer.AppendJoin("; ", items.Take(MaxItemsPerGroup));
        if (items.Count > MaxItemsPerGroup)
        {
            answer.Append(" (+").Append(items.Count - MaxItemsPerGroup).Append(" more)");
        }

        answer.Append('\n');
    }

    private static string Format(ContextFact fact)
    {
        var text = Collapse(fact.Text);
        var status = string.IsNullOrWhiteSpace(fact.Status) ? null : fact.Status.Trim();
        var date = string.IsNullOrWhiteSpace(fact.Date) ? null : fact.Date.Trim();
        return (status, date) switch
        {
            (null, null) => text,
            (not null, null) => $"{text} ({status})",
            (null, not null) => $"{text} ({date})",
            _ => $"{text} ({status}, {date})",
        };
    }

    /// <summary>Dated facts newest first; facts without a readable date keep their order after them.</summary>
    private static IEnumerable<ContextFact> NewestFirst(List<ContextFact> facts) => facts
        .Select(fact => (Fact: fact, Date: TryParseDate(fact.Date, out var date) ? date : (DateTimeOffset?)null))
        .OrderBy(entry => entry.Date is null)
        .ThenByDescending(entry => entry.Date)
        .Select(entry => entry.Fact);

    /// <summary>Reads FHIR dates, which may be partial (<c>2024</c>, <c>2024-05</c>) or full date-times.</summary>
    private static bool TryParseDate(string? text, out DateTimeOffset date)
    {
        date = default;
        return !string.IsNullOrWhiteSpace(text)
            && (DateTimeOffset.TryParseExact(text.Trim(), PartialDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date)
                || DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date));
    }

    private static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
