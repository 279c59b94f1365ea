namespace XefAI.Data.Deidentification;

/// <summary>
/// Round 22: shapes the earlier rounds leave. A festival or gathering of capitalised words ending in Festival, Fest,
/// Ceremony or Powwow ("at the Cranberry Festival", "the Haliwa-Saponi Powwow"); named holidays of two words ("Yom
/// Kippur", "All Souls", "the New Year's powwow"); a name written surname first in a label's or a billing row's place
/// ("Pt PRIBILOF, ANATOLY", "1336047712 SHORT, LIBERTY", "RE: S0CKABASIN, W1LLIAM"); a row of a claim's service lines
/// opening with a date written with spaces ("11 17 26  21  99223"); a login of a domain and a user in lower case after
/// "by" ("exported by anmc\kshort", "copied by tulalip.hc\ewilliams"); a town whose last word is "Point" after a place's
/// word ("from Rhodes Point"); "d. 2/91"; and "June of '19".
/// </summary>
internal sealed partial class Scan
{
    // Two-word holidays and feasts by their words (first, second) and whether a date word or "the" must stand before.
    private static readonly (string First, string Second, bool Cued)[] TwoWordHolidays22 =
    [
        ("yom", "kippur", false), ("rosh", "hashanah", false), ("rosh", "hashana", false), ("mardi", "gras", false), ("calan", "hen", false),
        ("all", "souls", false), ("green", "corn", true), ("simchat", "torah", false), ("shemini", "atzeret", false),
    ];

    // Labels of the person a form is about, before a name written surname first.
    private static readonly WordSet SubjectLabels22 = new(
        ["pt", "patient", "name", "re", "employee", "member", "insured", "subscriber", "client", "resident", "decedent", "student", "child", "infant"]);

    // The first word of a "... Point" that is no town ("trigger point", "at the Access Point").
    private static readonly WordSet NotTownPoints22 = new(
        ["trigger", "pressure", "access", "care", "entry", "end", "starting", "focal", "decision", "break", "boiling", "turning", "set", "check",
        "match", "tender", "acupuncture", "data", "vantage", "power", "talking", "sticking", "high", "low", "key", "main", "exit", "reference",
        "midway", "cut", "test", "melting", "freezing", "tipping", "flash", "contact"]);

    // Words of where someone lives or walks, before "on" and a street ("lives on Center", "walking on Cathedral").
    private static readonly WordSet LivingWords22 = new(
        ["lives", "living", "lived", "live", "moved", "walking", "walked", "wandering", "wandered", "found", "place", "house", "home", "apartment",
        "trailer", "farm", "stays", "staying", "stayed", "church", "store", "shop"]);

    // Words of respect before a relative's name ("his wife Doña Milagros", "grandma Tía Chela") that the title list lacks.
    private static readonly string[] Honorifics22 =
        ["doña", "dona", "don", "señora", "senora", "señor", "senor", "sra", "tía", "tia", "tío", "tio", "auntie", "aunty", "uncle", "aunt",
        "miss", "mister", "madam", "madame", "mme", "mlle", "frau", "herr", "sister", "brother", "mother", "father", "granny", "nana", "papa",
        "mama", "abuela", "abuelo", "baba", "bibi", "ama", "apa"];

    // Words after which a town's name says where someone is ("from Hominy", "in Crisfield").
    private static readonly WordSet PlaceWords22 = new(
        ["in", "from", "to", "at", "near", "of", "via", "into", "outside", "toward", "towards", "around", "past", "off", "on", "lives", "born", "and", "or"]);

    // Words after a town's name that make it a people's or a scale's ("Volga German", "Oglala Sioux", "Edinburgh Postnatal").
    private static readonly WordSet PeopleAndScaleWords22 = new(
        ["german", "germans", "sioux", "lakota", "dakota", "nation", "tribe", "tribal", "band", "indian", "indians", "dutch", "scale", "score",
        "criteria", "rule", "rules", "postnatal", "questionnaire", "classification", "cohort"]);

    // Words for a boat before its name.
    private static readonly WordSet BoatWords22 = new(["boat", "workboat", "skiff", "trawler", "seiner", "vessel", "dragger", "tender"]);

    // Words after a spoken day that no ordinal counts, where a dictation goes on without a full stop.
    private static readonly WordSet DictationGoesOn22 = new(["no", "then", "please", "or", "unless", "if", "okay", "ok", "thanks", "scratch", "make"]);

    // OCR-shaped words of the text ("Med1caid", "H0SPlTAL"), counted as the words are listed.
    private int _ocrWords22;

    /// <summary>
    /// Whether the text reads like a fax through OCR: three or more words with a 0 or 1 for a letter between letters of
    /// one case ("Med1caid", "W1LLIAM", "K0liganek"), which "HbA1c" or "C1q" are not.
    /// </summary>
    public bool LooksScanned => _ocrWords22 >= 3;

    /// <summary>
    /// A word OCR misread that the lists know once read back ("Med1caid", "W1LLIAM", "fam1ly"); "T1DM" or "T1N0M0" read
    /// back are no word, so a note of them is not taken for a fax.
    /// </summary>
    private bool IsOcrWord22(int i)
    {
        if (!IsOcrShape22(i) || _t[i].Length > 32)
        {
            return false;
        }

        Span<char> word = stackalloc char[_t[i].Length];
        Span(i).CopyTo(word);
        word.Replace('0', 'o');
        word.Replace('1', 'i');
        return _lexicon.Of(word) != Lex.None;
    }

