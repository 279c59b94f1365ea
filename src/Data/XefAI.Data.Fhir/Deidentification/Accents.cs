namespace XefAI.Data.Deidentification;

/// <summary>
/// Latin letters without their accents, by hand: the gateway runs with invariant globalization, where
/// <see cref="string.Normalize()"/> neither decomposes "é" nor composes "e" and U+0301, so "Ramírez" was not found in the
/// name lists (written without accents) and a name written decomposed (NFD, as macOS and some exports write it) was not
/// read as a name at all.
/// </summary>
internal static class Accents
{
    private const char LatinFirst = '\u00C0';
    private const char AdditionalFirst = '\u1E00';

    // The base letter of each precomposed letter from U+00C0 to U+024F, and from U+1E00 to U+1EFF (Vietnamese among
    // them); ' ' where a letter has none (æ, ß, þ and the like are handled where they are used).
    private const string Latin =
        "AAAAAA CEEEEIIII NOOOOO OUUUUY  aaaaaa ceeeeiiii nooooo ouuuuy y" +
        "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi  JjKk LlLlLl " +
        " LlNnNnNn   OoOoOo  RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZz " +
        "                       I  l     Oo             Uu               " +
        "             AaIiOoUuUuUuUuUu AaAa    GgKkOoOo  j   Gg  NnAa    " +
        "AaAaEeEeIiIiOoOoRrRrUuUuSsTt  Hh      AaEeOoOoOoOoYy            " +
        "                ";

    private const string Additional =
        "AaBbBbBbCcDdDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMm" +
        "MmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuUuUuVvVv" +
        "WwWwWwWwWwXxXxYyZzZzZzhtwy      AaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEe" +
        "EeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy      ";

    /// <summary>The ASCII letter a Latin letter with accents is written on; '\0' for any other character.</summary>
    public static char BaseOf(char c)
    {
        var at = c - LatinFirst;
        if ((uint)at < (uint)Latin.Length)
        {
            return Latin[at] is var b && b != ' ' ? b : '\0';
        }

        at = c - AdditionalFirst;
        return (uint)at < (uint)Additional.Length && Additional[at] is var a && a != ' ' ? a : '\0';
    }

    /// <summary>Whether <see cref="Plain"/> would change the word: it holds an accented Latin letter or a combining mark.</summary>
    public static bool HasAccents(ReadOnlySpan<char> word) =>
        word.IndexOfAnyInRange('\u00C0', '\u024F') >= 0 || word.IndexOfAnyInRange('\u0300', '\u036F') >= 0 || word.IndexOfAnyInRange('\u1E00', '\u1EFF') >= 0;

    /// <summary>A combining diacritical mark (U+0300–U+036F): written after its letter in a decomposed text.</summary>
    public static bool IsMark(char c) => c is >= '\u0300' and <= '\u036F';

    /// <summary>The text without its combining diacritical marks; the text itself when it holds none.</summary>
    public static string WithoutMarks(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\u0300', '\u036F') < 0)
        {
            return text;
        }

        var marks = 0;
        foreach (var c in text)
        {
            marks += IsMark(c) ? 1 : 0;
        }

        return string.Create(text.Length - marks, text, static (chars, text) =>
        {
            var at = 0;
            foreach (var c in text)
            {
                if (!IsMark(c))
                {
                    chars[at++] = c;
                }
            }
        });
    }

    /// <summary>
    /// The word with every accented Latin letter written as its base letter and every combining mark left out ("Ramírez",
    /// "Rami\u0301rez": "Ramirez"); the word itself when it holds neither.
    /// </summary>
    public static string Plain(string word)
    {
        var first = word.AsSpan().IndexOfAnyExceptInRange('\0', '\u007F');
        if (first < 0)
        {
            return word;
        }

        var builder = new System.Text.StringBuilder(word.Length);
        builder.Append(word, 0, first);
        for (var i = first; i < word.Length; i++)
        {
            var c = word[i];
            if (IsMark(c))
            {
                continue;
            }

            builder.Append(BaseOf(c) is var b && b != '\0' ? b : c);
        }

        return builder.ToString();
    }
}
