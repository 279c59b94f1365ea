using System.Buffers;
using System.Text;

namespace XefAI.Data.Deidentification;

/// <summary>
/// Cyrillic and Greek letters drawn like Latin ones (Cyrillic <c>о е а р с</c>, Greek <c>ο ν ρ</c>), written inside a
/// Latin word: "Zеphyrine" with a Cyrillic <c>е</c> reads as the name to a person and a model but is no word the
/// scanner's lists or rules know. In a word that also holds an ASCII letter, each such letter is read as the Latin one
/// it is drawn like; so are words made of look-alikes only ("Кау Сох" in Cyrillic) beside a Latin word, while Cyrillic
/// or Greek words of which one holds a letter drawn like no Latin one ("Сок и вода"), or that no Latin word stands
/// beside, are that script's own and are read as they are. Digits written small (<c>⁶¹⁷-⁵⁵⁵-⁰¹³⁴</c>) are read as digits where they start a number,
/// not as an exponent or a footnote after a letter or digit (<c>10⁹/L</c>, <c>m²</c>). Only the scan reads the folded
/// form: what is sent and restored is the text as written, less the values found.
/// </summary>
internal static class MixedScripts
{
    // Superscript and subscript digits: ⁰ ¹ ² ³ ⁴–⁹ and ₀–₉.
    private static readonly SearchValues<char> SmallDigits =
        SearchValues.Create("\u2070\u00B9\u00B2\u00B3\u2074\u2075\u2076\u2077\u2078\u2079\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089");

    /// <summary>
    /// The text as the scanner reads it: look-alike words and small digits folded (<see cref="FoldMixedWords"/>), the
    /// same length, each character where it was, so a span found in it is the same span of the text as written. The text
    /// itself when it holds no Greek or Cyrillic letter and no small digit.
    /// </summary>
    public static string ForScanning(string text)
    {
        // Most texts are ASCII (or Latin-1 letters): one vectorized pass says so.
        var span = text.AsSpan();
        var first = span.IndexOfAnyExceptInRange('\0', '\u00B1');
        if (first < 0)
        {
            return text;
        }

        span = span[first..];
        return span.IndexOfAnyInRange('\u0370', '\u052F') < 0 && span.IndexOfAny(SmallDigits) < 0 ? text : FoldMixedWords(text);
    }

    /// <summary>Whether <paramref name="c"/> is a Cyrillic or Greek letter drawn like a Latin one.</summary>
    public static bool IsConfusable(char c) => c is >= '\u0370' and <= '\u052F' && Latin(c) != '\0';

    /// <summary>
    /// The text with the Cyrillic and Greek look-alikes of every mixed word, and of every run of words of look-alikes alone
    /// beside a Latin word, written as Latin letters, and the small digits that start a number written as digits.
    /// </summary>
    public static string FoldMixedWords(string text)
    {
        StringBuilder? folded = null;

        // The words of Cyrillic or Greek letters alone since the last other word: a run that waits for the word after it,
        // folded when every letter of it is a look-alike and a Latin word stands on one side ("Кау Сох called").
        var previousLatin = false;
        int runStart = -1, runEnd = -1, runLetters = 0;
        bool runLooks = false, runAfterLatin = false;
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetter(text[i]))
            {
                if (SmallDigits.Contains(text[i]))
                {
                    FoldSmallDigits(text, ref i, ref folded);
                    continue;
                }

                i++;
                continue;
            }

            var start = i;
            bool ascii = false, confusable = false, script = false, other = false;
            while (i < text.Length && char.IsLetter(text[i]))
            {
                var c = text[i];
                ascii |= char.IsAsciiLetter(c);
                var isScript = c is >= '\u0370' and <= '\u052F';
                script |= isScript;
                if (isScript)
                {
                    var look = Latin(c) != '\0';
                    confusable |= look;
                    other |= !look;
                }
                else if (!char.IsAsciiLetter(c))
                {
                    other = true;
                }

                i++;
            }

            if (script && !ascii)
            {
                // A word of the run: it stays a disguise only while every letter is a look-alike.
                if (runStart < 0)
                {
                    runStart = start;
                    runLetters = 0;
                    runLooks = true;
                    runAfterLatin = previousLatin;
                }

                runEnd = i;
                runLetters += i - start;
                runLooks &= confusable && !other;
                previousLatin = false;
                continue;
            }

            if (runStart >= 0)
            {
                if (runLooks && runLetters >= 2 && (ascii || runAfterLatin))
                {
                    Fold(text, runStart, runEnd, ref folded);
                }

                runStart = -1;
            }

            if (ascii && confusable)
            {
                Fold(text, start, i, ref folded);
            }

            previousLatin = ascii;
        }

        // A run that ends the text, after a Latin word.
        if (runStart >= 0 && runLooks && runLetters >= 2 && runAfterLatin)
        {
            Fold(text, runStart, runEnd, ref folded);
        }

        return folded?.ToString() ?? text;
    }

    private static void Fold(string text, int start, int end, ref StringBuilder? folded)
    {
        folded ??= new StringBuilder(text);
        for (var k = start; k < end; k++)
        {
            if (IsConfusable(text[k]))
            {
                folded[k] = Latin(text[k]);
            }
        }
    }

    /// <summary>A run of small digits from <paramref name="i"/>: read as digits unless it follows a letter or a digit.</summary>
    private static void FoldSmallDigits(string text, ref int i, ref StringBuilder? folded)
    {
        var exponent = i > 0 && char.IsLetterOrDigit(text[i - 1]);
        while (i < text.Length && SmallDigits.Contains(text[i]))
        {
            if (!exponent)
            {
                folded ??= new StringBuilder(text);
                folded[i] = SmallDigit(text[i]);
            }

            i++;
        }
    }

    private static char SmallDigit(char c) => c switch
    {
        '\u00B9' => '1',
        '\u00B2' => '2',
        '\u00B3' => '3',
        >= '\u2080' => (char)('0' + (c - '\u2080')),
        _ => (char)('0' + (c - '\u2070')),
    };

    private static char Latin(char c) => c switch
    {
        // Cyrillic capitals and small letters.
        'А' => 'A', 'В' => 'B', 'Е' => 'E', 'К' => 'K', 'М' => 'M', 'Н' => 'H', 'О' => 'O', 'Р' => 'P', 'С' => 'C',
        'Т' => 'T', 'Х' => 'X', 'У' => 'Y', 'І' => 'I', 'Ј' => 'J', 'Ѕ' => 'S', 'Ԁ' => 'D', 'Ԛ' => 'Q', 'Ԝ' => 'W',
        'а' => 'a', 'е' => 'e', 'о' => 'o', 'р' => 'p', 'с' => 'c', 'у' => 'y', 'х' => 'x', 'і' => 'i', 'ј' => 'j',
        'ѕ' => 's', 'ԁ' => 'd', 'һ' => 'h', 'ӏ' => 'l', 'ԛ' => 'q', 'ԝ' => 'w',

        // Greek capitals and the small letters drawn like Latin ones.
        'Α' => 'A', 'Β' => 'B', 'Ε' => 'E', 'Ζ' => 'Z', 'Η' => 'H', 'Ι' => 'I', 'Κ' => 'K', 'Μ' => 'M', 'Ν' => 'N',
        'Ο' => 'O', 'Ρ' => 'P', 'Τ' => 'T', 'Υ' => 'Y', 'Χ' => 'X', 'ο' => 'o', 'ν' => 'v', 'ρ' => 'p', 'ι' => 'i',
        'κ' => 'k', 'υ' => 'u', 'α' => 'a',
        _ => '\0',
    };
}