    /// <summary>A word of at least three letters with only 0 and 1 among its digits, each between letters of one case, or after a capital that starts a lower-case word.</summary>
    private bool IsOcrShape22(int i)
    {
        var span = Span(i);
        var letters = 0;
        var inside = false;
        for (var k = 0; k < span.Length; k++)
        {
            var c = span[k];
            if (char.IsAsciiLetter(c))
            {
                letters++;
                continue;
            }

            if (c is not ('0' or '1'))
            {
                return false;
            }

            if (k == 0 || k == span.Length - 1 || !char.IsAsciiLetter(span[k - 1]) || !char.IsAsciiLetter(span[k + 1]))
            {
                continue;
            }

            var before = char.IsAsciiLetterUpper(span[k - 1]);
            var after = char.IsAsciiLetterUpper(span[k + 1]);
            inside |= before == after || (k == 1 && before && !after && k + 2 < span.Length && char.IsAsciiLetterLower(span[k + 2]));
        }

        return inside && letters >= 3;
    }

    /// <summary>
    /// The text with what OCR confuses read back, one character for one so every offset holds: in a word of letters, a 0
    /// is an o and a 1 an i ("Med1caid", "R1VER"); in a number, an O is a 0 and an l or I a 1 ("9O7-555-Ol27", "l2/l5").
    /// </summary>
    public string ReadBackOcr() => string.Create(_text.Length, this, static (chars, scan) =>
    {
        scan._text.AsSpan().CopyTo(chars);
        for (var i = 0; i < scan._count; i++)
        {
            var token = scan._t[i];
            if (token.Type == TokenType.Punct || token.Type == TokenType.Number)
            {
                continue;
            }

            var span = chars.Slice(token.Start, token.Length);
            if (scan.IsOcrNumber22(i, span))
            {
                for (var k = 0; k < span.Length; k++)
                {
                    span[k] = span[k] switch
                    {
                        'O' or 'o' => '0',
                        'l' or 'I' => '1',
                        _ => span[k],
                    };
                }
            }
            else if (token.Type == TokenType.Alnum && scan.IsOcrShape22(i))
            {
                for (var k = 0; k < span.Length; k++)
                {
                    if (span[k] is '0' or '1')
                    {
                        var upper = (k > 0 && char.IsAsciiLetterUpper(span[k - 1]) && (k + 1 >= span.Length || !char.IsAsciiLetterLower(span[k + 1]))) || (k == 0 && span.Length > 1 && char.IsAsciiLetterUpper(span[1]));
                        span[k] = span[k] == '0' ? (upper ? 'O' : 'o') : (upper ? 'I' : 'i');
                    }
                }
            }
        }
    });

    /// <summary>
    /// A number OCR put letters in: digits with O, l or I among them ("2O25", "O4667", "9l"), or two to four of those letters
    /// alone beside a joined slash or hyphen ("ll/l9").
    /// </summary>
    private bool IsOcrNumber22(int i, ReadOnlySpan<char> span)
    {
        var digits = 0;
        foreach (var c in span)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (c is not ('O' or 'o' or 'l' or 'I'))
            {
                return false;
            }
        }

        if (digits > 0)
        {
            return true;
        }

