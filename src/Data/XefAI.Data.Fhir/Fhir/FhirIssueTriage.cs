using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;

namespace XefAI.Data.Fhir;

/// <summary>
/// Sorts Firely's deserialization issues into structural errors, which refuse the data, and recoverable problems,
/// which become warnings once the values they left unreadable are corrected or left out.
/// </summary>
internal static partial class FhirIssueTriage
{
    /// <summary>Warnings kept per document; a Bundle from a careless exporter can hold thousands of the same issue.</summary>
    public const int MaxWarnings = 50;

    private const int MaxPathLength = 256;

    // Firely calls these recoverable because the JSON could be mapped somehow, but data of the wrong shape (a string where
    // an entry belongs, an object where a list belongs, a resource of no known type) is not a Bundle any exporter meant.
    private static readonly HashSet<string> StructuralCodes = new(StringComparer.Ordinal)
    {
        "JSON103", // resource without resourceType
        "JSON131", // primitive where an object is required
        "JSON132", // object where a primitive is required
        "PVAL127", // one value where a list is required, or a list where one value is
        "PVAL130", // unknown resource type inside the document
    };

    /// <summary>True when the issue makes the document unusable, whatever else could be read.</summary>
    public static bool IsStructural(CodedException issue) =>
        StructuralCodes.Contains(issue.ErrorCode) || !CodedExceptionFilters.FilterRecoverableIssues(issue);

    /// <summary>
    /// Makes the partial result safe to read, one issue at a time, and says what was done. Firely keeps a value it
    /// could not read as-is, and reading it later throws or (for dates) hands the raw text on; neither may reach a prompt.
    /// </summary>
    public static IReadOnlyList<ClinicalDataWarning> Recover(Resource root, IEnumerable<CodedException> issues)
    {
        var warnings = new List<ClinicalDataWarning>();
        var seen = new HashSet<(string, string)>();
        var more = 0;

        // Inside an unknown element everything is unknown; only the outermost one is worth a warning.
        var list = issues.ToList();
        var unknown = list.Where(i => i.ErrorCode == "PVAL128").OfType<ExtendedCodedException>().Select(e => e.InstancePath + ".").ToList();
        foreach (var issue in list.Where(i => i is not ExtendedCodedException e || !unknown.Any(u => e.InstancePath?.StartsWith(u, StringComparison.Ordinal) == true)))
        {
            var path = issue is ExtendedCodedException { InstancePath.Length: > 0 } e ? e.InstancePath : root.TypeName;
            var outcome = IsValueIssue(issue) && Find(root, path) is PrimitiveType primitive ? Repair(primitive) : "ignored";
            var code = CodeOf(issue);
            var shown = SafePath(path);
            if (!seen.Add((shown, code)))
            {
                continue;
            }

            if (warnings.Count < MaxWarnings)
            {
                warnings.Add(new ClinicalDataWarning(shown, code, $"{DisplayOf(issue)}; {outcome}"));
            }
            else
            {
                more++;
            }
        }

        if (more > 0)
        {
            warnings.Add(new ClinicalDataWarning(root.TypeName, "more-warnings", $"{more} more warnings were not listed"));
        }

        return warnings;
    }

    /// <summary>Firely's short display text names the problem without repeating the data (its full message quotes values).</summary>
    public static string DisplayOf(CodedException issue) =>
        issue is ExtendedCodedException { Display: { Length: > 0 } display } ? display : $"error {issue.ErrorCode}";

    /// <summary>
    /// The issue's location, with any segment that is not an element name masked: unknown element names come from the
    /// sender's JSON keys, and a key can hold anything a caller pasted.
    /// </summary>
    public static string SafePath(string path)
    {
        var segments = path.Split('.').Select(s => PathSegmentPattern().IsMatch(s) ? s : "*");
        var safe = string.Join('.', segments);
        return safe.Length <= MaxPathLength ? safe : safe[..MaxPathLength];
    }

    private static bool IsValueIssue(CodedException issue) => issue.ErrorCode is "PVAL116" or "PVAL123" or "PVAL124";

