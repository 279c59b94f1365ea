using System.Collections.Frozen;

namespace XefAI.Data.Deidentification;

/// <content>
/// Ages over 89 written without "year-old" ("Client is 91 and", "Strand, 97.", "Hargreaves (ninety last week", a table's
/// Age column), and words the name rules take that are no one's name (French and Portuguese greetings and function words,
/// weekday plurals, credentials and short capitals after a name's comma).
/// </content>
internal sealed partial class Scan
{
    // People that "is 91" can be said of: "Client is 91", "Mother was 94", "Resident is 90".
    private static readonly string[] AgeSubjects =
    [
        "patient", "pt", "client", "resident", "member", "veteran", "participant", "subject", "she", "he", "who", "mother", "father", "mom", "dad",
        "wife", "husband", "grandmother", "grandfather", "grandma", "grandpa", "aunt", "uncle", "sister", "brother", "spouse", "woman", "man",
        "lady", "gentleman", "decedent", "mum",
    ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> AgeSubjectWords =
        AgeSubjects.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    // Words that may follow an age ending its clause: "is 91 and lives alone", "(ninety last week".
    private static readonly string[] AfterAgeWords = ["and", "but", "now", "today", "yesterday", "last", "this", "next", "so", "yet", "when"];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> AfterAgeWordSet =
        AfterAgeWords.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    // Greetings and function words of French, Spanish and Portuguese letters, which the name lists hold as names.
    private static readonly string[] ForeignFunctionWords =
    [
        "bonjour", "bonsoir", "cher", "chere", "chère", "elle", "mari", "bien", "merci", "madame", "monsieur", "salut", "avec", "pour",
        "dans", "depuis", "mais", "sans", "hola", "buenos", "buenas", "querido", "querida", "estimado", "estimada", "gracias", "atentamente",
        "olá", "obrigado", "obrigada", "prezado", "prezada", "ela", "ele", "filha", "filho", "fille", "fils", "brasil",
    ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> ForeignWords =
        ForeignFunctionWords.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    // Nouns that make the capitalized word before them a maker or device ("Heidelberg Spectralis OCT", "Zeiss Cirrus").
    private static readonly string[] ImagingDeviceNouns = ["oct", "camera", "scanner", "laser", "microscope", "analyzer", "analyser", "ultrasound", "audiometer", "tonometer", "perimeter"];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> ImagingDevices =
        ImagingDeviceNouns.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Ages over 89 that their words alone do not tell: after a person and "is", after a name's comma or parenthesis, in an Age column.</summary>
    private void MarkGaps10Ages()
    {
        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            if (_t[i].Length is < 2 or > 3 || _run[i] != 0 || Value(i) is < 90 or > 119)
            {
                continue;
            }

            if ((EndsAgeClause(i + 1) && (IsSubjectIs(i) || IsAfterNamePunct(i))) || (IsTableCell(i) && IsInAgeColumn(i)))
            {
                Mark(i, i, PhiKind.Age);
            }
        }

        // "(ninety last week", "(ninety-one)": an age in words in parentheses right after a name.
        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if ((_lex[i] & Lex.WordRuleStart) == 0 || _run[i] != 0 || !IsPunct(i - 1, '(') || !IsNameAt(i - 2))
            {
                continue;
            }

            var end = AgeWordsEnd(i);
            if (end >= 0 && EndsAgeClause(end + 1) && !AnyMarked(i, end))
            {
                Mark(i, end, PhiKind.Age);
            }
        }
    }

    private bool IsNameAt(int i) => InRange(i) && _run[i] != 0 && _kind[i] == PhiKind.Name;

    /// <summary>What ends an age's clause: the text's or line's end, ',', '.', ';', ')', or a conjunction or time word.</summary>
    private bool EndsAgeClause(int n)
    {
        if (!InRange(n) || _t[n].Is(TokenShape.LineBefore))
        {
            return true;
        }

        if (IsPunct(n))
        {
            // Not "90.5", "90/60", "90%", "90-100".
            return (IsPunct(n, ',') || IsPunct(n, ';') || IsPunct(n, ')') || IsPunct(n, '.')) && !(Joined(n + 1) && InRange(n + 1) && _t[n + 1].Type != TokenType.Punct);
        }

        return IsWord(n) && _t[n].Is(TokenShape.Lower) && _t[n].Length <= 9 && AfterAgeWordSet.Contains(Span(n));
    }

    /// <summary>A number alone in a table's cell: between '|' or two spaces on each side (or the line's end).</summary>
    private bool IsTableCell(int i)
    {
        var start = _t[i].Start;
        var end = _t[i].End;
        var before = start >= 2 && ((_text[start - 1] == ' ' && _text[start - 2] is ' ' or '\t') || _text[start - 2] == '|' || _text[start - 1] is '|' or '\t');
        var after = end >= _text.Length || _text[end] is '\n' or '\r' or '\t' or '|'
            || (end + 1 < _text.Length && _text[end] == ' ' && _text[end + 1] is ' ' or '|' or '\n' or '\r');
        return before && after;
    }

