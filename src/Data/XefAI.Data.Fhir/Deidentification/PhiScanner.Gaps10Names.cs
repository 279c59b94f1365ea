using System.Collections.Frozen;

namespace XefAI.Data.Deidentification;

/// <content>
/// Round 10 of the gaps, each rule in a method of its own: ages over 89 written without "year-old" ("Client is 91 and",
/// "Strand, 97.", "Hargreaves (ninety last week", a table's Age column); dates in partial and spoken forms ("the fourth of
/// March", "late April", "since 3rd", "on 12/14", "14NOV2026"); names told by what stands around them ("SZYMANSKA, ALICJA"
/// beside a row's identifiers, "clerk Bill", "Faith O. Mbeki", "ST. GERMAIN"); and words the name rules take that are no
/// one's name (French and Portuguese greetings and function words, weekday plurals, credentials, animals' names).
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

    // For each first letter a-z, the lengths (bit n: n letters) of a list's words: a word that fails it is in no list, without hashing.
    private static readonly ulong[] ForeignWordShapes = Shapes(ForeignFunctionWords);
    private static readonly ulong[] ImagingDeviceShapes = Shapes(ImagingDeviceNouns);

    private static ulong[] Shapes(string[] words)
    {
        var shapes = new ulong[27];
        foreach (var word in words)
        {
            var c = char.ToLowerInvariant(word[0]);
            shapes[c is >= 'a' and <= 'z' ? c - 'a' : 26] |= 1UL << Math.Min(word.Length, 63);
        }

        return shapes;
    }

    private static bool MayBeIn(ulong[] shapes, ReadOnlySpan<char> word)
    {
        var c = (char)(word[0] | 0x20);
        return ((shapes[c is >= 'a' and <= 'z' ? c - 'a' : 26] >> Math.Min(word.Length, 63)) & 1) != 0;
    }

    /// <summary>Ages over 89 that their words alone do not tell: after a person and "is", after a name's comma or parenthesis, in an Age column.</summary>
    private void MarkGaps10Ages()
    {
        _ageHeading = 0;
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
    }

    /// <summary>"(ninety last week", "(ninety-one)": an age in words in parentheses right after a name (tried from the dates' pass over words).</summary>
    private void TryAgeWordsAfterName(int i)
    {
        if (_run[i] != 0 || !IsNameAt(i - 2))
        {
            return;
        }

        var end = AgeWordsEnd(i);
        if (end >= 0 && EndsAgeClause(end + 1) && !AnyMarked(i, end))
        {
            Mark(i, end, PhiKind.Age);
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
        // Once per scan, at the first number that could be in one: whether any heading word "Age" is written at all.
        if (_ageHeading == 0)
        {
            _ageHeading = 2;
            for (var c = 0; c < _capCount; c++)
            {
                if (_t[_caps[c]].Length == 3 && WordIs(_caps[c], "age"))
                {
                    _ageHeading = 1;
                    break;
                }
            }
        }

        var lineStart = _ageHeading == 1 ? LineStartOf(i, 60) : -1;
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
        if (_kind[i] != PhiKind.Name || _t[i].Type != TokenType.Word || _t[i].Length > 16)
        {
            return false;
        }

        // A name the call's records give a person ("Oscar Obstetrician" in a FHIR Practitioner) stays one, whatever it looks like.
        var span = Span(i);
        if (_known.IsName(span))
        {
            return false;
        }

        // "Consultant Rheumatologist", "Paediatrician": a specialist's title.
        if (span.Length > 8 && !_t[i].Is(TokenShape.Lower) && (span.EndsWith("ologist", StringComparison.OrdinalIgnoreCase) || span.EndsWith("iatrist", StringComparison.OrdinalIgnoreCase)
            || span.EndsWith("ician", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        if (span.Length > 12)
        {
            return false;
        }
        // Lower case ("son mari Armand"), or capitalized before no other capitalized word ("Bonjour,", "Elle vit seule"): alone in its run.
        var alone = RunStart(i) == i && RunEnd(i) == i;
        if (alone && span.Length <= 11 && MayBeIn(ForeignWordShapes, span) && ForeignWords.Contains(span) && !Has(WordBefore(i, 2), Lex.Title)
            && (_t[i].Is(TokenShape.Lower) || !(IsCapitalized(i + 1) && IsWord(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore))))
        {
            return true;
        }

        // "Saturdays", "Mondays": a weekday and its plural 's'.
        if (span.Length is > 6 and <= 10 && span.EndsWith("days", StringComparison.OrdinalIgnoreCase) && (_lexicon.Of(span[..^1]) & Lex.Weekday) != 0)
        {
            return true;
        }

        if (IsCredentialOrLicenceCue(i) || IsAnimalName(i))
        {
            return true;
        }

        // "Nurse on Duty", "Doctor on Call": a capitalized word after "on" and a role.
        if (WordIs(i - 1, "on") && (Has(i - 2, Lex.NameLabel) || Has(i - 2, Lex.Title)) && _t[i].Is(TokenShape.Capitalized) && RunStart(i) == i && RunEnd(i) == i)
        {
            return true;
        }

        // "| Rad Onc: Whetu": a short first word of a label before its colon, at a line's or cell's start.
        if (_t[i].Length <= 4 && RunStart(i) == i && RunEnd(i) == i && IsWord(i + 1) && IsFree(i + 1) && _t[i + 1].Length <= 5 && IsPunct(i + 2, ':') && Joined(i + 2)
            && (StartsLine(i) || IsPunct(i - 1, '|') || IsPunct(i - 1, ';')))
        {
            return true;
        }

        // "Heidelberg Spectralis OCT": capitalized words before an imaging device's noun (not "Dr. Lee OCT").
        for (var n = i + 1; n <= i + 2 && IsWord(n) && !_t[n].Is(TokenShape.LineBefore); n++)
        {
            if (_t[n].Length is >= 3 and <= 10 && _run[n] != _run[i] && MayBeIn(ImagingDeviceShapes, Span(n)) && ImagingDevices.Contains(Span(n)))
            {
                return !Has(WordBefore(i, 2), Lex.Title);
            }

            if (!IsCapitalized(n))
            {
                break;
            }
        }

        return false;
    }

    // Words before a day and month without a year that make them a date ("on 12/14", "since 3rd", "I&D held 27/11").
    private static readonly string[] DayMonthCues =
    [
        "on", "since", "from", "dated", "due", "until", "till", "by", "after", "before", "starting", "effective", "thru", "through", "held",
        "done", "performed", "seen", "admitted", "discharged", "started", "stopped", "given", "booked", "scheduled", "between",
    ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> DayMonthCueWords =
        DayMonthCues.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    // Words before a fraction that make it a count or score, not a date ("Goals met: 3/7", "scored 4/5").
    private static readonly string[] CountBeforeFraction =
        ["met", "goals", "goal", "scored", "achieved", "correct", "recalled", "items", "criteria"];

    // Nouns an ordinal counts, which make "the 3rd" no day ("the 3rd floor", "the 4th dose", "the 2nd time").
    private static readonly string[] CountedNouns =
    [
        "floor", "dose", "doses", "time", "times", "visit", "cycle", "round", "grade", "percentile", "toe", "finger", "rib", "ventricle", "nerve",
        "attempt", "trimester", "degree", "pregnancy", "child", "session", "infusion", "injection", "admission", "fraction", "stage", "digit",
        "intercostal", "line", "week", "day", "month", "year", "decade", "episode", "course", "treatment", "vaccine", "shot", "booster", "postoperative",
    ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> CountedNounWords =
        CountedNouns.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> CountWords =
        CountBeforeFraction.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Dates in the partial and spoken forms notes use: "the fourth of March", "late April", "mid-January", "3rd December",
    /// "since 3rd", "the 19th", "on 12/14", "held 27/11", "14NOV2026"; and a count taken for a date taken back ("Goals met: 3/7").
    /// </summary>
    private void MarkGaps10Dates()
    {
        for (var w = 0; w < _letteredCount; w++)
        {
            var i = _lettered[w];
            if (_t[i].Type == TokenType.Alnum)
            {
                if (char.IsAsciiDigit(_text[_t[i].Start]))
                {
                    _ = TryCompactDayMonthYear(i) || TryOrdinalDay(i);
                }

                continue;
            }

            var lex = _lex[i];
            if ((lex & (Lex.Month | Lex.MonthAbbreviation)) != 0 && _run[i] != 0 && _kind[i] == PhiKind.Date)
            {
                ExtendMonthDate(i);
            }
            else if ((lex & Lex.WordRuleStart) != 0 && IsPunct(i - 1, '('))
            {
                TryAgeWordsAfterName(i);
            }
        }

        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            if (_t[i].Length <= 2 && IsPunct(i + 1, '/') && Joined(i + 1) && IsNumber(i + 2, 1, 2) && Joined(i + 2) && !(IsPunct(i + 3) && Joined(i + 3) && !IsPunct(i + 3, ',') && !IsPunct(i + 3, '.') && !IsPunct(i + 3, ';') && !IsPunct(i + 3, ')'))
                && !(Joined(i) && IsPunct(i - 1) && !IsPunct(i - 1, '(')))
            {
                DayMonthFraction(i);
            }
        }
    }

    /// <summary>"14NOV2026", "3Mar26": a day, a month's abbreviation and a year in one token.</summary>
    private bool TryCompactDayMonthYear(int i)
    {
        var span = Span(i);
        if (span.Length is < 7 or > 9)
        {
            return false;
        }

        var d = char.IsAsciiDigit(span[1]) ? 2 : 1;
        var rest = span[d..];
        if (rest.Length is not (5 or 7) || !char.IsAsciiLetter(rest[0]) || !char.IsAsciiLetter(rest[2]) || !char.IsAsciiDigit(rest[3]) || int.Parse(span[..d]) is < 1 or > 31)
        {
            return false;
        }

        foreach (var c in rest[3..])
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        if ((_lexicon.Of(rest[..3]) & Lex.MonthAbbreviation) == 0 && !rest[..3].Equals("may", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (_run[i] != 0 && !(_kind[i] == PhiKind.Id && (i == 0 || _run[i - 1] != _run[i]) && (i + 1 == Count || _run[i + 1] != _run[i])))
        {
            return false;
        }

        Mark(i, i, PhiKind.Date);
        return true;
    }

    /// <summary>"3rd December" (the day before a marked month), "since 3rd", "the 19th" (a day alone after its cue, counting no noun).</summary>
    private bool TryOrdinalDay(int i)
    {
        if (!IsOrdinalDay(i))
        {
            return false;
        }

        // "on the 3rd floor", "the 4th dose": a day alone taken before a lower-case noun it counts is taken back.
        if (_run[i] != 0)
        {
            if (_kind[i] == PhiKind.Date && RunStart(i) == i && RunEnd(i) == i && WordIs(i - 1, "the") && IsWord(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore)
                && _run[i + 1] == 0 && _t[i + 1].Length <= 14 && CountedNounWords.Contains(Span(i + 1)))
            {
                _run[i] = 0;
            }

            return false;
        }

        var month = i + 1;
        if (IsWord(month) && !_t[month].Is(TokenShape.LineBefore) && _run[month] != 0 && _kind[month] == PhiKind.Date && Has(month, Lex.Month | Lex.MonthAbbreviation))
        {
            Mark(i, RunEnd(month), PhiKind.Date);
            return true;
        }

        var b = i - 1;
        var cued = IsWord(b) && (WordIs(b, "the") || WordIs(b, "since") || WordIs(b, "on") || WordIs(b, "until") || WordIs(b, "by") || WordIs(b, "from"));
        if (!cued || (WordIs(b, "the") && IsWord(b - 1) && (WordIs(b - 1, "of") || WordIs(b - 1, "for") || WordIs(b - 1, "in"))))
        {
            return false;
        }

        // "the 3rd floor", "the 4th dose": an ordinal that counts a noun is not a day.
        var n = i + 1;
        if (InRange(n) && !_t[n].Is(TokenShape.LineBefore) && IsWord(n) && !(WordIs(n, "and") || WordIs(n, "at") || WordIs(n, "of") || WordIs(n, "or") || WordIs(n, "to")))
        {
            return false;
        }

        if (IsPunct(n, '-') || IsPunct(n, '/') || (IsPunct(n, '.') && Joined(n + 1) && InRange(n + 1) && _t[n + 1].Type != TokenType.Punct))
        {
            return false;
        }

        Mark(i, i, PhiKind.Date);
        return true;
    }

    private bool IsOrdinalDay(int i)
    {
        var span = Span(i);
        if (span.Length is < 3 or > 4 || !char.IsAsciiDigit(span[0]))
        {
            return false;
        }

        var d = char.IsAsciiDigit(span[1]) ? 2 : 1;
        if (span.Length != d + 2)
        {
            return false;
        }

        var day = int.Parse(span[..d]);
        var suffix = span[d..];
        var last = day % 10;
        var teen = day is >= 11 and <= 13;
        var expected = teen || last is 0 or >= 4 ? "th" : last == 1 ? "st" : last == 2 ? "nd" : "rd";
        return day is >= 1 and <= 31 && suffix.Equals(expected, StringComparison.OrdinalIgnoreCase);
    }

    private int RunEnd(int i)
    {
        var end = i;
        while (end + 1 < Count && _run[end + 1] == _run[i])
        {
            end++;
        }

        return end;
    }

    private int RunStart(int i)
    {
        var start = i;
        while (start > 0 && _run[start - 1] == _run[i])
        {
            start--;
        }

        return start;
    }

    /// <summary>
    /// A marked month's date grown to the words before it that belong to it: "the fourth of March", "late April",
    /// "mid-January", "early May".
    /// </summary>
    private void ExtendMonthDate(int i)
    {
        var start = RunStart(i);
        if (start != i)
        {
            return;
        }

        var end = RunEnd(i);
        var p = i - 1;

        // "late April", "mid-January", "early in March" is left.
        if (IsPunct(p, '-') && Joined(i) && Joined(p) && WordIs(p - 1, "mid") && IsFree(p - 1))
        {
            Mark(p - 1, end, PhiKind.Date);
            return;
        }

        if ((WordIs(p, "late") || WordIs(p, "early") || WordIs(p, "mid")) && IsFree(p) && !_t[i].Is(TokenShape.LineBefore))
        {
            Mark(p, end, PhiKind.Date);
            return;
        }

        // "the fourth of March", "the 4th of March", "fourth of March": the day (marked or not) and "of" before the month.
        if (!WordIs(p, "of") || !IsFree(p) || _t[i].Is(TokenShape.LineBefore))
        {
            return;
        }

        var day = p - 1;
        int from;
        if (InRange(day) && _t[day].Type == TokenType.Alnum && IsOrdinalDay(day))
        {
            from = day;
        }
        else if (IsWord(day) && (IsWordOf(day, SpokenUnitOrdinals) || IsWordOf(day, SpokenLargeOrdinals)))
        {
            from = IsPunct(day - 1, '-') && Joined(day) && IsWordOf(day - 2, SpokenTens) ? day - 2 : day;
        }
        else
        {
            return;
        }

        if ((_run[from] != 0 && _kind[from] != PhiKind.Date) || (from != day && !IsFree(from)))
        {
            return;
        }

        if (WordIs(from - 1, "the") && IsFree(from - 1))
        {
            from--;
        }

        Mark(from, end, PhiKind.Date);
    }

    /// <summary>"on 12/14", "held 27/11": a day and month without a year after a word that dates; "Goals met: 3/7" taken back.</summary>
    private void DayMonthFraction(int i)
    {
        var a = Value(i);
        var b = Value(i + 2);
        var p = WordBefore(i, 2);
        if (_run[i] != 0)
        {
            // A count taken for a date: "Goals met: 3/7", "scored 4/5".
            if (_kind[i] == PhiKind.Date && _run[i + 2] == _run[i] && RunStart(i) == i && RunEnd(i) == i + 2 && a <= b && p >= 0 && _t[p].Length <= 9
                && CountWords.Contains(Span(p)))
            {
                for (var k = i; k <= i + 2; k++)
                {
                    _run[k] = 0;
                }
            }

            return;
        }

        if (_run[i + 2] != 0 || a < 1 || b < 1 || a > 31 || b > 31 || (a > 12 && b > 12) || p < 0)
        {
            return;
        }

        // Not a dose or a part: "on 1/2 tab", "3/4 of the dose", "1/3".
        if ((a < b && b <= 4) || (IsWord(i + 3) && !_t[i + 3].Is(TokenShape.LineBefore) && (Has(i + 3, Lex.MeasureUnit) || WordIs(i + 3, "of"))))
        {
            return;
        }

        // "the week of 12/14"; otherwise no ratio's or unit's word ("out of 12/14", "BP 90/60").
        var weekOf = WordIs(p, "of") && p == i - 1 && (WordIs(p - 1, "week") || WordIs(p - 1, "weekend"));
        if (!weekOf && Has(p, Lex.RatioCue | Lex.MeasureUnit))
        {
            return;
        }

        // A cue word right before: "on 12/14", "week of 12/14", "held 27/11".
        if (weekOf || (_t[p].Length <= 10 && DayMonthCueWords.Contains(Span(p)) && p == i - 1))
        {
            Mark(i, i + 2, PhiKind.Date);
        }
    }

    // Staff roles written before or after a first name that is also a word ("clerk Bill", "Bill (unit clerk)", "Grace (the daughter)").
    private static readonly string[] StaffRoles =
    [
        "clerk", "secretary", "receptionist", "scheduler", "transporter", "tech", "technician", "aide", "sitter", "scribe", "volunteer", "chaplain",
        "interpreter", "runner", "housekeeper", "driver", "caller", "handler", "charge", "rn", "lpn", "cna", "np", "pa", "ma", "coordinator",
    ];

    private static readonly ulong[] StaffRoleShapes = Shapes(StaffRoles);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> StaffRoleWords =
        StaffRoles.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    // Words that make a quoted name an animal's ("Dog: "Buddy"", "their cat "Mittens"").
    private static readonly string[] AnimalWords = ["dog", "dogs", "cat", "cats", "puppy", "kitten", "pet", "animal", "horse", "canine"];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> AnimalWordSet =
        AnimalWords.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    // Words before a quoted nickname ("caller "Bunny"", "aka "Cora"", "goes by "Tiny"").
    private static readonly string[] NicknameCues = ["caller", "aka", "a.k.a", "nicknamed", "nickname", "by", "called", "known"];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> NicknameCueWords =
        NicknameCues.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private const Lex NotAGivenName = Lex.Month | Lex.Weekday | Lex.State | Lex.Title | Lex.Credential | Lex.Facility | Lex.Holiday | Lex.Direction
        | Lex.MeasureUnit | Lex.IdentifierCue | Lex.NameLabel | Lex.Relation | Lex.Salutation | Lex.SignOff | Lex.DateCue | Lex.PlaceCue
        | Lex.UnitDesignator | Lex.Clinical | Lex.StreetSuffix;

    /// <summary>
    /// Names the lists and cues left, told by what stands around them: a row's "SURNAME, GIVEN" in capitals next to its
    /// identifiers, a first name before an initial and a found surname ("Faith O. Mbeki"), a first name beside its role
    /// ("clerk Bill", "Grace (the daughter)"), a quoted nickname after "caller" or before its relation, a second given name
    /// between found names, and "ST. GERMAIN" after a found first name.
    /// </summary>
    private void MarkGaps10Names()
    {
        _petCount = 0;
        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            if (NotePet(i))
            {
                continue;
            }

            if (_run[i] != 0)
            {
                if (_kind[i] == PhiKind.Name)
                {
                    TrySaintSurname(i);
                }

                continue;
            }

            // Each rule only where its first test can pass: most capitalized words are tried by none.
            var prevPunct = i > 0 && _t[i - 1].Type == TokenType.Punct;
            _ = (_t[i].Is(TokenShape.Upper) && TryCapitalsRowName(i))
                || (IsWord(i + 1) && _t[i + 1].Length == 1 && TryGivenBeforeInitial(i))
                || ((L(i) & Lex.FirstName) != 0 && TryNameBesideRole(i))
                || (prevPunct && (TryCuedQuotedNickname(i) || TryKeyedQuotedName(i)))
                || ((prevPunct || IsNameAt(i - 1)) && TryMiddleGivenName(i))
                || TryNameAfterShortRelation(i);
        }
    }

    /// <summary>"SZYMANSKA, ALICJA / 00461077", "C26-339377  AL-FARSI, NOOR": capitals, a comma and capitals beside a marked identifier.</summary>
    private bool TryCapitalsRowName(int i)
    {
        // Not a credential's list after a name ("Guerrero, RN, CCDS").
        if (!_t[i].Is(TokenShape.Upper) || _t[i].Length < 2 || (IsPunct(i - 1, '-') && Joined(i)) || IsPunct(i - 1, ',') || IsNameAt(i - 1))
        {
            return false;
        }

        // The surname, perhaps hyphenated ("AL-FARSI").
        var last = i;
        if (IsPunct(i + 1, '-') && Joined(i + 1) && Joined(i + 2) && IsWord(i + 2) && _t[i + 2].Is(TokenShape.Upper) && IsFree(i + 2))
        {
            last = i + 2;
        }

        var comma = last + 1;
        var given = comma + 1;
        if (!IsPunct(comma, ',') || !Joined(comma) || !IsWord(given) || !_t[given].Is(TokenShape.Upper) || _t[given].Length < 2 || !IsFree(given)
            || _t[given].Is(TokenShape.LineBefore) || _t[i].Is(TokenShape.OtherScript))
        {
            return false;
        }

        var end = given;
        if (IsWord(end + 1) && _t[end + 1].Is(TokenShape.Upper) && IsFree(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore) && _t[end + 1].Length <= 12)
        {
            end++;
        }

        for (var k = i; k <= end; k++)
        {
            if (IsWord(k) && ((L(k) & (Lex.Credential | Lex.Title | Lex.NameLabel)) != 0
                || (_t[k].Length > 2 && (L(k) & (Lex.Common | Lex.Clinical | Lex.MeasureUnit | Lex.Month | Lex.Weekday | Lex.Facility)) != 0)))
            {
                return false;
            }
        }

        if (!(IdentifierNear(end + 1, 1) || IdentifierNear(i - 1, -1)))
        {
            return false;
        }

        Mark(i, last, PhiKind.Name);
        Mark(given, end, PhiKind.Name);
        return true;
    }

    /// <summary>A marked MRN, ID, date or account within three tokens from <paramref name="k"/> in direction <paramref name="step"/>, on the line.</summary>
    private bool IdentifierNear(int k, int step)
    {
        for (var n = 0; n < 3 && InRange(k); n++, k += step)
        {
            if (step > 0 && _t[k].Is(TokenShape.LineBefore))
            {
                return false;
            }

            if (_run[k] != 0)
            {
                return _kind[k] is PhiKind.Mrn or PhiKind.Id or PhiKind.Date or PhiKind.Account;
            }

            if (!IsPunct(k) || (step < 0 && _t[k].Is(TokenShape.LineBefore)))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>"Faith O. Mbeki": a listed first name, an initial and its full stop, then a found surname.</summary>
    private bool TryGivenBeforeInitial(int i)
    {
        if (!_t[i].Is(TokenShape.Capitalized) || !IsWord(i + 1) || _t[i + 1].Length != 1 || !IsPunct(i + 2, '.') || !IsNameAt(i + 3)
            || !(IsFree(i + 1) || IsNameAt(i + 1)) || _t[i + 1].Is(TokenShape.LineBefore) || _t[i + 3].Is(TokenShape.LineBefore) || (L(i) & Lex.FirstName) == 0 || (L(i) & NotAGivenName) != 0
            || IsLowerCommonWord(i))
        {
            return false;
        }

        Mark(i, i + 2, PhiKind.Name);
        return true;
    }

    /// <summary>"clerk Bill", "Bill (unit clerk)", "Grace (the daughter)": a listed first name beside a role or relation.</summary>
    private bool TryNameBesideRole(int i)
    {
        if (!_t[i].Is(TokenShape.Capitalized) || _t[i].Length < 3 || (L(i) & Lex.FirstName) == 0 || (L(i) & NotAGivenName) != 0 || IsLowerCommonWord(i))
        {
            return false;
        }

        var b = i - 1;
        var before = IsWord(b) && _t[b].Is(TokenShape.Lower) && !_t[i].Is(TokenShape.LineBefore) && _t[b].Length <= 12 && MayBeIn(StaffRoleShapes, Span(b)) && StaffRoleWords.Contains(Span(b))
            && !(IsWord(i + 1) && _t[i + 1].Is(TokenShape.Lower) && (WordIs(i + 1, "of") || WordIs(i + 1, "for")));
        if (!before)
        {
            // "(unit clerk)", "(the daughter)", "(granddaughter)": two words at most, the last a role or relation, then ')'.
            var k = i + 2;
            if (!IsPunct(i + 1, '(') || !IsWord(k))
            {
                return false;
            }

            var close = IsPunct(k + 1, ')') ? k + 1 : IsWord(k + 1) && IsPunct(k + 2, ')') ? k + 2 : -1;
            if (close < 0)
            {
                return false;
            }

            var role = close - 1;
            if (!(_t[role].Length <= 12 && (StaffRoleWords.Contains(Span(role)) || Has(role, Lex.Relation))))
            {
                return false;
            }
        }

        Mark(i, i, PhiKind.Name);
        return true;
    }

    /// <summary>"caller "Bunny" (grandmother", "aka "Cora"": a quoted capitalized word after a nickname's cue or before a relation; not an animal's.</summary>
    private bool TryCuedQuotedNickname(int i)
    {
        if (!_t[i].Is(TokenShape.Capitalized) || !IsPunct(i - 1, '"') || !IsPunct(i + 1, '"') || !Joined(i) || !Joined(i + 1) || _t[i].Length < 3
            || (L(i) & NotAGivenName) != 0 || IsLowerCommonWord(i))
        {
            return false;
        }

        var b = WordBefore(i - 1, 2);
        var cue = b >= 0 && _t[b].Is(TokenShape.Lower) && _t[b].Length <= 10 && NicknameCueWords.Contains(Span(b));
        var relation = IsPunct(i + 2, '(') && (Has(i + 3, Lex.Relation) || (IsWord(i + 4) && Has(i + 4, Lex.Relation)));
        if (!(cue || relation) || AnimalBefore(i))
        {
            return false;
        }

        Mark(i, i, PhiKind.Name);
        return true;
    }

    /// <summary>A word written in lower case that a lower-case text has us judge as capitalized, and that is also an ordinary word ("will", "tea").</summary>
    private bool IsLowerCommonWord(int i) => !char.IsUpper(_text[_t[i].Start]) && (L(i) & Lex.Common) != 0;

    private bool AnimalBefore(int i)
    {
        for (var p = i - 1; p >= 0 && p >= i - 5; p--)
        {
            if (IsWord(p) && _t[p].Length <= 7 && AnimalWordSet.Contains(Span(p)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"Maria Bożena Kowalczyk", ""given": ["Halina", "Bożena"]": a capitalized word between found names, or quoted after a quoted one in a list.</summary>
    private bool TryMiddleGivenName(int i)
    {
        if (!_t[i].Is(TokenShape.Capitalized) || _t[i].Length < 3 || _t[i].Is(TokenShape.LineBefore) || (L(i) & (NotAGivenName | Lex.Common)) != 0 || IsLowerCommonWord(i))
        {
            return false;
        }

        var between = IsNameAt(i - 1) && IsNameAt(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore) && _run[i - 1] != _run[i + 1];
        var listed = IsPunct(i - 1, '"') && IsPunct(i + 1, '"') && IsPunct(i - 2, ',') && IsPunct(i - 3, '"') && IsNameAt(i - 4) && _t[i - 4].Is(TokenShape.Capitalized)
            && !IsPunct(i - 5, ':') && IsPunct(i - 5, '"') && (IsPunct(i + 2, ']') || IsPunct(i + 2, ','));
        if (!(between || listed))
        {
            return false;
        }

        Mark(i, i, PhiKind.Name);
        return true;
    }

    /// <summary>"ROLAND ST. GERMAIN", "Roland St. Germain": a saint's prefix and a capitalized word after a found first name.</summary>
    private void TrySaintSurname(int i)
    {
        var st = i + 1;
        if (!(WordIs(st, "st") || WordIs(st, "ste")) || !IsFree(st) || !IsPunct(st + 1, '.') || !Joined(st + 1) || !IsWord(st + 2)
            || !(IsFree(st + 2) || (IsNameAt(st + 2) && RunStart(st + 2) == st + 2 && RunEnd(st + 2) == st + 2))
            || !IsCapitalized(st + 2) || _t[st].Is(TokenShape.LineBefore) || _t[st + 2].Is(TokenShape.LineBefore) || (L(i) & Lex.FirstName) == 0
            || (RunEnd(i) != i) || Has(st + 3, Lex.Facility | Lex.StreetSuffix) || (L(st + 2) & Lex.Facility) != 0)
        {
            return;
        }

        Mark(st, st + 2, PhiKind.Name);
    }

    /// <summary>
    /// Capitals that are a credential or a licensing body, not a name: after a found name and before its comma or line's end
    /// ("Ó Súilleabháin MICGP,"), or before a licence number's cue ("IMC No. 41877", "PRC Lic. 0667712").
    /// </summary>
    private bool IsCredentialOrLicenceCue(int i)
    {
        if (!_t[i].Is(TokenShape.Upper) || _t[i].Length is < 3 or > 6 || RunStart(i) != i || RunEnd(i) != i)
        {
            return false;
        }

        var n = i + 1;
        if ((WordIs(n, "no") || WordIs(n, "lic") || WordIs(n, "reg") || WordIs(n, "license") || WordIs(n, "licence")) && !_t[n].Is(TokenShape.LineBefore))
        {
            return true;
        }

        var afterName = IsNameAt(i - 1) && _run[i - 1] != _run[i] && !_t[i].Is(TokenShape.LineBefore);
        return afterName && (IsPunct(n, ',') || !InRange(n) || _t[n].Is(TokenShape.LineBefore)) && (L(i) & Lex.FirstName) == 0 && IsCredentialShaped(i);
    }

    // A credential's letters: one of the usual openings of a college's or degree's initials ("MICGP", "FRCS", "MRCPI", "FACP").
    private bool IsCredentialShaped(int i)
    {
        var span = Span(i);
        return span.Length >= 4 && (span.StartsWith("M", StringComparison.Ordinal) || span.StartsWith("F", StringComparison.Ordinal))
            && (span.Contains("RC", StringComparison.Ordinal) || span.Contains("CGP", StringComparison.Ordinal) || span.Contains("AC", StringComparison.Ordinal)
                || span.EndsWith("GP", StringComparison.Ordinal));
    }

    /// <summary>
    /// An animal's name: quoted or alone after "dog", "cat", "Dog:" ("Dog: "Buddy"", "their dog "Grace""), and that name again
    /// alone in the text after it, unless a relation or role is beside it ("Grace (the daughter)").
    /// </summary>
    private bool IsAnimalName(int i)
    {
        if (_petCount == 0 || !_t[i].Is(TokenShape.Capitalized) || RunStart(i) != i || RunEnd(i) != i)
        {
            return false;
        }

        for (var p = 0; p < _petCount; p++)
        {
            if (_pets[p] == i)
            {
                return true;
            }
        }

        if (IsPunct(i + 1, '(') || Has(WordBefore(i, 1), Lex.Relation | Lex.Title))
        {
            return false;
        }

        for (var p = 0; p < _petCount; p++)
        {
            if (_t[_pets[p]].Length == _t[i].Length && Span(_pets[p]).SequenceEqual(Span(i)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Records a capitalized word quoted or alone after "dog", "cat", "Dog:" as an animal's name; true when it is one.</summary>
    private bool NotePet(int i)
    {
        if (!_t[i].Is(TokenShape.Capitalized))
        {
            return false;
        }

        var quoted = IsPunct(i - 1, '"') && IsPunct(i + 1, '"');
        var b = quoted ? i - 2 : IsPunct(i - 1, ':') || IsPunct(i - 1, ',') ? i - 2 : i - 1;
        if (quoted && (IsPunct(b, ':') || IsPunct(b, ',')))
        {
            b--;
        }

        if (!IsWord(b) || _t[b].Length is < 3 or > 7 || _text[_t[b].Start] is not ('d' or 'D' or 'c' or 'C' or 'p' or 'P' or 'a' or 'A' or 'h' or 'H')
            || !AnimalWordSet.Contains(Span(b)) || _petCount == _pets.Length)
        {
            return false;
        }

        _pets[_petCount++] = i;
        return true;
    }

    private readonly int[] _pets = new int[4];

    // Whether the text has a capitalized "Age" (a table's heading): 0 not yet looked, 1 yes, 2 no. Reset by each scan's ages pass.
    private int _ageHeading;
    private int _petCount;

    // Keys of a record whose quoted value is a person's name ("first": "Rose", "family": "Hill", "given_name": "Grace").
    private static readonly string[] NameKeys = ["first", "given", "last", "family", "middle", "preferred", "nickname", "surname", "firstname", "lastname", "givenname", "familyname"];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> NameKeyWords =
        NameKeys.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    // Short forms of relations and a priest's title written before a first name ("dtr Awa drives", "fr. tomasz paged").
    private static readonly string[] ShortRelations = ["dtr", "dau", "fr", "bro", "sis", "husb", "gdtr", "gson", "gma", "gpa", "stepdtr"];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> ShortRelationWords =
        ShortRelations.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>""first": "Rose"", "'given_name': 'Grace'": a quoted capitalized word as the value of a name's key, ordinary word or not.</summary>
    private bool TryKeyedQuotedName(int i)
    {
        if (!IsPunct(i - 1) || !IsPunct(i + 1) || _text[_t[i - 1].Start] != _text[_t[i + 1].Start] || _text[_t[i - 1].Start] is not ('"' or '\'')
            || !Joined(i) || !Joined(i + 1) || !IsPunct(i - 2, ':') || (L(i) & (Lex.Clinical | Lex.Month | Lex.Weekday | Lex.State)) != 0)
        {
            return false;
        }

        var key = IsPunct(i - 3, '"') || IsPunct(i - 3, '\'') ? i - 4 : i - 3;
        if (!IsWord(key) || _t[key].Length > 11)
        {
            return false;
        }

        // "given_name", "first_name": the word before "_name".
        if (WordIs(key, "name") && IsPunct(key - 1, '_') && IsWord(key - 2))
        {
            key -= 2;
        }

        if (!NameKeyWords.Contains(Span(key)))
        {
            return false;
        }

        Mark(i, i, PhiKind.Name);
        return true;
    }

    /// <summary>"dtr Awa drives", "fr. Tomasz paged": a capitalized word, no ordinary word, after a relation's or a priest's short form.</summary>
    private bool TryNameAfterShortRelation(int i)
    {
        // The short form's first letter before any lookup: most words before a capitalized one are none of these.
        var b = IsPunct(i - 1, '.') ? i - 2 : i - 1;
        if (!IsWord(b) || _t[b].Length is < 2 or > 7 || _text[_t[b].Start] is not ('d' or 'D' or 'f' or 'F' or 'b' or 'B' or 's' or 'S' or 'h' or 'H' or 'g' or 'G')
            || _t[i].Is(TokenShape.LineBefore) || _t[i].Length < 2 || !_t[b].Is(TokenShape.Lower | TokenShape.Capitalized)
            || (L(i) & (NotAGivenName | Lex.Common)) != 0 || !ShortRelationWords.Contains(Span(b)) || IsFunctionWord(i))
        {
            return false;
        }

        Mark(i, JoinedNameEnd(i), PhiKind.Name);
        return true;
    }
}