    private static string CodeOf(CodedException issue) => issue.ErrorCode switch
    {
        "PVAL128" => "unknown-element",
        "PVAL101" => "unknown-type",
        "PVAL123" or "PVAL124" => "invalid-value",
        "PVAL116" => "invalid-code",
        "PVAL105" => "missing-element",
        "JSON109" or "JSON120" or "JSON121" or "JSON125" or "PVAL104" or "PVAL129" => "empty-element",
        _ => "invalid-content",
    };

    /// <summary>The element an issue path such as <c>Bundle.entry[0].resource.birthDate</c> names, or null.</summary>
    private static object? Find(Resource root, string path)
    {
        var segments = path.Split('.');
        if (segments.Length < 2 || segments[0] != root.TypeName)
        {
            return null;
        }

        object? current = root;
        foreach (var segment in segments.Skip(1))
        {
            var match = IndexedNamePattern().Match(segment);
            if (!match.Success || current is not Base node || !node.TryGetValue(match.Groups["name"].Value, out var child))
            {
                return null;
            }

            current = match.Groups["index"].Success
                ? child is IList list && int.TryParse(match.Groups["index"].ValueSpan, CultureInfo.InvariantCulture, out var i) && i < list.Count ? list[i] : null
                : child;
        }

        return current;
    }

    /// <summary>Corrects a value that differs from FHIR only in form; leaves out one that cannot be read.</summary>
    private static string Repair(PrimitiveType primitive)
    {
        var text = primitive.JsonValue switch
        {
            string s => s.Trim(),
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => null,
        };

        object? candidate = text is null ? null : primitive switch
        {
            FhirBoolean => bool.TryParse(text, out var b) ? b : null,
            FhirDecimal => decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null,
            Integer or PositiveInt or UnsignedInt => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null,

            // Dates become prompt text; one that is still not a date after the obvious corrections may be anything.
            Date => FirstValid(Date.IsValidValue, text, PadDate(text)),
            FhirDateTime => FirstValid(FhirDateTime.IsValidValue, text, PadDate(text)),
            Instant => FirstValid(Instant.IsValidValue, text),
            Time => FirstValid(Time.IsValidValue, text),

            // Identifiers, uris and codes are kept as sent (trimmed): references between entries depend on them.
            _ => text,
        };

        var original = primitive.JsonValue;
        primitive.JsonValue = candidate;
        if (candidate is null || !Readable(primitive))
        {
            primitive.JsonValue = null;
            return "the value was left out";
        }

        return Equals(candidate, original) ? "the value was kept" : "the value was corrected";
    }

    private static string? FirstValid(Func<string, bool> isValid, params string?[] candidates) =>
        candidates.FirstOrDefault(c => c is not null && isValid(c));

    // "1954-3-2" is a date every reader understands; FHIR only wants it zero-padded.
    private static string? PadDate(string text)
    {
        var match = LooseDatePattern().Match(text);
        return match.Success
            ? $"{match.Groups["y"].Value}-{match.Groups["m"].Value.PadLeft(2, '0')}-{match.Groups["d"].Value.PadLeft(2, '0')}{match.Groups["rest"].Value}"
            : null;
    }

    // Typed getters (Code<T>.Value, Instant.Value...) throw on a value they cannot convert; reading once here keeps that
    // from happening while facts are extracted.
    private static bool Readable(PrimitiveType primitive)
    {
        try
        {
            // Code<T> hides Code.Value with its own; every one of them must read.
            foreach (var property in primitive.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.Name == "Value" && property.GetIndexParameters().Length == 0)
                {
                    _ = property.GetValue(primitive);
                }
            }

            return true;
        }
        catch (TargetInvocationException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^(?<name>[A-Za-z_$][A-Za-z0-9_]{0,63})(\[(?<index>\d{1,6})\])?$")]
    private static partial Regex IndexedNamePattern();

    [GeneratedRegex(@"^[A-Za-z_$][A-Za-z0-9_]{0,63}(\[\d{1,6}\])?$")]
    private static partial Regex PathSegmentPattern();

    [GeneratedRegex(@"^(?<y>\d{4})-(?<m>\d{1,2})-(?<d>\d{1,2})(?<rest>T.*)?$")]
    private static partial Regex LooseDatePattern();
}