    /// <summary>"Client is 91", "his mother was 94": a person's word, then "is" or "was", then the number.</summary>
    private bool IsSubjectIs(int i)
    {
        var b = i - 1;
        if (!(WordIs(b, "is") || WordIs(b, "was")) || !IsWord(b - 1) || _t[b].Is(TokenShape.LineBefore))
        {
            return false;
        }

        var s = b - 1;
        return IsNameAt(s) || (_t[s].Length <= 12 && AgeSubjectWords.Contains(Span(s)));
    }

    /// <summary>"Amelia Strand, 97." and "Hargreaves (91)": the number right after a name's comma or opening parenthesis.</summary>
    private bool IsAfterNamePunct(int i)
    {
        if (!(IsPunct(i - 1, ',') || IsPunct(i - 1, '(')))
        {
            return false;
        }

        var name = IsPunct(i - 2, ')') || IsPunct(i - 2, '"') ? i - 3 : i - 2;
        return IsNameAt(name);
    }

    /// <summary>
    /// A number under a table's "Age" heading: the heading within the twelve lines above holds "Age" over the number's
    /// characters (a column aligned by spaces) or in the same cell (a table divided by '|').
    /// </summary>
    private bool IsInAgeColumn(int i)
    {
        var lineStart = LineStartOf(i, 60);
        if (lineStart < 0)
        {
            return false;
        }

        var column = _t[i].Start - LineOffset(lineStart);
        var cell = CellsBefore(lineStart, i);
        var row = lineStart;
        for (var lines = 0; lines < 12 && row > 0; lines++)
        {
            var above = LineStartOf(row - 1, 60);
            if (above < 0)
            {
                return false;
            }

            for (var k = above; k < row; k++)
            {
                if (_t[k].Length == 3 && WordIs(k, "age") && !_t[k].Is(TokenShape.Lower))
                {
                    var at = _t[k].Start - LineOffset(above);
                    var aligned = cell > 0 ? CellsBefore(above, k) == cell : at <= column + _t[i].Length && column <= at + 3;
                    return aligned;
                }
            }

            row = above;
        }

        return false;
    }

    /// <summary>The first token of the line holding <paramref name="i"/>, looking back at most <paramref name="within"/> tokens; -1 when farther.</summary>
    private int LineStartOf(int i, int within)
    {
        for (var k = i; k >= 0 && k >= i - within; k--)
        {
            if (k == 0 || _t[k].Is(TokenShape.LineBefore))
            {
                return k;
            }
        }

        return -1;
    }

    /// <summary>Where the line of token <paramref name="first"/> starts in the text.</summary>
    private int LineOffset(int first)
    {
        var s = _t[first].Start;
        while (s > 0 && _text[s - 1] != '\n')
        {
            s--;
        }

        return s;
    }

    private int CellsBefore(int from, int to)
    {
        var cells = 0;
        for (var k = from; k < to; k++)
        {
            cells += IsPunct(k, '|') ? 1 : 0;
        }

        return cells;
    }

    /// <summary>
    /// Words the name rules took that are no one's name: a French, Spanish or Portuguese greeting or function word, a
    /// weekday's plural ("Saturdays"), a maker before an imaging device ("Heidelberg Spectralis OCT"), and a credential or
    /// short capitals after a name's comma ("Ó Súilleabháin MICGP, IMC No.").
    /// </summary>
    private bool IsFalseName10(int i)
    {
        if (_kind[i] != PhiKind.Name || _t[i].Type != TokenType.Word || _t[i].Length > 12)
        {
            return false;
        }

        var span = Span(i);
        // Lower case ("son mari Armand"), or capitalized before no other capitalized word ("Bonjour,", "Elle vit seule").
        if (ForeignWords.Contains(span) && !Has(WordBefore(i, 2), Lex.Title)
            && (_t[i].Is(TokenShape.Lower) || !(IsCapitalized(i + 1) && IsWord(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore))))
        {
            return true;
        }

        // "Saturdays", "Mondays": a weekday and its plural 's'.
        if (span.Length > 6 && (span[^1] is 's' or 'S') && (_lexicon.Of(span[..^1]) & Lex.Weekday) != 0)
        {
            return true;
        }

        // "Heidelberg Spectralis OCT": capitalized words before an imaging device's noun (not "Dr. Lee OCT").
        for (var n = i + 1; n <= i + 2 && !Has(WordBefore(i, 2), Lex.Title) && IsWord(n) && !_t[n].Is(TokenShape.LineBefore); n++)
        {
            if (_t[n].Length <= 12 && ImagingDevices.Contains(Span(n)))
            {
                return true;
            }

            if (!IsCapitalized(n))
            {
                break;
            }
        }

        return false;
    }
}
