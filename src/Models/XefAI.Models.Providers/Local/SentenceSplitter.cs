using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;

namespace XefAI.Models.Providers.Local;

/// <summary>
/// Splits clinical free text into sentences. Notes are hard-wrapped and full of headings and lists, so
/// lines are first joined into units: a heading joins the line after it, the items of a list under a
/// heading become one unit, and wrapped lines are rejoined.
/// </summary>
internal static partial class SentenceSplitter
{
    private const int MaxHeadingWords = 6;

    private static readonly FrozenSet<string> Abbreviations = FrozenSet.ToFrozenSet(
        ["dr", "mr", "mrs", "ms", "st", "vs", "approx", "e.g", "i.e", "etc", "pt", "hx", "dx", "rx", "sx", "fig", "inc", "jr", "sr"],
        StringComparer.OrdinalIgnoreCase);

    public static IEnumerable<string> Split(string text)
    {
        foreach (var unit in Units(text))
        {
            foreach (var sentence in SplitUnit(unit))
            {
                yield return sentence;
            }
        }
    }

    private static List<string> Units(string text)
    {
        var units = new List<string>();
        var current = new StringBuilder();
        string? heading = null;
        var inHeadedList = false;

        foreach (var rawLine in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0)
            {
                Flush();
                heading = null;
                inHeadedList = false;
                continue;
            }

            var marker = ListMarker().Match(line);
            var isListItem = marker.Success && marker.Length < line.Length;
            if (isListItem)
            {
                line = line[marker.Length..];
            }

            if (!isListItem && IsHeading(line))
            {
                Flush();
                heading = line.TrimEnd(':').TrimEnd() + ":";
                inHeadedList = false;
                continue;
            }

            if (heading is not null)
            {
                Flush();
                current.Append(heading).Append(' ').Append(line);
                heading = null;
                inHeadedList = isListItem;
            }
            else if (isListItem && inHeadedList)
            {
                TrimEnd(current, ".;, ");
                current.Append("; ").Append(line);
            }
            else if (isListItem
                || current.Length == 0
                || EndsClause(current)
                || Label().IsMatch(line)
                || (inHeadedList && !char.IsWhiteSpace(rawLine[0])))
            {
                // An unindented plain line after a list starts new prose; an indented one continues the item.
                Flush();
                current.Append(line);
                inHeadedList = false;
            }
            else
            {
                current.Append(' ').Append(line);
            }
        }

        Flush();
        return units;

        void Flush()
        {
            if (current.Length > 0)
            {
                units.Add(current.ToString());
                current.Clear();
            }
        }
    }

    private static List<string> SplitUnit(string unit)
    {
        var sentences = new List<string>();
        var pending = new StringBuilder();
        var start = 0;
        foreach (var boundary in SentenceBoundary().EnumerateMatches(unit))
        {
            var piece = unit[start..boundary.Index];
            start = boundary.Index + boundary.Length;
            pending.Append(piece);

            // "Dr. Patel" and "J. Smith" end with a period but not a sentence.
            if (EndsWithAbbreviation(piece))
            {
                pending.Append(' ');
                continue;
            }

            if (Clean(pending.ToString()) is { } sentence)
            {
                sentences.Add(sentence);
            }

            pending.Clear();
        }

        pending.Append(unit.AsSpan(start));
        if (Clean(pending.ToString()) is { } last)
        {
            sentences.Add(last);
        }

        return sentences;
    }

    private static bool IsHeading(string line)
    {
        if (line.AsSpan().IndexOfAny(".!?") >= 0 || TextWords.Count(line) > MaxHeadingWords)
        {
            return false;
        }

        if (line.EndsWith(':'))
        {
            return true;
        }

        // "HOSPITAL COURSE" with no colon; digits rule out values such as "BP 150/90".
        var letters = 0;
        foreach (var c in line)
        {
            if (char.IsDigit(c) || char.IsLower(c) || c == ':')
            {
                return false;
            }

            letters += char.IsLetter(c) ? 1 : 0;
        }

        return letters >= 3;
    }

    private static bool EndsClause(StringBuilder text) => text[^1] is '.' or '!' or '?' or ':' or ';';

    private static bool EndsWithAbbreviation(string piece)
    {
        var lastSpace = piece.LastIndexOf(' ');
        var word = piece[(lastSpace + 1)..].TrimEnd('.').TrimStart('(', '"', '\'');
        return (word.Length == 1 && char.IsLetter(word[0])) || Abbreviations.Contains(word);
    }

    private static void TrimEnd(StringBuilder text, string characters)
    {
        while (text.Length > 0 && characters.Contains(text[^1], StringComparison.Ordinal))
        {
            text.Length--;
        }
    }

    private static string? Clean(string sentence)
    {
        var collapsed = Whitespace().Replace(sentence, " ").Trim();
        return collapsed.Any(char.IsLetterOrDigit) ? collapsed : null;
    }

    [GeneratedRegex(@"^(?:[-*•·▪]|\d{1,2}[.)])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex ListMarker();

    /// <summary>A "Label: value" line, e.g. <c>BP: 150/90</c>, which never continues the line before.</summary>
    [GeneratedRegex(@"^[\p{L}][\p{L}\p{N} /()&-]{0,30}:\s*\S", RegexOptions.CultureInvariant)]
    private static partial Regex Label();

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[""'(\[]?[\p{Lu}\p{N}])", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBoundary();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