        return span.Length is >= 2 and <= 4 && ((IsPunct(i + 1, '/') && Joined(i + 1)) || (IsPunct(i - 1, '/') && Joined(i)));
    }

    /// <summary>
    /// Round 22's pass. It walks the short lists the scan keeps rather than every token: the capitalised words (and the
    /// lower-case word before each), the keyed tokens (short words starting with 'o', words before a quote, codes), and
    /// the numbers; each rule sits behind a cheap test of length and first letter. Logins are round 19's walk's.
    /// </summary>
    private void MarkGaps22()
    {
        for (var c = 0; c < _capCount; c++)
        {
            CapitalRules22(_caps[c]);
        }

        for (var k = 0; k < _keyedCount; k++)
        {
            var i = _keyed[k];
            var length = _t[i].Length;
            if (_t[i].Type == TokenType.Alnum)
            {
                if (length == 4 && IsWord(i - 1) && !_t[i].Adjacent)
                {
                    TryOcrYearAfterMonth22(i);
                }
                else if (length >= 4 && _run[i] == 0 && _t[i].Is(TokenShape.Upper) && JoinedAfter22(i) == ',' && IsSurnameFirstStart22(i))
                {
                    // "RE: S0CKABASIN, W1LLIAM": a surname read from a fax with digits for letters.
                    TrySurnameFirst22(i);
                }
            }
            else if (_t[i].Type == TokenType.Word && _t[i].Is(TokenShape.Lower) && length <= 6)
            {
                KeyedWordRules22(i, length);
            }
        }

        MarkNumbers22();
        UnmarkPlacesAsModifiers22();
    }

    /// <summary>The punctuation joined right after token <paramref name="i"/>, or '\0'.</summary>
    private char JoinedAfter22(int i) => i + 1 < _count && _t[i + 1].Type == TokenType.Punct && _t[i + 1].Adjacent ? _text[_t[i + 1].Start] : '\0';

    /// <summary>The rules at a capitalised word or one in capitals, and at the lower-case word before a capitalised one.</summary>
    private void CapitalRules22(int i)
    {
        var token = _t[i];
        var length = token.Length;
        var joined = JoinedAfter22(i);
        if (joined == ',' && length >= 2 && (_run[i] == 0 || _kind[i] == PhiKind.Name) && IsSurnameFirstStart22(i))
        {
            TrySurnameFirst22(i);
            return;
        }

        var first = (char)(_text[token.Start] | 0x20);
        if (length >= 3 && joined == ':' && _run[i] == 0 && token.Is(TokenShape.Upper) && StartsLine(i))
        {
            TrySpeakerLabel22(i);
            return;
        }

        if (length == 1 && (first is 'f' or 'm') && token.Is(TokenShape.Upper) && joined == '/' && WordIs(i + 2, "v") && Joined(i + 2))
        {
            // "F/V Northern Vigil", "M/V Tustumena": a fishing or motor vessel's name (corpora differ on "F/V"; it is left).
            TryBoatName22(i + 3, i + 3);
        }
        else if (length == 3 && first == 'p' && joined == '-' && WordIs(i + 2, "wow") && Joined(i + 2) && token.Is(TokenShape.Capitalized)
            && (_run[i + 2] == 0 || _kind[i + 2] is PhiKind.Date or PhiKind.Name))
        {
            // "Pow-wow".
            TryEvent22(i + 2);
        }
        else if (token.Is(TokenShape.Capitalized) && _run[i] == 0 && IsTwoWordHolidayStart22(i, first, length))
        {
            TryTwoWordHoliday22(i);
        }
        else if (token.Is(TokenShape.Capitalized) && (_run[i] == 0 || _kind[i] is PhiKind.Date or PhiKind.Name) && IsEventWord22(i, first, length))
        {
            TryEvent22(i);
        }
        else if (length == 5 && first == 'p' && _run[i] == 0 && token.Is(TokenShape.Capitalized) && WordIs(i, "point"))
        {
            TryPointTown22(i);
        }
        else if (length >= 3 && IsWord(i + 2) && IsWrittenCapital13(i + 2) && IsWord(i + 1) && IsWrittenCapital13(i + 1) && !token.Is(TokenShape.Upper)
            && Has(i, Lex.Relation))
        {
            TryRelativeFullName22(i);
        }

        // The lower-case word before a written capital: a relative ("wife Unity Pribilof") or a boat ("skiff \"Blueback 3\"").
        if (i < 2 || !IsWrittenCapital13(i))
        {
            return;
        }

        var p = i - 1;
        var quoted = IsPunct(p, '"') || IsPunct(p, '“');
        if (quoted)
        {
            p--;
        }

        if (!IsWord(p) || !_t[p].Is(TokenShape.Lower) || _t[p].Length < 3 || _t[p].Is(TokenShape.Capitalized))
        {
            return;
        }

        if (!quoted && IsWord(i + 1) && IsWrittenCapital13(i + 1) && Has(p, Lex.Relation))
        {
            TryRelativeFullName22(p);
        }
        else if (_t[p].Length <= 8 && IsBoatWordShape22(p, _t[p].Length) && IsWordOf(p, BoatWords22))
        {
            TryBoatName22(p + 1, p + 1);
        }
    }

    /// <summary>"on", "off", "of" before what they introduce, and the JSON keys "family" and "given".</summary>
    private void KeyedWordRules22(int i, int length)
    {
        var first = _text[_t[i].Start];
        if (first == 'o')
        {
            if ((length == 2 && WordIs(i, "on")) || (length == 3 && WordIs(i, "off")))
            {
                if (IsWord(i + 1) && IsFree(i + 1) && IsWrittenCapital13(i + 1))
                {
                    TryStreetAfterOn22(i + 1);
                }
            }
            else if (length == 2 && WordIs(i, "of") && IsPunct(i + 1, '\'') && IsNumber(i + 2, 2, 2) && Joined(i + 2) && IsFree(i + 2)
                && InRange(i - 1) && _run[i - 1] != 0 && _kind[i - 1] == PhiKind.Date && IsMonth(i - 1, strict: false))
            {
                // "June of '19": the year after the month a rule took.
                SetRun19(i, i + 2, i - 1);
            }
        }
        else if (length is 5 or 6 && first is 'f' or 'g' && IsPunct(i - 1, '"') && IsPunct(i + 1, '"') && Joined(i + 1) && IsPunct(i + 2, ':')
            && (WordIs(i, "family") || WordIs(i, "given")))
        {
            TryJsonNameValue22(i);
        }
    }

    /// <summary>The rules at a number: "d. 2/91" and a claim's spaced service dates.</summary>
    private void MarkNumbers22()
    {
        var header = -1;
        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            if (_t[i].Length <= 2 && IsPunct(i - 1, '.') && Joined(i - 1) && IsWord(i - 2) && _t[i - 2].Length == 1 && WordIs(i - 2, "d")
                && _t[i - 2].Is(TokenShape.Lower) && IsWord(i - 3))
            {
                // "Wife Earlene d. 2/91": died, then a month and a two-digit year.
                TryMonthYear20(i);
                continue;
            }

            if (i == 0 || _t[i].Is(TokenShape.LineBefore))
            {
                TrySpacedServiceDate22(i, ref header);
            }
        }
    }

    /// <summary>"... the eighteenth no": the word before a dictated correction's "make that" ends a date a rule took, with at most a "no" between.</summary>
    private bool IsDatedBefore22(int p)
    {
        if (WordIs(p, "no") || IsPunct(p, ','))
        {
            p--;
        }

        return InRange(p) && _run[p] != 0 && _kind[p] == PhiKind.Date;
    }

    /// <summary>"boat", "workboat", "skiff", "trawler", "seiner", "vessel": a word before a boat's name, by its last letters first.</summary>
    private bool IsBoatWordShape22(int i, int length)
    {
        var last = _text[_t[i].End - 1];
        return (length is 4 or 8 && last == 't') || (length == 5 && last == 'f') || (length is 6 or 7 && last is 'r' or 'l');
    }

    /// <summary>
    /// "on the mail boat Captain Jason II", "workboat \"Miss Ruth Ellen\"", "skiff \"Blueback 3\"", "F/V Northern Vigil": up
    /// to four capitalised words, roman numerals or a short number after a word for a boat, quoted or not, as the boat's
    /// name (an identifier), from <paramref name="start"/>.
    /// </summary>
    private void TryBoatName22(int start, int first)
    {
        var k = first;
        var quoted = IsPunct(k, '"') || IsPunct(k, '“');
        if (quoted)
        {
            k++;
        }

        if (!IsWord(k) || !IsWrittenCapital13(k) || _t[k].Is(TokenShape.LineBefore) || Has(k, Lex.Clinical | Lex.Month | Lex.Weekday) || IsFunctionWord(k))
        {
            return;
        }

        var end = k;
        for (var n = k + 1; n < k + 4 && InRange(n) && !_t[n].Is(TokenShape.LineBefore) && !Joined(n); n++)
        {
            var roman = IsWord(n) && _t[n].Is(TokenShape.Upper) && _t[n].Length <= 4 && Span(n).IndexOfAnyExcept("IVX") < 0;
            if ((IsWord(n) && IsWrittenCapital13(n) && !Has(n, Lex.Clinical | Lex.Month | Lex.Weekday)) || roman || IsNumber(n, 1, 3))
            {
                end = n;
                continue;
            }

            break;
        }

        if (quoted && !(IsPunct(end + 1, '"') || IsPunct(end + 1, '”')))
        {
            return;
        }

        // "the boat Dock": one ordinary word after a plain word for a boat is no name.
        if (!quoted && end == k && (L(k) & Lex.Common) != 0 && !(IsPunct(first - 1, '/') && WordIs(first - 2, "v")))
        {
            return;
        }

        Mark(start == first ? k : start, end, PhiKind.Id);
    }

    /// <summary>
    /// "Edinburgh Postnatal Depression Scale", "Volga German farmer", "Oglala Sioux Tribe": a town's name that no word of
    /// place introduces, before a word of a people or of a clinical scale, names the people or the scale, not where someone
    /// is. A town before a lower-case "clinic" stays marked ("the Pelican Rapids clinic"): the corpora label it the town,
    /// and a clinic named after its town names the town.
    /// </summary>
    private void UnmarkPlacesAsModifiers22()
    {
        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            if (_run[i] == 0 || _kind[i] != PhiKind.Location || !_t[i].Is(TokenShape.Capitalized) || (i > 0 && _run[i - 1] == _run[i]))
            {
                continue;
            }

            var end = i;
            while (InRange(end + 1) && _run[end + 1] == _run[i])
            {
                end++;
            }

            var p = i - 1;
            var n = end + 1;
            if (!IsWord(n) || Joined(n) || _t[n].Is(TokenShape.LineBefore) || (p >= 0 && !IsPunct(p) && IsWordOf(p, PlaceWords22)) || IsPunct(p, ',') || IsPunct(p, '('))
            {
                continue;
            }

            if (_run[n] == 0 && IsWrittenCapital13(n) && n - i <= 2 && (IsWordOf(n, PeopleAndScaleWords22) || (Has(n, Lex.Clinical) && !Has(n, Lex.Facility))))
            {
                for (var k = i; k <= end; k++)
                {
                    _run[k] = 0;
                    _kind[k] = default;
                }
            }
        }
    }

    /// <summary>
    /// "Jan 2O25", "Sep 2O24": a year read from a fax with the letter O or l for a digit, after a month.
    /// </summary>
    private void TryOcrYearAfterMonth22(int i)
    {
        // "Jan" a name rule took is the month here.
        if (!IsMonth(i - 1, strict: false) || (_run[i - 1] != 0 && _kind[i - 1] is not (PhiKind.Date or PhiKind.Name)) || _run[i] != 0
            || (InRange(i + 1) && Joined(i + 1) && !IsPunct(i + 1)))
        {
            return;
        }

        var year = 0;
        var digits = 0;
        foreach (var c in Span(i))
        {
            int d;
            if (char.IsAsciiDigit(c))
            {
                d = c - '0';
                digits++;
            }
            else if (c is 'O' or 'o')
            {
                d = 0;
            }
            else if (c is 'l' or 'I')
            {
                d = 1;
            }
            else
            {
                return;
            }

            year = (year * 10) + d;
        }

        if (digits >= 2 && year is >= 1900 and <= 2099)
        {
            Mark(i - 1, i, PhiKind.Date);
        }
    }

    /// <summary>
    /// "STAUFFACHER: Who else is around?": a transcript's speaker label in capitals at a line's start, when a rule took the
    /// same word as a name elsewhere in the text ("Clinician: Mayo Stauffacher").
    /// </summary>
    private void TrySpeakerLabel22(int i)
    {
        var span = Span(i);
        for (var c = 0; c < _capCount; c++)
        {
            var k = _caps[c];
            if (k != i && _t[k].Length == span.Length && _run[k] != 0 && _kind[k] == PhiKind.Name && Span(k).Equals(span, StringComparison.OrdinalIgnoreCase))
            {
                Mark(i, i, PhiKind.Name);
                return;
            }
        }
    }

    /// <summary>
    /// "Wife Unity Pribilof called", "Neighbour Rainbow Schmidtberger found him", "sister Sultana Varon": a given name and
    /// a surname in title case right after a kinship word, whatever the lists say of the given name; the surname is no
    /// ordinary word unless it is a listed surname, or a rule took it as a name already.
    /// </summary>
    private void TryRelativeFullName22(int i)
    {
        var g = i + 1;
        var s = i + 2;
        if (!IsFree(g) || _t[g].Is(TokenShape.LineBefore) || _t[s].Is(TokenShape.LineBefore) || _t[g].Length < 2 || _t[s].Length < 2 || Joined(g) || Joined(s))
        {
            return;
        }

        if (IsFunctionWord(g) || (L(g) & (NotGivenWord19 | Lex.Facility | Lex.Title)) != 0 || IsEponym(g) || IsSaint(g) || IsWordOf(g, Honorifics22))
        {
            return;
        }

        if (_run[s] != 0)
        {
            if (_kind[s] == PhiKind.Name)
            {
                Mark(g, g, PhiKind.Name);
            }

            return;
        }

        var surname = L(s);
        if (IsFunctionWord(s) || (surname & (NotGivenWord19 | Lex.Facility | Lex.Title)) != 0 || IsEponym(s)
            || ((surname & Lex.Common) != 0 && (surname & Lex.Surname) == 0) || IsFacilityName(s))
        {
            return;
        }

        MarkNameWords22(g, JoinedNameEnd(s));
    }

    /// <summary>
    /// "lives with him on Center, needs", "the old place on Front.", "walking on Cathedral without a coat", "he's on Main in
    /// Tomah", "stone house on Shake Rag (12 steps", "off Bucktooth Run in …": a street named by one or two capitalised
    /// words after "on" or "off", when a word of living or walking stands just before, or a town a rule took follows; the
    /// phrase must end at the street (a lower-case "road" after it may stand between).
    /// </summary>
    private void TryStreetAfterOn22(int x)
    {
        if (!IsStreetWord22(x))
        {
            return;
        }

        var last = x;
        var suffixed = false;
        if (IsWord(x + 1) && IsFree(x + 1) && IsWrittenCapital13(x + 1) && !Joined(x + 1) && !_t[x + 1].Is(TokenShape.LineBefore))
        {
            // "on Second St like always": a street's suffix, however short, closes the street whatever follows.
            suffixed = Has(x + 1, Lex.StreetSuffix);
            last = suffixed || IsStreetWord22(x + 1) ? x + 1 : x;
        }

        if (suffixed && (LivedBefore22(x) || IsNumberWordOrOrdinal22(x)))
        {
            Mark(x, IsPunct(x + 2, '.') && Joined(x + 2) ? x + 2 : x + 1, PhiKind.Address);
            return;
        }

        // "on Flat Town road in …": the lower-case word names the kind of street, not the street (left as written).
        var n = last + 1;
        if (IsWord(n) && !Joined(n) && _t[n].Is(TokenShape.Lower) && (WordIs(n, "road") || WordIs(n, "rd") || WordIs(n, "lane") || WordIs(n, "street")))
        {
            n++;
        }

        var ends = !InRange(n) || _t[n].Is(TokenShape.LineBefore) || IsPunct(n, ',') || IsPunct(n, '.') || IsPunct(n, ';') || IsPunct(n, ')') || IsPunct(n, '(')
            || WordIs(n, "in") || WordIs(n, "near") || WordIs(n, "without") || WordIs(n, "by") || WordIs(n, "with");
        if (!ends || (InRange(n) && Joined(n) && !IsPunct(n, ',') && !IsPunct(n, '.') && !IsPunct(n, ';') && !IsPunct(n, ')')))
        {
            return;
        }

        var town = (WordIs(n, "in") || IsPunct(n, ',')) && InRange(n + 1) && _run[n + 1] != 0 && _kind[n + 1] == PhiKind.Location;
        var lived = LivedBefore22(x);

        // "off Beaver Run": a name and a street's suffix ("Run", "Hollow") name a street by themselves.
        if (town || lived || (last > x && Has(last, Lex.StreetSuffix)))
        {
            Mark(x, last, PhiKind.Address);
        }
    }

    /// <summary>A word of living or walking ("lives", "house", "walking") among the few words before the "on" before <paramref name="x"/>, on its line.</summary>
    private bool LivedBefore22(int x)
    {
        for (var p = x - 2; p >= 0 && p >= x - 5 && !_t[p + 1].Is(TokenShape.LineBefore); p--)
        {
            if (IsWordOf(p, LivingWords22))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"Second", "Fifth": an ordinal street's name.</summary>
    private bool IsNumberWordOrOrdinal22(int x) => IsWordOf(x, OrdinalWords20);

    /// <summary>A capitalised word a street may be named by: no clinical, calendar, title, state, facility or given-name word.</summary>
    private bool IsStreetWord22(int x) =>
        _t[x].Length >= 3 && (L(x) & (Lex.Clinical | Lex.Month | Lex.Weekday | Lex.Title | Lex.State | Lex.Holiday | Lex.FirstName | Lex.Facility)) == 0
        && !IsFunctionWord(x) && !IsEponym(x);

    /// <summary>
    /// "family": "Ould Sidi", "given": ["Mariem", "Mint"]: the values of a person's name keys in JSON pasted into a prompt,
    /// one string or an array of them, are names whatever the lists say of their words.
    /// </summary>
    private void TryJsonNameValue22(int key)
    {
        var k = key + 3;
        var array = IsPunct(k, '[');
        if (array)
        {
            k++;
        }

        for (var values = 0; values < 4 && IsPunct(k, '"'); values++)
        {
            var first = k + 1;
            var close = first;
            while (close < first + Window && InRange(close) && !IsPunct(close, '"') && !_t[close].Is(TokenShape.LineBefore)
                && (IsWord(close) || IsPunct(close, '-') || IsPunct(close, '\'')))
            {
                close++;
            }

            if (close == first || !IsPunct(close, '"') || !IsWord(close - 1) || !IsWrittenCapital13(first) || AnyMarkedOtherThanName22(first, close - 1))
            {
                return;
            }

            MarkNameWords22(first, close - 1);
            if (!array || !IsPunct(close + 1, ','))
            {
                return;
            }

            k = close + 2;
        }
    }

    private bool AnyMarkedOtherThanName22(int from, int to)
    {
        for (var k = from; k <= to; k++)
        {
            if (_run[k] != 0 && _kind[k] != PhiKind.Name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"festival", "fest", "ceremony", "powwow", and the "wow" of "Pow-wow", tested by length and first letter first.</summary>
    private bool IsEventWord22(int i, char first, int length) => (length, first) switch
    {
        (8, 'f') => WordIs(i, "festival"),
        (4, 'f') => WordIs(i, "fest"),
        (8, 'c') => WordIs(i, "ceremony"),
        (6, 'p') => WordIs(i, "powwow"),
        (9, 'g') => WordIs(i, "gathering"),
        (3, 'w') => WordIs(i, "wow") && IsPunct(i - 1, '-') && Joined(i - 1) && Joined(i) && WordIs(i - 2, "pow") && _t[i - 2].Is(TokenShape.Capitalized),
        _ => false,
    };

    private bool IsTwoWordHolidayStart22(int i, char first, int length)
    {
        if (length > 7 || first is not ('y' or 'r' or 'm' or 'c' or 'a' or 'g' or 's' or 'n'))
        {
            return false;
        }

        if (first == 'n')
        {
            return length == 3 && WordIs(i, "new") && WordIs(i + 1, "year") && _t[i + 1].Is(TokenShape.Capitalized);
        }

        foreach (var (word, _, _) in TwoWordHolidays22)
        {
            if (WordIs(i, word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// "Yom Kippur", "All Souls", "after the Green Corn", "the New Year's powwow": a holiday of two capitalised words; the
    /// ones that are also ordinary words only after "the" or a word of time, and never before a capitalised word that
    /// makes them a place ("All Souls Church").
    /// </summary>
    private void TryTwoWordHoliday22(int i)
    {
        var second = i + 1;
        if (!IsWord(second) || !_t[second].Is(TokenShape.Capitalized) || Joined(second) || _t[second].Is(TokenShape.LineBefore) || _run[second] != 0)
        {
            return;
        }

        var cued = false;
        var known = WordIs(i, "new");
        foreach (var (word, next, needsCue) in TwoWordHolidays22)
        {
            if (WordIs(i, word) && WordIs(second, next))
            {
                known = true;
                cued = needsCue;
                break;
            }
        }

        if (!known)
        {
            return;
        }

        var end = second;
        if (IsPunct(end + 1, '\'') && Joined(end + 1) && WordIs(end + 2, "s") && Joined(end + 2))
        {
            end += 2;
        }

        if ((WordIs(end + 1, "day") || WordIs(end + 1, "eve") || WordIs(end + 1, "night")) && _t[end + 1].Is(TokenShape.Capitalized) && IsFree(end + 1))
        {
            end++;
        }
        else if (IsWord(end + 1) && _t[end + 1].Is(TokenShape.Capitalized) && !Joined(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore))
        {
            // "All Souls Church", "Mardi Gras Parade": the words name something else.
            return;
        }

        if (cued)
        {
            var before = WordBefore(i, 2);
            if (before < 0 || !(WordIs(before, "the") || IsDatePreposition(before) || WordIs(before, "for")))
            {
                return;
            }
        }

        Mark(i, end, PhiKind.Date);
    }

    /// <summary>
    /// "at the Cranberry Festival", "for the Cornish Festival", "since the Salmon Ceremony", "the Haliwa-Saponi Powwow",
    /// "around the Oneida Pow-wow": one to four capitalised words and a festival's word. A powwow is always a dated
    /// gathering; a festival, fest or ceremony only after a word of time (and "the"), so "Festival Grounds" stays a place.
    /// </summary>
    private void TryEvent22(int i)
    {
        var eventStart = WordIs(i, "wow") ? i - 2 : i;
        var powwow = eventStart != i || WordIs(i, "powwow");
        if (_t[eventStart].Is(TokenShape.LineBefore) || (IsWord(i + 1) && _t[i + 1].Is(TokenShape.Capitalized) && !Joined(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore)))
        {
            return;
        }

        // Back over the capitalised words, one hyphenated pair ("Haliwa-Saponi") counting as one, and a place or a name a
        // rule took among them ("Menominee Nation"), on the line.
        var start = eventStart;
        var words = 0;
        while (words < 4 && InRange(start - 1) && !_t[start].Is(TokenShape.LineBefore))
        {
            var p = start - 1;
            if (IsPunct(p, '-') && Joined(p) && Joined(start) && IsWord(p - 1) && _t[p - 1].Is(TokenShape.Capitalized) && words > 0)
            {
                start = p - 1;
                continue;
            }

            if (!IsWord(p) || !_t[p].Is(TokenShape.Capitalized)
                || (_run[p] != 0 && _kind[p] is not (PhiKind.Location or PhiKind.Name or PhiKind.Date))
                || Has(p, Lex.Clinical | Lex.Month | Lex.Weekday | Lex.Title | Lex.Facility) || WordIs(p, "the"))
            {
                break;
            }

            start = p;
            words++;
        }

        if (words == 0)
        {
            return;
        }

        var before = WordBefore(start, 2);
        if (before >= 0 && WordIs(before, "the"))
        {
            before = WordBefore(before, 1);
        }

        var cued = before >= 0 && (IsWordOf(before, FestivalCues20) || IsDatePreposition(before));
        if (!powwow && !cued)
        {
            return;
        }

        // A line that is only the festival's name is a heading.
        if (StartsLine(start) && (i + 1 >= Count || _t[i + 1].Is(TokenShape.LineBefore)))
        {
            return;
        }

        // Whole runs: a place a rule took among the words goes into the festival.
        while (start > 0 && _run[start] != 0 && _run[start - 1] == _run[start])
        {
            start--;
        }

        var end = i;
        while (InRange(end + 1) && _run[end] != 0 && _run[end + 1] == _run[end])
        {
            end++;
        }

        Mark(start, end, PhiKind.Date);
    }

    /// <summary>A word in capitals (or capitalised) before a joined comma, after a label of the person or a number a rule took as a licence or id on its line.</summary>
    private bool IsSurnameFirstStart22(int i)
    {
        var p = i - 1;
        if (IsPunct(p, ':'))
        {
            p--;
        }

        if (!InRange(p) || _t[i].Is(TokenShape.LineBefore))
        {
            return false;
        }

        if (IsWord(p))
        {
            return IsWordOf(p, SubjectLabels22);
        }

        // "1336047712 SHORT, LIBERTY": a billing row's rendering provider after the NPI, or in brackets after it (round 23).
        var bracketed = p == i - 1 && IsPunct(p, '(') && Joined(i);
        if (bracketed)
        {
            p--;
        }

        return (p == i - 1 || (bracketed && p == i - 2)) && IsNumber(p) && _run[p] != 0 && _kind[p] is PhiKind.License or PhiKind.Id;
    }

    /// <summary>
    /// "Pt PRIBILOF, ANATOLY "TOLIK" M", "Employee: Capoeman, Rocky J. "Bear"", "RE: S0CKABASIN, W1LLIAM": a surname, a comma
    /// and given names of the same case, with a middle initial and a quoted nickname, up to a wide gap or the line's end.
    /// </summary>
    private void TrySurnameFirst22(int i)
    {
        var upper = _t[i].Is(TokenShape.Upper);
        var given = i + 2;
        if (!IsNameShaped22(i, upper) || !InRange(given) || Joined(given) || _t[given].Is(TokenShape.LineBefore) || !IsNameShaped22(given, upper) || _t[given].Length < 2)
        {
            return;
        }

        var end = given;
        var k = given + 1;
        while (k < Count && k - given < Window && !_t[k].Is(TokenShape.LineBefore) && _t[k].Start - _t[k - 1].End <= 1)
        {
            if (IsPunct(k, '"') && InRange(k + 2) && IsWord(k + 1) && Joined(k + 1) && IsPunct(k + 2, '"') && Joined(k + 2))
            {
                // A quoted nickname.
                end = k + 2;
                k += 3;
            }
            else if (IsWord(k) && _t[k].Length == 1 && char.IsAsciiLetterUpper(_text[_t[k].Start]))
            {
                // A middle initial, with its full stop.
                end = IsPunct(k + 1, '.') && Joined(k + 1) ? k + 1 : k;
                k = end + 1;
            }
            else if (IsWord(k) && IsNameShaped22(k, upper) && _t[k].Length >= 2 && _run[k] == 0 && !Has(k, Lex.Title | Lex.NameLabel))
            {
                end = k;
                k++;
            }
            else
            {
                break;
            }
        }

        // After a label, an ordinary word first ("RE: APPEAL, URGENT", "CONFIDENTIAL, DO NOT FAX") is no surname; a
        // billing row's may be.
        if (!IsNumber(i - 1) && Has(i, Lex.Common) && !Has(i, Lex.Name))
        {
            return;
        }

        for (var m = i; m <= end; m++)
        {
            if (_run[m] != 0 && _kind[m] != PhiKind.Name)
            {
                return;
            }
        }

        MarkNameWords22(i, end);
    }

    /// <summary>
    /// Each word of a name from <paramref name="from"/> to <paramref name="to"/> as its own name (a hyphenated one as one),
    /// as the other name rules mark them: the protector then gives "Lopez" the same placeholder here and in "Ms. Lopez".
    /// A word a rule already took as a name keeps its run.
    /// </summary>
    private void MarkNameWords22(int from, int to)
    {
        for (var k = from; k <= to; k++)
        {
            if (_t[k].Type == TokenType.Punct || (_run[k] != 0 && _kind[k] == PhiKind.Name))
            {
                continue;
            }

            var end = Math.Min(JoinedNameEnd(k), to);
            Mark(k, end, PhiKind.Name);
            k = end;
        }
    }

    /// <summary>A word of a name in the given case, or one read from a fax with 0 and 1 among its capitals ("S0CKABASIN"), and no clinical word.</summary>
    private bool IsNameShaped22(int k, bool upper)
    {
        if (!InRange(k))
        {
            return false;
        }

        if (_t[k].Type == TokenType.Alnum)
        {
            if (!upper || !_t[k].Is(TokenShape.Upper) || _t[k].Length < 4)
            {
                return false;
            }

            var letters = 0;
            foreach (var c in Span(k))
            {
                if (c is not ('0' or '1') && !char.IsAsciiLetterUpper(c))
                {
                    return false;
                }

                letters += char.IsAsciiLetterUpper(c) ? 1 : 0;
            }

            return letters * 4 >= _t[k].Length * 3 && char.IsAsciiLetterUpper(_text[_t[k].Start]);
        }

        return _t[k].Type == TokenType.Word && (upper ? _t[k].Is(TokenShape.Upper) : _t[k].Is(TokenShape.Capitalized)) && !IsFunctionWord(k)
            && !Has(k, Lex.Clinical | Lex.Month | Lex.Weekday | Lex.State | Lex.MeasureUnit | Lex.IdentifierCue);
    }

    /// <summary>
    /// "exported by anmc\kshort", "copied by tulalip.hc\ewilliams", "Called by scahc\mtsosie": a domain (with its dotted
    /// parts) and a user in lower case after "by" or a word of a keyboard's user; the user with a digit or a domain in
    /// capitals is round 19's.
    /// </summary>
    private void TryLowerDomainLogin22(int i)
    {
        var u = i + 2;
        if (!IsWord(u) || !Joined(u) || !_t[u].Is(TokenShape.Lower) || _t[u].Length < 3 || (InRange(u + 1) && Joined(u + 1) && !IsPunct(u + 1, '.') && !IsPunct(u + 1, ',')))
        {
            return;
        }

        // A path goes on ("\share\kshort\file"); a dotted domain ("tulalip.hc") counts from its first part.
        if (InRange(u + 1) && IsPunct(u + 1, '.') && Joined(u + 1) && InRange(u + 2) && Joined(u + 2) && !IsPunct(u + 2))
        {
            return;
        }

        var s = i;
        while (s - i > -6 && IsPunct(s - 1, '.') && Joined(s) && IsWord(s - 2) && Joined(s - 1) && _t[s - 2].Is(TokenShape.Lower))
        {
            s -= 2;
        }

        if (Joined(s) && IsPunct(s - 1))
        {
            return;
        }

        var p = s - 1;
        if (IsPunct(p, ':'))
        {
            p--;
        }

        if (!IsWord(p) || !IsLoginRole19(p) || AnyMarked(s, u))
        {
            return;
        }

        Mark(s, u, PhiKind.Id);
    }

    /// <summary>
    /// "from Rhodes Point", "Marysville/Priest Point", "Sipayik Rd, Pleasant Point": one or two capitalised words and
    /// "Point" after a place's preposition, a town and a slash, or a street and a comma; not a trigger or pressure point.
    /// </summary>
    private void TryPointTown22(int i)
    {
        var start = i - 1;
        if (!IsWord(start) || !IsFree(start) || !_t[start].Is(TokenShape.Capitalized) || Joined(i) || _t[i].Is(TokenShape.LineBefore)
            || Has(start, Lex.Clinical | Lex.Month | Lex.Weekday | Lex.Title | Lex.State) || IsWordOf(start, NotTownPoints22))
        {
            return;
        }

        if (IsWord(i + 1) && _t[i + 1].Is(TokenShape.Capitalized) && !Joined(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore))
        {
            // "Pleasant Point Health Center" names a facility.
            return;
        }

        var p = start - 1;
        var cued = (IsWordOf(p, TownCues19) && !_t[start].Is(TokenShape.LineBefore))
            || (IsPunct(p, '/') && InRange(p - 1) && _run[p - 1] != 0 && _kind[p - 1] == PhiKind.Location)
            || (IsPunct(p, ',') && InRange(p - 1) && _run[p - 1] != 0 && _kind[p - 1] == PhiKind.Address && !_t[start].Is(TokenShape.LineBefore));
        if (cued)
        {
            Mark(start, i, PhiKind.Location);
        }
    }

    /// <summary>
    /// A claim's service lines ("  11 17 26  21  99223 ..."): a line opening with a month, a day and a year written with
    /// single spaces and then a wider gap, under a header that names a date of service (looked for once a text).
    /// </summary>
    private void TrySpacedServiceDate22(int i, ref int header)
    {
        if (_t[i].Length > 2 || !IsNumber(i + 1, 2, 2) || !IsNumber(i + 2) || _t[i + 2].Length is not (2 or 4) || _run[i] != 0)
        {
            return;
        }

        if (_t[i + 1].Start != _t[i].End + 1 || _t[i + 2].Start != _t[i + 1].End + 1 || _t[i + 1].Is(TokenShape.LineBefore) || _t[i + 2].Is(TokenShape.LineBefore))
        {
            return;
        }

        if (Value(i) is < 1 or > 12 || Value(i + 1) is < 1 or > 31 || (_t[i + 2].Length == 4 && !IsYear(Value(i + 2)))
            || (InRange(i + 3) && !_t[i + 3].Is(TokenShape.LineBefore) && _t[i + 3].Start - _t[i + 2].End < 2))
        {
            return;
        }

        if (header < 0)
        {
            header = ServiceDateHeader22(i) ? 1 : 0;
        }

        if (header == 1 && !AnyMarked(i, i + 2))
        {
            Mark(i, i + 2, PhiKind.Date);
        }
    }

    /// <summary>Whether one of the few lines above <paramref name="i"/> holds "DOS" or "Date of service".</summary>
    private bool ServiceDateHeader22(int i)
    {
        var lines = 0;
        for (var p = i - 1; p >= 0 && lines < 6; p--)
        {
            if (_t[p].Is(TokenShape.LineBefore))
            {
                lines++;
            }

            if (_t[p].Type == TokenType.Word && _t[p].Length == 3 && _t[p].Is(TokenShape.Upper) && WordIs(p, "dos"))
            {
                return true;
            }

            if (WordIs(p, "service") && WordIs(p - 1, "of") && WordIs(p - 2, "date"))
            {
                return true;
            }
        }

        return false;
    }
}
