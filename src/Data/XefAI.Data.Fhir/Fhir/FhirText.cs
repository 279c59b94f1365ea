using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace XefAI.Data.Fhir;

/// <summary>Turns FHIR data types into the short plain words a clinical fact is made of.</summary>
internal static partial class FhirText
{
    /// <summary>The concept's text, else the first coding's display, else its code.</summary>
    public static string? Display(CodeableConcept? concept)
    {
        if (concept is null)
        {
            return null;
        }

        if (NotBlank(concept.Text) is { } text)
        {
            return text;
        }

        return concept.Coding.Select(c => NotBlank(c.Display)).FirstOrDefault(d => d is not null)
            ?? concept.Coding.Select(c => NotBlank(c.Code)).FirstOrDefault(c => c is not null);
    }

    public static string? Display(Coding? coding) => coding is null ? null : NotBlank(coding.Display) ?? NotBlank(coding.Code);

    public static string? Displays(IEnumerable<CodeableConcept> concepts) => Join(", ", concepts.Select(Display));

    /// <summary>A status held as a concept (clinicalStatus): its code reads like the enum statuses of other resources.</summary>
    public static string? StatusCode(CodeableConcept? concept) =>
        concept?.Coding.Select(c => NotBlank(c.Code)).FirstOrDefault(c => c is not null) ?? Display(concept);

    public static string? Literal<T>(T? value)
        where T : struct, Enum => value is { } v ? EnumUtility.GetLiteral(v) : null;

    public static string? ValueOf(DataType? value) => value switch
    {
        Quantity quantity => FormatQuantity(quantity),
        CodeableConcept concept => Display(concept),
        Coding coding => Display(coding),
        FhirString text => NotBlank(text.Value),
        FhirBoolean flag => flag.Value switch { true => "yes", false => "no", null => null },
        Integer number => number.Value?.ToString(CultureInfo.InvariantCulture),
        FhirDecimal number => number.Value?.ToString(CultureInfo.InvariantCulture),
        FhirDateTime dateTime => dateTime.Value,
        Time time => time.Value,
        Period period => Join(" to ", [period.Start, period.End]),
        Hl7.Fhir.Model.Range range => Join(" to ", [FormatQuantity(range.Low), FormatQuantity(range.High)]),
        Ratio ratio => Join("/", [FormatQuantity(ratio.Numerator), FormatQuantity(ratio.Denominator)]),
        _ => null,
    };

    /// <summary>The date of a choice element such as onset[x], effective[x] or performed[x].</summary>
    public static string? DateOf(DataType? value) => value switch
    {
        FhirDateTime dateTime => dateTime.Value,
        Date date => date.Value,
        Instant instant => FormatInstant(instant.Value),
        Period period => period.Start ?? period.End,
        Age age => $"age {FormatQuantity(age)}",
        FhirString text => NotBlank(text.Value),
        _ => null,
    };

    // Same shape as the dateTime literals of other facts, so UTC reads "Z" rather than "+00:00".
    public static string? FormatInstant(DateTimeOffset? value) => value switch
    {
        null => null,
        { Offset.Ticks: 0 } utc => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        { } local => local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
    };

    /// <summary>Narrative XHTML as one line of plain text: tags dropped, entities decoded, blocks kept apart.</summary>
    public static string? StripXhtml(string? xhtml)
    {
        if (string.IsNullOrWhiteSpace(xhtml))
        {
            return null;
        }

        // Blocks (paragraphs, list items, rows) are split first so that list items do not run together into one
        // sentence, cells are spaced apart, and inline tags (<b>, <sup>) vanish without splitting their word.
        var blocks = CellEndPattern().Replace(BlockEndPattern().Replace(xhtml, "\n"), " ");
        var text = WebUtility.HtmlDecode(TagPattern().Replace(blocks, string.Empty));
        var result = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            var block = WhitespacePattern().Replace(line, " ").Trim();
            if (block.Length == 0)
            {
                continue;
            }

            if (result.Length > 0)
            {
                result.Append(".!?:;,".Contains(result[^1], StringComparison.Ordinal) ? " " : "; ");
            }

            result.Append(block);
        }

        return result.Length == 0 ? null : result.ToString();
    }

    public static string? Join(string separator, IEnumerable<string?> parts)
    {
        var joined = string.Join(separator, parts.Where(p => !string.IsNullOrWhiteSpace(p)));
        return joined.Length == 0 ? null : joined;
    }

    public static string? NotBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string? FormatQuantity(Quantity? quantity)
    {
        if (quantity?.Value is not { } amount)
        {
            return null;
        }

        var comparator = Literal(quantity.Comparator);
        var unit = NotBlank(quantity.Unit) ?? NotBlank(quantity.Code);
        var number = amount.ToString(CultureInfo.InvariantCulture);
        return unit is null ? $"{comparator}{number}" : $"{comparator}{number} {unit}";
    }

    [GeneratedRegex(@"<br\s*/?>|</(?:p|li|tr|div|h[1-6]|dt|dd|table|ul|ol)\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEndPattern();

    [GeneratedRegex(@"</t[dh]\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex CellEndPattern();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespacePattern();
}
