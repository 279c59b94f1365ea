using System.Collections.Frozen;

namespace XefAI.Data.Deidentification;

/// <content>
/// Round 11 of the name, age and date gaps: names told by the row or key they stand in (a cell under a "first_nm" or
/// "pcp" heading, a JSON "pt" value, "Oyelowo, T" alone in a cell), the parts a found name leaves behind (a trailing
/// initial "Smith J", a particle or word between two name words "Marcy Two Moons", the "O" of "O'Shaughnessy"), ages
/// after "EDAD:", a month's abbreviation alone that dates care ("seen in Feb"), and the words the name and date rules
/// take that are no one's (titles, Spanish headings, plan words, eponyms before their device, weekday ranges, a grade's
/// score, "3rd flight").
/// </content>
internal sealed partial class Scan
{
    // Words of a table heading or a key that hold a person's name: "first_nm", "last_nm", "pcp", "patient", "pt".
    private static readonly string[] PersonKeysList11A =
        [
            "name", "names", "nm", "patient", "pt", "pcp", "prescriber", "provider", "physician", "surname", "fname", "lname", "firstname",
            "lastname", "attending", "doctor", "clinician", "caseworker", "guardian", "mother", "father", "spouse", "contact", "emergencycontact",
            "patientname", "ptname", "fullname", "givenname", "familyname", "referrer", "author", "sender", "recipient",
        ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> PersonKeys11A =
        PersonKeysList11A.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly ulong[] PersonKeysShapes11A = Shapes(PersonKeysList11A);

    // Words of a heading that make its column something other than a name, though a person's word is in it: "pt_id", "pcp_phone".
    private static readonly string[] NotNameKeysList11A =
        [
            "id", "type", "status", "count", "dt", "date", "phone", "num", "no", "mrn", "lang", "language", "code", "npi", "email", "addr",
            "address", "city", "zip", "state", "sex", "gender", "age", "dob", "class", "flag", "role", "relationship", "rel", "fax",
        ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> NotNameKeys11A =
        NotNameKeysList11A.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly ulong[] NotNameKeysShapes11A = Shapes(NotNameKeysList11A);

    // Titles and kinship words that stand before a name and stay outside it: "Lcda. Wanda", "Doña Cuca", "Miss Pearl", "Aunty Moana".
    private static readonly string[] NameTitlesList11A =
        [
            "lcda", "lcdo", "licda", "licdo", "doña", "dona", "miss", "aunty", "auntie", "tía", "tia", "tío", "tio", "sra", "srta", "dra", "sr", "abuela",
            "abuelo", "madame", "mme", "mlle", "frau", "herr", "uncle", "aunt", "nana", "papa", "mama", "nurse", "pastor", "rev", "fr", "det", "ofc",
        ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> NameTitles11A =
        NameTitlesList11A.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly ulong[] NameTitlesShapes11A = Shapes(NameTitlesList11A);

    // Headings and words of Spanish forms the name and place rules take: "Paciente / Patient:", "MEDICO DE CABECERA", "BARRIO".
    private static readonly string[] SpanishHeadingsList11A =
        [
            "paciente", "expediente", "medico", "médico", "barrio", "fecha", "edad", "sexo", "nombre", "direccion", "dirección", "cuenta", "sala",
            "cama", "diagnostico", "diagnóstico", "alta", "ingreso", "enfermera", "cirujano", "anestesia", "hospital", "servicio",
        ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> SpanishHeadings11A =
        SpanishHeadingsList11A.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly ulong[] SpanishHeadingsShapes11A = Shapes(SpanishHeadingsList11A);

    // Plan and order words in capitals the name rules take: "BCBS IL PPO, ID ...", "Partners MCO", "PCN G".
    private static readonly string[] PlanWordsList11A =
        [ "ppo", "hmo", "mco", "epo", "pos", "id", "pcn", "snp", "acos", "aco", "ipa", "pffs", "dsnp", "hdhp" ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> PlanWords11A =
        PlanWordsList11A.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly ulong[] PlanWordsShapes11A = Shapes(PlanWordsList11A);

    // Nouns that make the single name before them an eponym, a scale or a service: "Hasson port", "Columbia scale", "Geri consult".
    private static readonly string[] EponymNounsList11A =
        [
            "port", "trocar", "technique", "scale", "score", "criteria", "classification", "maneuver", "manoeuvre", "catheter", "consult",
            "consults", "clinic", "service", "rounds", "procedure", "repair", "needle", "forceps", "retractor", "clamp", "stitch", "suture", "tube",
            "test", "sign", "reflex", "protocol", "questionnaire", "index", "grade",
        ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> EponymNouns11A =
        EponymNounsList11A.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly ulong[] EponymNounsShapes11A = Shapes(EponymNounsList11A);

    // Nouns after an ordinal that make it no day: "3rd flight", "2nd floor", "4th cycle".
    private static readonly string[] OrdinalNounsList11A =
        [
            "flight", "flights", "floor", "fl", "line", "degree", "trimester", "round", "cycle", "dose", "grade", "toe", "finger", "digit", "ventricle",
            "party", "ics", "intercostal", "rib", "time", "attempt", "opinion", "generation", "stage", "week", "day", "month", "year", "child",
            "pregnancy", "visit", "step", "set", "level", "lumbar", "sacral", "cervical", "thoracic", "metacarpal", "metatarsal", "branch",
        ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> OrdinalNouns11A =
        OrdinalNounsList11A.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly ulong[] OrdinalNounsShapes11A = Shapes(OrdinalNounsList11A);

    // Words before a month's abbreviation alone that make it date care: "seen in Feb", "since Aug", "until Sept".
    private static readonly string[] MonthPrepositionsList11A =
        [ "in", "since", "until", "till", "by", "from", "early", "late", "mid", "through", "thru", "last", "next", "before", "after", "during", "of" ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> MonthPrepositions11A =
        MonthPrepositionsList11A.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly ulong[] MonthPrepositionsShapes11A = Shapes(MonthPrepositionsList11A);

    // Two-letter weekday abbreviations of a dosing schedule: "5 mg Sa-Su", "Mo-Fr".
    private static readonly string[] WeekdayShortList11A =
        [ "m", "mo", "tu", "w", "we", "th", "f", "fr", "sa", "su" ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> WeekdayShort11A =
        WeekdayShortList11A.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly ulong[] WeekdayShortShapes11A = Shapes(WeekdayShortList11A);

    // Words that never join two names into one: "Smith and Jones".
    private static readonly string[] NotBridgesList11A =
        [ "and", "or", "y", "e", "with", "to", "vs", "the", "at", "in", "on", "for", "from", "by", "of", "is", "was", "md", "do", "rn", "np", "pa", "dr" ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> NotBridges11A =
        NotBridgesList11A.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly ulong[] NotBridgesShapes11A = Shapes(NotBridgesList11A);

    /// <summary>Whether a word is in a list: its first letter and length first, which most words fail, then the set.</summary>
    private static bool In11A(ulong[] shapes, FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> set, ReadOnlySpan<char> word) =>
        word.Length > 0 && MayBeIn(shapes, word) && set.Contains(word);

    /// <summary>Names told by their row, key or neighbours, the ages after "EDAD:" and a month alone that dates care.</summary>
    private void MarkGaps11Names()
    {
        _tableRow11A = -1;
        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            if (_run[i] != 0)
            {
                continue;
            }

            if (_t[i].Length == 1)
            {
                _ = TryTrailingInitial11A(i) || TryApostropheInitial11A(i) || TryBridge11A(i);
                continue;
            }

            var before = i > 0 ? _t[i - 1].Type : TokenType.Word;
            _ = (before == TokenType.Punct && (TryTableCellName11A(i) || TryKeyedValueName11A(i) || TryLastCommaInitial11A(i)))
                || ((_lex[i] & Lex.MonthAbbreviation) != 0 && TryLoneMonth11A(i))
                || (_t[i].Length <= 5 && TryBridge11A(i))
                || (StartsLine(i) && TryLastCommaInitial11A(i));
        }

        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            if (_run[i] == 0 && _t[i].Length is 2 or 3 && IsPunct(i - 1, ':') && (WordIs(i - 2, "edad") || WordIs(i - 2, "age")) && Value(i) is >= 90 and <= 119)
            {
                Mark(i, i, PhiKind.Age);
            }
        }
    }

    /// <summary>Puts tokens <paramref name="from"/>..<paramref name="to"/> into the run of name token <paramref name="name"/>.</summary>
    private void JoinRun11A(int name, int from, int to)
    {
        for (var k = from; k <= to; k++)
        {
            _run[k] = _run[name];
            _kind[k] = PhiKind.Name;
        }
    }

    /// <summary>"Maldonado-Pabón H", "MONAGHAN, PATRICK J", "Velasquez, R": one capital after a found name, ending its cell or clause.</summary>
    private bool TryTrailingInitial11A(int i)
    {
        // "Szymanski, E." at a cell's end takes its full stop.
        var last = IsPunct(i + 1, '.') && Joined(i + 1) && EndsCell11A(i + 2) && !Joined(i + 2) ? i + 1 : i;
        if (!_t[i].Is(TokenShape.Upper) || _t[i].Is(TokenShape.LineBefore) || !EndsCell11A(last + 1) || IsNewbornBefore11A(i))
        {
            return false;
        }

        if (IsNameAt(i - 1) && _t[i].Start - _t[i - 1].End == 1)
        {
            JoinRun11A(i - 1, i, last);
            return true;
        }

        if (IsPunct(i - 1, ',') && Joined(i - 1) && IsNameAt(i - 2) && !_t[i - 1].Is(TokenShape.LineBefore) && _t[i].Start - _t[i - 1].End == 1)
        {
            JoinRun11A(i - 2, i - 1, last);
            return true;
        }

        return false;
    }

    /// <summary>"Baby Girl Okafor A", "Twin B": a newborn's word within the few words before, where a letter tells twins apart.</summary>
    private bool IsNewbornBefore11A(int i)
    {
        for (var k = i - 1; k >= 0 && k >= i - 5; k--)
        {
            if (WordIs(k, "baby") || WordIs(k, "twin") || WordIs(k, "girl") || WordIs(k, "boy") || WordIs(k, "infant") || WordIs(k, "triplet"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What may follow a trailing initial: the text's or line's end, a cell's '|', two spaces, ',', ';', ')', ']', '[', '(' or a closing quote.</summary>
    private bool EndsCell11A(int n)
    {
        if (!InRange(n) || _t[n].Is(TokenShape.LineBefore))
        {
            return true;
        }

        if (_t[n].Type != TokenType.Punct)
        {
            var gap = _t[n].Start - _t[n - 1].End;
            return gap >= 2 || (gap == 1 && _text[_t[n].Start - 1] == '\t');
        }

        return _text[_t[n].Start] is '|' or ',' or ';' or ')' or ']' or '[' or '(' or '"' or '”' or '\t';
    }

    /// <summary>"O'Shaughnessy", "D'Angelo": a capital before a joined apostrophe and a found name.</summary>
    private bool TryApostropheInitial11A(int i)
    {
        if ((IsPunct(i + 1, '\'') || IsPunct(i + 1, '’')) && Joined(i + 1) && Joined(i + 2) && IsNameAt(i + 2) && _t[i].Is(TokenShape.Upper))
        {
            JoinRun11A(i + 2, i, i + 1);
            return true;
        }

        return false;
    }

    /// <summary>"Marcy Two Moons", "TORRES VDA. DE SANTIAGO": one short word between two parts of a name on one line.</summary>
    private bool TryBridge11A(int i)
    {
        if (_t[i].Is(TokenShape.LineBefore) || !IsNameAt(i + 1) || _t[i + 1].Is(TokenShape.LineBefore) || _t[i + 1].Start - _t[i].End != 1
            || (In11A(NotBridgesShapes11A, NotBridges11A, Span(i)) && !(IsNameParticle(i) && !WordIs(i, "do"))))
        {
            return false;
        }

        // The name before: right before, or before its full stop ("VDA. DE").
        var p = IsPunct(i - 1, '.') && Joined(i - 1) ? i - 2 : i - 1;
        if (p == i - 2 && (!InRange(p) || _t[p].Length > 4 || !_t[p].Is(TokenShape.Upper)))
        {
            return false;
        }

        if (!IsNameAt(p) || _t[p + 1].Is(TokenShape.LineBefore) || (p == i - 1 && _t[i].Start - _t[p].End != 1))
        {
            return false;
        }

        // A word the lists hold as clinical, or a credential, is no part of a name.
        var lex = L(i);
        if ((lex & (Lex.Clinical | Lex.Credential | Lex.Title | Lex.Month | Lex.Weekday | Lex.State | Lex.Relation | Lex.NameLabel)) != 0 && !IsNameParticle(i))
        {
            return false;
        }

        var run = _run[p];
        JoinRun11A(p, p + 1, i);
        var next = _run[i + 1];
        for (var k = i + 1; k < Count && _run[k] == next; k++)
        {
            _run[k] = run;
        }

        return true;
    }

    /// <summary>Marks a name from <paramref name="i"/> to <paramref name="end"/>, a title and its full stop before it left outside ("Dr. Lugo").</summary>
    private void MarkAfterTitle11A(int i, int end)
    {
        var from = i;
        while (from < end && IsWord(from) && ((L(from) & Lex.Title) != 0 || In11A(NameTitlesShapes11A, NameTitles11A, Span(from))))
        {
            from = IsPunct(from + 1, '.') ? from + 2 : from + 1;
        }

        if (from <= end && AnyUnmarked11A(from, end))
        {
            Mark(from, end, PhiKind.Name);
        }
    }

    private bool AnyUnmarked11A(int from, int to)
    {
        for (var k = from; k <= to; k++)
        {
            if (_run[k] == 0 && _t[k].Type == TokenType.Word)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A cell of a table divided by '|' under a heading that names a person ("first_nm", "last_nm", "pcp").</summary>
    private bool TryTableCellName11A(int i)
    {
        if (!IsPunct(i - 1, '|'))
        {
            return false;
        }

        // The cell: words, hyphens, apostrophes, commas and full stops up to the next '|' or the line's end.
        var end = i;
        for (var k = i + 1; k < Count && k <= i + 8 && !_t[k].Is(TokenShape.LineBefore) && !IsPunct(k, '|'); k++)
        {
            if (_t[k].Type is TokenType.Number or TokenType.Alnum || (IsPunct(k) && !(IsPunct(k, '-') || IsPunct(k, '\'') || IsPunct(k, ',') || IsPunct(k, '.'))))
            {
                return false;
            }

            end = k;
        }

        if (InRange(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore) && !IsPunct(end + 1, '|'))
        {
            return false;
        }

        var lineStart = LineStartOf(i, 80);
        if (lineStart < 0 || !IsPersonColumn11A(lineStart, CellsBefore(lineStart, i)))
        {
            return false;
        }

        while (IsPunct(end))
        {
            end--;
        }

        MarkAfterTitle11A(i, end);
        return true;
    }

    // The last row a heading was looked for from, and the first token of the rule under the heading found above it (-1: none):
    // the rows of one table find their heading by walking up to the last row asked about, not to the heading each time.
    private int _tableRow11A = -1;
    private int _tableRule11A = -1;

    /// <summary>Whether the heading of a '|' table above line <paramref name="row"/> names a person in its cell number <paramref name="cell"/>.</summary>
    private bool IsPersonColumn11A(int row, int cell)
    {
        var rule = row == _tableRow11A ? _tableRule11A : FindRule11A(row);
        _tableRow11A = row;
        _tableRule11A = rule;
        var heading = rule > 0 ? LineStartOf(rule - 1, 120) : -1;
        return heading >= 0 && IsPersonHeading11A(heading, rule, cell);
    }

    /// <summary>The first token of the rule under a table's heading ("----+----" or "|---|---|") within 40 lines above <paramref name="row"/>; -1 when none.</summary>
    private int FindRule11A(int row)
    {
        for (var lines = 0; lines < 40 && row > 0; lines++)
        {
            var above = LineStartOf(row - 1, 120);
            if (above < 0)
            {
                return -1;
            }

            // Reached the row asked about before: its answer holds for this one.
            if (above == _tableRow11A)
            {
                return _tableRule11A;
            }

            var rule = true;
            for (var k = above; k < row && rule; k++)
            {
                rule = IsPunct(k, '-') || IsPunct(k, '+') || IsPunct(k, '|') || IsPunct(k, ':') || IsPunct(k, '=');
            }

            if (rule)
            {
                return above;
            }

            row = above;
        }

        return -1;
    }

    /// <summary>Whether the words of heading cell number <paramref name="cell"/> (between '|') hold a person's word and no other kind's.</summary>
    private bool IsPersonHeading11A(int from, int to, int cell)
    {
        var cells = 0;
        var person = false;
        for (var k = from; k < to; k++)
        {
            if (IsPunct(k, '|'))
            {
                if (++cells > cell)
                {
                    break;
                }

                continue;
            }

            if (cells == cell && _t[k].Type == TokenType.Word && _t[k].Length <= 20)
            {
                if (In11A(NotNameKeysShapes11A, NotNameKeys11A, Span(k)))
                {
                    return false;
                }

                person |= In11A(PersonKeysShapes11A, PersonKeys11A, Span(k));
            }
        }

        return person;
    }

    /// <summary>"pt":"Lindqvist, Sigrid", pcp = "Ahmadzai, F": a quoted value after a person's key, to its closing quote.</summary>
    private bool TryKeyedValueName11A(int i)
    {
        if (!IsPunct(i - 1, '"') || !Joined(i))
        {
            return false;
        }

        // The key: '"key":"' or 'key = "' or 'key: "'.
        var sep = i - 2;
        if (!(IsPunct(sep, ':') || IsPunct(sep, '=')))
        {
            return false;
        }

        var key = IsPunct(sep - 1, '"') ? sep - 2 : sep - 1;
        if (!IsWord(key) || _t[key].Length > 20 || !In11A(PersonKeysShapes11A, PersonKeys11A, Span(key)))
        {
            return false;
        }

        // The value: words and name punctuation up to an unescaped closing quote, within a dozen tokens.
        var end = -1;
        for (var k = i; k < Count && k <= i + 14 && !_t[k].Is(TokenShape.LineBefore); k++)
        {
            if (IsPunct(k, '"'))
            {
                if (IsPunct(k - 1, '\\'))
                {
                    continue;
                }

                end = k - 1;
                break;
            }

            if (_t[k].Type is TokenType.Number or TokenType.Alnum || (IsPunct(k) && !(IsPunct(k, '-') || IsPunct(k, '\'') || IsPunct(k, ',') || IsPunct(k, '.') || IsPunct(k, '\\'))))
            {
                return false;
            }
        }

        if (end < i)
        {
            return false;
        }

        MarkAfterTitle11A(i, end);
        return true;
    }

    /// <summary>"Oyelowo, T" alone in a cell: a capitalized word no list holds as a word, its comma and one capital, the whole cell.</summary>
    private bool TryLastCommaInitial11A(int i)
    {
        if (!_t[i].Is(TokenShape.Capitalized) || _t[i].Length < 3 || !IsPunct(i + 1, ',') || !Joined(i + 1) || !IsWord(i + 2) || _t[i + 2].Length != 1
            || !_t[i + 2].Is(TokenShape.Upper) || !IsFree(i + 2) || _t[i + 2].Is(TokenShape.LineBefore) || !EndsCell11A(i + 3) || IsPunct(i + 3, ','))
        {
            return false;
        }

        // The cell's start: the line's, a '|', a tab or two spaces before.
        var start = _t[i].Start;
        var opens = StartsLine(i) || IsPunct(i - 1, '|') || (start >= 2 && _text[start - 1] is ' ' or '\t' && _text[start - 2] is ' ' or '\t');
        if (!opens || (L(i) & (Lex.Common | Lex.Clinical | Lex.Place | Lex.Month | Lex.Weekday | Lex.Credential | Lex.Title | Lex.NameLabel)) != 0)
        {
            return false;
        }

        Mark(i, i + 2, PhiKind.Name);
        return true;
    }

    /// <summary>"seen in Feb", "since Aug.": a month's abbreviation alone after a word that dates by it.</summary>
    private bool TryLoneMonth11A(int i)
    {
        if (!_t[i].Is(TokenShape.Capitalized) || _t[i].Length > 4 || WordIs(i, "mar") || IsNumber(i + 1) || (IsPunct(i + 1, '.') && IsNumber(i + 2))
            || _t[i].Is(TokenShape.LineBefore))
        {
            return false;
        }

        // "mid-Nov", "early-Feb": the word and its hyphen go with the month.
        if (IsPunct(i - 1, '-') && Joined(i - 1) && Joined(i) && (WordIs(i - 2, "mid") || WordIs(i - 2, "early") || WordIs(i - 2, "late")) && IsFree(i - 2))
        {
            Mark(i - 2, i, PhiKind.Date);
            return true;
        }

        var p = i - 1;
        if (!IsWord(p) || !_t[p].Is(TokenShape.Lower) || _t[p].Length > 7 || !In11A(MonthPrepositionsShapes11A, MonthPrepositions11A, Span(p)) || (IsCapitalized(i + 1) && !IsPunct(i + 1)))
        {
            return false;
        }

        Mark(i, i, PhiKind.Date);
        return true;
    }

    /// <summary>Takes back what the name and date rules took that is no one's: titles, headings, plan words, eponyms, weekday ranges, scores.</summary>
    private void UnmarkGaps11Names()
    {
        // Both rules act only at a marked token: from marked token to marked token, the words and letters with digits first.
        for (var i = NextMarked(0); i < Count; i = NextMarked(i + 1))
        {
            if (_t[i].Type is TokenType.Word or TokenType.Alnum && IsFalse11A(i))
            {
                _run[i] = 0;

                // A hyphen left alone inside what was taken ("Sa-Su") goes with it; so does the device noun after an eponym.
                if (IsPunct(i - 1) && _run[i - 1] != 0 && (i < 2 || _run[i - 2] == 0))
                {
                    _run[i - 1] = 0;
                }

                if (IsWord(i + 1) && _run[i + 1] != 0 && _kind[i + 1] == PhiKind.Name && _t[i + 1].Is(TokenShape.Lower) && In11A(EponymNounsShapes11A, EponymNouns11A, Span(i + 1)))
                {
                    _run[i + 1] = 0;
                }
            }
        }

        for (var i = NextMarked(0); i < Count; i = NextMarked(i + 1))
        {
            if (_t[i].Type == TokenType.Number && _kind[i] == PhiKind.Date && IsScoreNotDate11A(i))
            {
                _run[i] = 0;
                _run[i + 1] = 0;
                _run[i + 2] = 0;
            }
        }
    }

    private bool IsFalse11A(int i)
    {
        if (_t[i].Type != TokenType.Word || _t[i].Length > 12)
        {
            return _kind[i] == PhiKind.Date && _t[i].Type == TokenType.Alnum && IsOrdinalNoDay11A(i);
        }

        var span = Span(i);
        return _kind[i] switch
        {
            PhiKind.Name => (In11A(NameTitlesShapes11A, NameTitles11A, span) && IsCapitalized(WordAfter(i)) && !IsNameBefore11A(i))
                || (_t[i].Is(TokenShape.Upper) && In11A(PlanWordsShapes11A, PlanWords11A, span))
                || In11A(SpanishHeadingsShapes11A, SpanishHeadings11A, span)
                || IsWeekdayRange11A(i)
                || IsEponym11A(i)
                || IsDegreeLetters11A(i),
            PhiKind.Location => In11A(SpanishHeadingsShapes11A, SpanishHeadings11A, span),
            _ => false,
        };
    }

    /// <summary>A name right before a title word ("Cuca Doña" is not one): then the word is a part of the name.</summary>
    private bool IsNameBefore11A(int i) => IsNameAt(i - 1) && _run[i - 1] == _run[i] && !_t[i].Is(TokenShape.LineBefore);

    /// <summary>"Sa-Su", "M-F": two weekday abbreviations joined by a hyphen.</summary>
    private bool IsWeekdayRange11A(int i)
    {
        if (_t[i].Length > 2 || !In11A(WeekdayShortShapes11A, WeekdayShort11A, Span(i)))
        {
            return false;
        }

        var other = IsPunct(i + 1, '-') && Joined(i + 1) && Joined(i + 2) ? i + 2 : IsPunct(i - 1, '-') && Joined(i - 1) && Joined(i) ? i - 2 : -1;
        return IsWord(other) && _t[other].Length <= 2 && In11A(WeekdayShortShapes11A, WeekdayShort11A, Span(other));
    }

    /// <summary>"Hasson port", "Geri consult": one name word alone, no title before it, before a device's or scale's noun.</summary>
    private bool IsEponym11A(int i)
    {
        var n = i + 1;
        if (!IsWord(n) || !_t[n].Is(TokenShape.Lower) || _t[n].Length > 15 || _run[n] == _run[i] || !In11A(EponymNounsShapes11A, EponymNouns11A, Span(n)))
        {
            return false;
        }

        // Alone in its run: neither neighbour shares it, and no title or "Dr" before it.
        return (i == 0 || _run[i - 1] != _run[i]) && !IsPunct(i - 1, '.') && !IsPunct(i + 1, '\'') && (L(i) & Lex.Title) == 0
            && !(IsWord(i - 1) && (L(i - 1) & Lex.Title) != 0);
    }

    /// <summary>"Venkataraman, M.D.": one-letter capitals of a degree after a name's comma.</summary>
    private bool IsDegreeLetters11A(int i)
    {
        if (_t[i].Length != 1 || !IsPunct(i + 1, '.') || !Joined(i + 1))
        {
            return false;
        }

        var first = IsPunct(i - 1, '.') && Joined(i - 1) && Joined(i) && IsWord(i - 2) && _t[i - 2].Length == 1 ? i - 2 : i;
        var second = first == i ? i + 2 : i;
        return IsPunct(first - 1, ',') && IsWord(second) && _t[second].Length == 1 && Joined(second) && IsPunct(second + 1, '.')
            && (Span(first)[0] is 'M' or 'D' or 'R' or 'N' or 'P') && (Span(second)[0] is 'D' or 'O' or 'N' or 'P' or 'A');
    }

    /// <summary>"3rd flight of stairs", "2nd floor": an ordinal alone taken as a day, before a noun it counts.</summary>
    private bool IsOrdinalNoDay11A(int i)
    {
        var n = i + 1;
        return (i == 0 || _run[i - 1] != _run[i]) && IsWord(n) && _run[n] != _run[i] && _t[n].Is(TokenShape.Lower) && _t[n].Length <= 12
            && In11A(OrdinalNounsShapes11A, OrdinalNouns11A, Span(n));
    }

    /// <summary>"NOTTINGHAM GRADE 2 (6/9)": a score out of a total in parentheses after a grade or score and its number.</summary>
    private bool IsScoreNotDate11A(int i)
    {
        return IsPunct(i + 1, '/') && Joined(i + 1) && IsNumber(i + 2) && Joined(i + 2) && _run[i + 2] == _run[i] && IsPunct(i - 1, '(') && IsPunct(i + 3, ')')
            && IsNumber(i - 2) && (WordIs(i - 3, "grade") || WordIs(i - 3, "score") || WordIs(i - 3, "total"));
    }
}
