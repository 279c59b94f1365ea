using System.Text;

namespace XefAI.Data.Deidentification;

/// <summary>
/// Cyrillic and Greek letters drawn like Latin ones (Cyrillic <c>о е а р с</c>, Greek <c>ο ν ρ</c>), written inside a
/// Latin word: "Zеphyrine" with a Cyrillic <c>е</c> reads as the name to a person and a model but is no word the
/// scanner's lists or rules know. In a word that also holds an ASCII letter, each such letter is read as the Latin one
/// it is drawn like; a word of Cyrillic or Greek letters alone is that script's own word and is read as it is. Only the
/// scan reads the folded form: what is sent and restored is the text as written, less the values found.
/// </summary>
internal static class MixedScripts
{
    /// <summary>
    /// The text as the scanner reads it: mixed words folded (<see cref="FoldMixedWords"/>), the same length, each
    /// character where it was, so a span found in it is the same span of the text as written. The text itself when it
    /// holds no Greek or Cyrillic letter.
    /// </summary>
    public static string ForScanning(string text) =>
        text.AsSpan().IndexOfAnyInRange('\u0370', '\u052F') < 0 ? text : FoldMixedWords(text);

    /// <summary>Whether <paramref name="c"/> is a Cyrillic or Greek letter drawn like a Latin one.</summary>
    public static bool IsConfusable(char c) => c is >= '\u0370' and <= '\u052F' && Latin(c) != '\0';

    /// <summary>The text with the Cyrillic and Greek look-alikes of every mixed word written as Latin letters.</summary>
    public static string FoldMixedWords(string text)
    {
        StringBuilder? folded = null;
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetter(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            bool ascii = false, confusable = false;
            while (i < text.Length && char.IsLetter(text[i]))
            {
                ascii |= char.IsAsciiLetter(text[i]);
                confusable |= IsConfusable(text[i]);
                i++;
            }

            if (ascii && confusable)
            {
                folded ??= new StringBuilder(text);
                for (var k = start; k < i; k++)
                {
                    if (IsConfusable(text[k]))
                    {
                        folded[k] = Latin(text[k]);
                    }
                }
            }
        }

        return folded?.ToString() ?? text;
    }

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
