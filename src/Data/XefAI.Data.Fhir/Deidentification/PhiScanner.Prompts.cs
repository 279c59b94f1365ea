using System.Collections.Frozen;

namespace XefAI.Data.Deidentification;

/// <content>
/// What prompts and lower-case text need: English function words that the surname lists also hold ("On", "Been", "No")
/// are never a name's neighbour nor the first word after a speaker's label; a surname and initial joined by underscores
/// in a file name ("ybarra_j_2026-11-06_sacrum.jpg") is a name.
/// </content>
internal sealed partial class Scan
{
    // Closed-class words (pronouns, articles, prepositions, auxiliaries, answers). Words that are also common given names
    // ("Will", "May", "An", "Do") are left out: they are decided by the other rules.
    private static readonly FrozenSet<string> FunctionWords = new[]
    {
        "i", "me", "my", "we", "us", "our", "you", "your", "he", "she", "his", "her", "him", "they", "them", "their", "it", "its",
        "this", "that", "these", "those", "the", "a", "and", "or", "but", "if", "so", "no", "not", "yes", "ok", "okay", "on",
        "in", "at", "of", "to", "for", "by", "with", "from", "into", "onto", "upon", "been", "be", "being", "is", "are", "was",
        "were", "am", "has", "have", "had", "does", "did", "can", "could", "would", "should", "just", "also", "still", "then",
        "than", "there", "here", "what", "when", "where", "which", "who", "why", "how", "since", "about", "after", "before",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> FunctionWordLookup = FunctionWords.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Token <paramref name="i"/> is an English function word ("on", "been", "No", "I"), never a name alone.</summary>
    private bool IsFunctionWord(int i) => IsWord(i) && _t[i].Length <= 6 && FunctionWordLookup.Contains(Span(i));

    /// <summary>
    /// "Mrs Lorraine Baptiste-Moreau (lorraine), 90, came up from": an age over 89 set between commas right after a
    /// person's name (or the nickname in parentheses after it). Runs after the names are marked.
    /// </summary>
    private void MarkAgesAfterNames()
    {
        for (var n = 0; n < _numberCount && _numbers[n] + 1 < Count; n++)
        {
            var i = _numbers[n];
            if (i < 2 || _t[i].Type != TokenType.Number || _t[i].Length is < 2 or > 3 || _run[i] != 0 || !IsPunct(i - 1, ',') || !IsPunct(i + 1, ',')
                || Value(i) is < 90 or > 130)
            {
                continue;
            }

            var name = IsPunct(i - 2, ')') ? i - 3 : i - 2;
            if (IsWord(name) && _run[name] != 0 && _kind[name] == PhiKind.Name)
            {
                Mark(i, i, PhiKind.Age);
            }
        }
    }

    /// <summary>
    /// At an underscore: "ybarra_j_2026-11-06", "BWX_ferraro_b_20261203": a word and a single letter joined by underscores
    /// and followed by a number, as a photo log or an image file names its patient, are a surname and an initial.
    /// </summary>
    private bool TryUnderscoredName(int i)
    {
        if (_text[_t[i].Start] != '_' || !Joined(i) || !IsWord(i - 1) || !IsFree(i - 1) || _t[i - 1].Length < 2 || !IsWord(i + 1) || !Joined(i + 1)
            || _t[i + 1].Length != 1 || !IsPunct(i + 2, '_') || !Joined(i + 2) || !IsNumber(i + 3) || !Joined(i + 3))
        {
            return false;
        }

        // The word starts the file name or follows another part of it ("BWX_"); it is no clinical or ordinary word.
        if ((InRange(i - 2) && Joined(i - 1) && !IsPunct(i - 2, '_')) || (L(i - 1) & (Lex.Common | Lex.Clinical | Lex.MeasureUnit)) != 0)
        {
            return false;
        }

        Mark(i - 1, i + 1, PhiKind.Name);
        return true;
    }
}
