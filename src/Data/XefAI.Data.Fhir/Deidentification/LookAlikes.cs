using System.Globalization;
using System.Text;

namespace XefAI.Data.Deidentification;

/// <summary>
/// Characters that read as ASCII letters, digits, hyphens or slashes to a person and a model but not to the scanner's
/// rules: full-width forms (<c>６１７－５５５－０１３４</c>), mathematical letters and digits (<c>𝐎𝐤𝐨𝐧𝐤𝐰𝐨</c>), the decimal
/// digits of other scripts (<c>٦١٧</c>), and the hyphens and slashes word processors write (<c>123‑45‑6789</c> with
/// non-breaking hyphens, <c>03⁄14⁄2024</c>). Folded by hand: the gateway runs with invariant globalization, where
/// <see cref="string.Normalize()"/> leaves a text as it is.
/// </summary>
internal static class LookAlikes
{
    private const int MathFirst = 0x1D400;
    private const int MathLettersEnd = 0x1D6A4;
    private const int MathDigitsFirst = 0x1D7CE;
    private const int MathLast = 0x1D7FF;

    /// <summary>Whether <paramref name="c"/>, a character of the Basic Multilingual Plane, is folded.</summary>
    public static bool Folds(char c) =>
        IsWide(c) || c is '\u2010' or '\u2011' or '\u2012' or '\u2212' or '\uFE63' or '\u2044' or '\u2215'
        || (c > '\u007F' && char.IsDigit(c));

    // Not the full-width quotation mark and backslash: folded inside a FHIR resource's JSON string, they would end it.
    private static bool IsWide(char c) => c is >= '\uFF01' and <= '\uFF5E' and not '\uFF02' and not '\uFF3C';

    /// <summary>Whether a high surrogate may start a mathematical letter or digit (U+1D400–U+1D7FF).</summary>
    public static bool IsMathematical(char high) => high == '\uD835';

    /// <summary>The text with every look-alike written as its ASCII character; other characters as they are.</summary>
    public static string Fold(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var folded = FoldMathematical(char.ConvertToUtf32(c, text[i + 1]));
                if (folded != '\0')
                {
                    builder.Append(folded);
                }
                else
                {
                    builder.Append(c).Append(text[i + 1]);
                }

                i++;
                continue;
            }

            builder.Append(FoldOne(c));
        }

        return builder.ToString();
    }

    private static char FoldOne(char c) => c switch
    {
        _ when IsWide(c) => (char)(c - 0xFEE0),
        '\u2010' or '\u2011' or '\u2012' or '\u2212' or '\uFE63' => '-',
        '\u2044' or '\u2215' => '/',
        > '\u007F' when CharUnicodeInfo.GetDecimalDigitValue(c) is >= 0 and <= 9 and var digit => (char)('0' + digit),
        _ => c,
    };

    /// <summary>
    /// A mathematical letter as its ASCII letter (13 styles of A–Z then a–z from U+1D400), or a mathematical digit as its
    /// digit (5 styles of 0–9 from U+1D7CE); '\0' for the Greek letters and symbols between, which stay as they are.
    /// </summary>
    private static char FoldMathematical(int codePoint)
    {
        if (codePoint is >= MathFirst and < MathLettersEnd)
        {
            var letter = (codePoint - MathFirst) % 52;
            return letter < 26 ? (char)('A' + letter) : (char)('a' + letter - 26);
        }

        return codePoint is >= MathDigitsFirst and <= MathLast ? (char)('0' + ((codePoint - MathDigitsFirst) % 10)) : '\0';
    }
}
