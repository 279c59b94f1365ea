namespace XefAI.Data.Deidentification;

/// <summary>
/// The values of a link's query written percent-encoded or with '+' for a space (<c>?name=John%20Smith</c>,
/// <c>&amp;name=John+Smith</c>): read back one character for one, so that the scanner finds the name or date in them
/// and its spans fit the text as written. Only a value after a key's '=' in a run that has a '?' or '&amp;' before it is
/// read back: "A1c 7.2%" and "2+ edema" are not in a query and stay as they are.
/// </summary>
internal static class EncodedQueries
{
    // How far back from a '%' or '+' a query's '=' and its '?' or '&' are looked for.
    private const int MaxBack = 256;

    /// <summary>Whether <paramref name="text"/> has a query value that <see cref="ReadBack"/> would change.</summary>
    public static bool Has(string text)
    {
        var span = text.AsSpan();
        for (var at = span.IndexOfAny('%', '+'); at >= 0; at = Next(span, at + 1))
        {
            if (Decoded(span, at, out _) && InQueryValue(span, at))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The text with each encoded space or separator in a query value written as itself and padded with spaces.</summary>
    public static string ReadBack(string text) => string.Create(text.Length, text, static (chars, text) =>
    {
        text.AsSpan().CopyTo(chars);
        var span = text.AsSpan();
        for (var at = span.IndexOfAny('%', '+'); at >= 0; at = Next(span, at + 1))
        {
            if (!Decoded(span, at, out var c) || !InQueryValue(span, at))
            {
                continue;
            }

            chars[at] = c;
            if (span[at] == '%')
            {
                chars[at + 1] = ' ';
                chars[at + 2] = ' ';
            }
        }
    });

    private static int Next(ReadOnlySpan<char> text, int from)
    {
        var found = from < text.Length ? text[from..].IndexOfAny('%', '+') : -1;
        return found < 0 ? -1 : from + found;
    }

    /// <summary>
    /// What the '+' or "%XX" at <paramref name="at"/> stands for, when it is a space or a separator between words (a
    /// letter, digit, apostrophe or '@' stays encoded: read back with padding it would split the word it is in).
    /// </summary>
    private static bool Decoded(ReadOnlySpan<char> text, int at, out char c)
    {
        c = ' ';
        if (text[at] == '+')
        {
            return true;
        }

        if (at + 2 >= text.Length || !char.IsAsciiHexDigit(text[at + 1]) || !char.IsAsciiHexDigit(text[at + 2]))
        {
            return false;
        }

        c = (char)((HexValue(text[at + 1]) << 4) | HexValue(text[at + 2]));
        if (c is '\t' or '\n' or '\r')
        {
            c = ' ';
        }

        return c is ' ' or ',' or ';' or ':' or '/' or '(' or ')' or '|';
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Whether <paramref name="at"/> lies in a value: after a key's '=', which comes after a '?' or '&amp;', with no white space between.</summary>
    private static bool InQueryValue(ReadOnlySpan<char> text, int at)
    {
        var keyed = false;
        for (var k = at - 1; k >= 0 && at - k <= MaxBack; k--)
        {
            var c = text[k];
            if (c is '&' or '?')
            {
                return keyed;
            }

            if (c == '=')
            {
                keyed = true;
            }
            else if (char.IsWhiteSpace(c) || c is '"' or '<' or '>' or '\'')
            {
                return false;
            }
        }

        return false;
    }
}
