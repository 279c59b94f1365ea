namespace XefAI.Data.Deidentification;

/// <summary>
/// Names in chat prompts (round 13): a lower-case name after "pt is" or a self-introduction ("hi its carmen lopez"), two
/// ordinary words as a name after "for", "to" or "about" at a prompt's start when an age, a parenthesis or a suffix
/// follows ("Note for Hunter Bell (age 92)"), a month used as a given name ("daughter April Bell", "June Alvarez"), an
/// ordinary word used as a given name before "called back" or "is his daughter", and an imperative verb ("Tell Buck")
/// taken out of the name after it.
/// </summary>
internal sealed partial class Scan
{
    // Letters and lengths of the months this text uses as given names: their repeats ("June's husband") are names too.
    private ulong _monthNameFirsts13;
    private ulong _monthNameLengths13;

    /// <summary>Runs inside the name pass, before the repeats, so that the names marked here are found again alone.</summary>
    private void MarkChatNames13()
    {
        _monthNameFirsts13 = 0;
        _monthNameLengths13 = 0;
        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if (_t[i].Type != TokenType.Word)
            {
                continue;
            }

            // The cue words' first letters and lengths are tested before any word is compared: most words have neither.
            var length = _t[i].Length;
            var letter = _text[_t[i].Start];
            if ((_lex[i] & Lex.Month) != 0 && length >= 3 && IsWrittenCapital13(i))
            {
                MonthAsGivenName13(i);
            }
            else if (IsLowerCueShape13(letter, length) && _t[i].Is(TokenShape.Lower))
            {
                LowerCuedName13(i);
            }

            if (IsPairCueShape13(letter, length) && IsCapitalizedPairCue13(i))
            {
                CapitalizedPairAfterCue13(i + 1);
            }
        }

        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            if (IsFree(i) && IsWrittenCapital13(i) && _t[i].Length >= 3 && InRange(i + 1)
                && (IsWord(i + 1) ? IsGivenNameFollower13(i + 1) : IsRelationAside13(i + 1) || IsAfterContactCue13(i)))
            {
                CommonGivenName13(i);
            }
        }

        if (_monthNameLengths13 != 0)
        {
            MonthNameRepeats13();
        }
    }

    // Capitalized as written (a text typed in lower case is treated as capitalized; this asks for the letter itself), not in capitals.
    private bool IsWrittenCapital13(int i) => _t[i].Is(TokenShape.Capitalized) && !_t[i].Is(TokenShape.Upper) && char.IsUpper(_text[_t[i].Start]);

    // "pt", "pts", "patient", "i", "im", "it", "its", "this", "my": the first letter and length of a lower-case cue.
    private static bool IsLowerCueShape13(char letter, int length) => letter switch
    {
        'p' => length is 2 or 3 or 7,
        'i' => length <= 3,
        't' => length == 4,
        'm' => length == 2,
        _ => false,
    };

    // "for", "to", "about", in any case.
    private static bool IsPairCueShape13(char letter, int length) => (letter | 0x20) switch
    {
        'f' => length == 3,
        't' => length == 2,
        'a' => length == 5,
        _ => false,
    };

    // ---- 1. Lower-case names after "pt is", "pt:", "pt name" and introductions ----

    private void LowerCuedName13(int i)
    {
        var start = LowerNameStart13(i);
        if (start < 0 || !IsWord(start) || !_t[start].Is(TokenShape.Lower) || !IsFree(start) || _t[start].Is(TokenShape.LineBefore))
        {
            return;
        }

        // The given name: a listed first name that is no clinical word and no cue word ("will", "may").
        if ((_lex[start] & ~(Lex.Lists | Lex.Partial | Lex.WordRuleStart)) != 0 || _t[start].Length < 2)
        {
            return;
        }

        var first = L(start);
        if ((first & Lex.FirstName) == 0 || (first & Lex.Clinical) != 0)
        {
            return;
        }

        var second = start + 1;
        // The surname: a listed name or a word no list knows; a street word ("park") only where the name ends.
        var paired = IsWord(second) && _t[second].Is(TokenShape.Lower) && IsFree(second) && !_t[second].Is(TokenShape.LineBefore) && _t[second].Length >= 2
            && ((_lex[second] & ~(Lex.Lists | Lex.Partial | Lex.WordRuleStart)) == 0 || ((_lex[second] & ~(Lex.Lists | Lex.Partial | Lex.WordRuleStart | Lex.StreetSuffix)) == 0 && IsClosed13(second)))
            && L(second) is var surname && (surname & Lex.Clinical) == 0 && ((surname & Lex.Name) != 0 || (surname == Lex.None && _t[second].Length >= 3));
        var end = paired ? second : start;

        // The name ends the clause or comes before an age: "pt is john smith 45yo", "hi its carmen lopez, my son…". Before
        // another word both must be listed names that no list takes for ordinary words ("britt jaydens mom" is a possessive).
        var ordinary = (first & Lex.Common) != 0 || (paired && ((L(second) & Lex.Common) != 0 || (L(second) & Lex.Name) == 0));
        if (!IsClosed13(end) && (ordinary || !paired))
        {
            return;
        }

        // A first name alone that is also a word ("pt is fine") is not taken.
        if (!paired && (first & Lex.Common) != 0)
        {
            return;
        }

        Mark(start, start, PhiKind.Name);
        if (paired)
        {
            Mark(second, second, PhiKind.Name);
        }
    }

    /// <summary>
    /// Where a name starts after the cue at <paramref name="i"/>: "pt is", "patient is", "pt:", "pt name", "pt name is",
    /// "patient name:", and at a sentence's start or after a greeting "its", "it's", "im", "i'm", "this is", "my name is",
    /// "i am". -1 when <paramref name="i"/> is no such cue.
    /// </summary>
    private int LowerNameStart13(int i)
    {
        if (WordIs(i, "pt") || WordIs(i, "patient") || WordIs(i, "pts"))
        {
            if (WordIs(i + 1, "is") || IsPunct(i + 1, ':'))
            {
                return i + 2;
            }

            if (WordIs(i + 1, "name"))
            {
                return WordIs(i + 2, "is") || IsPunct(i + 2, ':') ? i + 3 : i + 2;
            }

            // "he's my patient benjamin cho, 44": the name right after "my" or "our patient".
            return WordIs(i - 1, "my") || WordIs(i - 1, "our") ? i + 1 : -1;
        }

        if (WordIs(i, "its") || WordIs(i, "im"))
        {
            return IntroductionOpens13(i) ? i + 1 : -1;
        }

        // "it's", "i'm": the word, an apostrophe and the contraction's letter, all joined.
        if ((WordIs(i, "it") || WordIs(i, "i")) && (IsPunct(i + 1, '\'') || IsPunct(i + 1, '’')) && Joined(i + 1) && Joined(i + 2)
            && (WordIs(i + 2, "s") || WordIs(i + 2, "m")))
        {
            return IntroductionOpens13(i) ? i + 3 : -1;
        }

        // "this is", "my name is", "i am" in lower case (the introductions pass takes the listed first names; a surname
        // no list knows after them is taken here).
        if ((WordIs(i, "this") && WordIs(i + 1, "is")) || (WordIs(i, "i") && WordIs(i + 1, "am")))
        {
            return IntroductionOpens13(i) ? i + 2 : -1;
        }

        return WordIs(i, "my") && WordIs(i + 1, "name") && WordIs(i + 2, "is") ? i + 3 : -1;
    }

    // Nothing more of the name can follow token <paramref name="end"/>: punctuation, a line's or the text's end, an age.
    private bool IsClosed13(int end) =>
        !InRange(end + 1) || IsPunct(end + 1) || _t[end + 1].Is(TokenShape.LineBefore) || IsNumber(end + 1) || _t[end + 1].Type == TokenType.Alnum;

    // An introduction starts its sentence or follows a greeting: "hi its carmen", "hello, this is dana".
    private bool IntroductionOpens13(int i)
    {
        if (StartsSentence(i) || IsPunct(i - 1, ','))
        {
            return true;
        }

        var before = WordBefore(i, 2);
        return before >= 0 && (L(before) & Lex.Salutation) != 0;
    }

    // ---- 2. Two capitalized words after "for", "to", "about" at a prompt's start ----

    // "for", "to", "about" in the first words of a line ("Note for", "Discharge instructions for", "Write a letter to").
    private bool IsCapitalizedPairCue13(int i)
    {
        if (!(WordIs(i, "for") || WordIs(i, "to") || WordIs(i, "about")) || !IsWord(i + 1) || !IsWrittenCapital13(i + 1)
            || _t[i + 1].Is(TokenShape.LineBefore))
        {
            return false;
        }

        for (var p = i; p >= 0 && p > i - 8; p--)
        {
            if (StartsLine(p))
            {
                return true;
            }

            if (IsPunct(p - 1, '.') || IsPunct(p - 1, '?') || IsPunct(p - 1, '!') || IsPunct(p - 1, ';'))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// "Note for Hunter Bell (age 92)", "for Sterling Price III.", "to Forest Gale, 61": two capitalized words, ordinary or
    /// not, are a name when what follows them can only follow a person's name: an age, a parenthesis, a generational suffix.
    /// </summary>
    private void CapitalizedPairAfterCue13(int j)
    {
        var k = j + 1;
        if (!IsWord(k) || !IsWrittenCapital13(k) || _t[k].Is(TokenShape.LineBefore) || !IsFree(j) || !IsFree(k)
            || !IsPairWord13(j) || !IsPairWord13(k))
        {
            return;
        }

        var n = k + 1;
        var follows = (IsPunct(n, '(') && IsPersonInParenthesis13(n + 1))
            || (IsPunct(n, ',') && (IsAgeLike13(n + 1) || WordIs(n + 1, "age") || WordIs(n + 1, "aged")))
            || (IsAgeLike13(n) && !_t[n].Is(TokenShape.LineBefore))
            || WordIs(n, "age") || WordIs(n, "aged")
            || (IsWord(n) && !_t[n].Is(TokenShape.LineBefore) && (WordIs(n, "jr") || WordIs(n, "sr") || WordIs(n, "ii") || WordIs(n, "iii") || WordIs(n, "iv")));
        if (!follows)
        {
            return;
        }

        Mark(j, JoinedNameEnd(j), PhiKind.Name);
        Mark(k, JoinedNameEnd(k), PhiKind.Name);
    }

    // "(age 92)", "(92 y)", "(daughter)", "(DOB …)", "(she/her)": what a parenthesis after a person's name holds.
    private bool IsPersonInParenthesis13(int p) =>
        IsAgeLike13(p) || WordIs(p, "age") || WordIs(p, "aged") || WordIs(p, "dob") || WordIs(p, "mrn") || WordIs(p, "pt") || WordIs(p, "patient")
        || WordIs(p, "she") || WordIs(p, "he") || WordIs(p, "they") || WordIs(p, "goes") || (IsWord(p) && (L(p) & Lex.Relation) != 0);

    // A word that may be half of a name: no clinical (unless also a name: "Bell"), calendar, place, title or facility word, and not a function word.
    private bool IsPairWord13(int j) =>
        _t[j].Length >= 2 && ((L(j) & Lex.Clinical) == 0 || (L(j) & Lex.Name) != 0) && (L(j) & (Lex.Month | Lex.Weekday | Lex.State | Lex.Title | Lex.Credential | Lex.Facility | Lex.Holiday
            | Lex.MeasureUnit | Lex.EponymNoun | Lex.IdentifierCue | Lex.StreetSuffix | Lex.Direction)) == 0 && !IsFunctionWord(j);

    // "92", "45yo", "58F", "71M": an age of one to three digits, with a unit or a sex joined or not.
    private bool IsAgeLike13(int n)
    {
        if (!InRange(n))
        {
            return false;
        }

        if (_t[n].Type == TokenType.Number)
        {
            return _t[n].Length <= 3;
        }

        if (_t[n].Type != TokenType.Alnum || _t[n].Length > 6)
        {
            return false;
        }

        var span = Span(n);
        var digits = 0;
        while (digits < span.Length && char.IsAsciiDigit(span[digits]))
        {
            digits++;
        }

        var rest = span[digits..];
        return digits is >= 1 and <= 3
            && (rest.Equals("yo", StringComparison.OrdinalIgnoreCase) || rest.Equals("y", StringComparison.OrdinalIgnoreCase)
                || rest.Equals("m", StringComparison.OrdinalIgnoreCase) || rest.Equals("f", StringComparison.OrdinalIgnoreCase)
                || rest.Equals("yom", StringComparison.OrdinalIgnoreCase) || rest.Equals("yof", StringComparison.OrdinalIgnoreCase));
    }

    // ---- 3. A month as a given name ----

    /// <summary>
    /// "daughter April Bell", "June Alvarez, 58F": a month after a relation word, or before a capitalized surname (and no
    /// day or year), is a given name; the surname after it goes too. A date the format rules made of the month alone is
    /// taken back.
    /// </summary>
    private void MonthAsGivenName13(int i)
    {
        // Only the month alone (a run of its own), or free; one the name rules took already is remembered for its repeats.
        if (_run[i] != 0 && _kind[i] == PhiKind.Name && (IsWord(i + 1) && _run[i + 1] != 0 && _kind[i + 1] == PhiKind.Name))
        {
            RememberMonthName13(i);
            return;
        }

        if (_run[i] != 0 && (_kind[i] != PhiKind.Date || (InRange(i - 1) && _run[i - 1] == _run[i]) || (InRange(i + 1) && _run[i + 1] == _run[i])))
        {
            return;
        }

        var next = i + 1;
        if (IsNumber(next) || (InRange(next) && _t[next].Type == TokenType.Alnum) || (IsPunct(next, ',') && IsNumber(next + 1) && _t[next + 1].Length == 4))
        {
            return;
        }

        // A surname the name rules took already ("June Alvarez": the surname alone) counts as one.
        var named = IsWord(next) && _run[next] != 0 && _kind[next] == PhiKind.Name && IsWrittenCapital13(next) && !_t[next].Is(TokenShape.LineBefore);
        var surname = named || (IsWord(next) && IsWrittenCapital13(next) && !_t[next].Is(TokenShape.LineBefore) && IsFree(next) && _t[next].Length >= 2
            && L(next) is var lex && ((lex & Lex.Surname) != 0 || lex == Lex.None)
            && (lex & (Lex.Clinical | Lex.Month | Lex.Weekday | Lex.Holiday | Lex.State | Lex.Title | Lex.Credential | Lex.Facility | Lex.DateCue)) == 0
            && !IsNumber(next + 1) && !IsFunctionWord(next));
        var related = WordBefore(i, 2) is var before and >= 0 && (L(before) & Lex.Relation) != 0 && !_t[i].Is(TokenShape.LineBefore);

        // "Admitted in June Sato was…", "since March Harlan…": after a word that opens a time, the month is one.
        if (surname && !related && IsBeforeTime13(i - 1))
        {
            return;
        }

        if (!surname && !related)
        {
            return;
        }

        Mark(i, i, PhiKind.Name);
        if (surname && !named)
        {
            Mark(next, JoinedNameEnd(next), PhiKind.Name);
        }

        RememberMonthName13(i);
    }

    private bool IsBeforeTime13(int p) =>
        WordIs(p, "in") || WordIs(p, "on") || WordIs(p, "since") || WordIs(p, "until") || WordIs(p, "till") || WordIs(p, "by") || WordIs(p, "of")
        || WordIs(p, "during") || WordIs(p, "from") || WordIs(p, "through") || WordIs(p, "before") || WordIs(p, "after") || WordIs(p, "early")
        || WordIs(p, "late") || WordIs(p, "mid") || WordIs(p, "last") || WordIs(p, "next") || WordIs(p, "this") || WordIs(p, "every") || WordIs(p, "into")
        || WordIs(p, "til") || WordIs(p, "thru") || WordIs(p, "around") || WordIs(p, "between") || WordIs(p, "and") || WordIs(p, "or") || WordIs(p, "to");

    private void RememberMonthName13(int i)
    {
        var first = _text[_t[i].Start] | 0x20;
        if (first is >= 'a' and <= 'z' && _t[i].Length < 64)
        {
            _monthNameFirsts13 |= 1UL << (first - 'a');
            _monthNameLengths13 |= 1UL << _t[i].Length;
        }
    }

    // "June's husband", "April is POA": the month named as a given name, again as a subject and taken for a date.
    private void MonthNameRepeats13()
    {
        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            if ((_lex[i] & Lex.Month) == 0 || _run[i] == 0 || _kind[i] != PhiKind.Date || !_t[i].Is(TokenShape.Capitalized)
                || ((_monthNameLengths13 >> _t[i].Length) & 1) == 0 || ((_monthNameFirsts13 >> ((_text[_t[i].Start] | 0x20) - 'a')) & 1) == 0
                || (InRange(i - 1) && _run[i - 1] == _run[i]) || (InRange(i + 1) && _run[i + 1] == _run[i]) || !SubjectOrAddressed(i))
            {
                continue;
            }

            // The same month word: one of the names marked above.
            for (var c2 = 0; c2 < _capCount; c2++)
            {
                var m = _caps[c2];
                if (m != i && _kind[m] == PhiKind.Name && _run[m] != 0 && _t[m].Length == _t[i].Length && Span(m).Equals(Span(i), StringComparison.OrdinalIgnoreCase))
                {
                    Mark(i, i, PhiKind.Name);
                    break;
                }
            }
        }
    }

    // ---- 5. An ordinary word as a given name before what only a person does or is ----

    // The first test of the followers, on the next word alone: "called", "is", "says", "wants" or a parenthesis or dash.
    private bool IsGivenNameFollower13(int n) =>
        (_t[n].Length == 6 && WordIs(n, "called")) || (_t[n].Length == 2 && WordIs(n, "is")) || WordIs(n, "says") || WordIs(n, "wants");

    // "(daughter)", "- son": a relation in parentheses or after a spaced dash.
    private bool IsRelationAside13(int p) =>
        (IsPunct(p, '(') && IsWord(p + 1) && IsPunct(p + 2, ')') && (L(p + 1) & Lex.Relation) != 0)
        || ((IsPunct(p, '-') || IsPunct(p, '—')) && _t[p].Is(TokenShape.SpaceBefore) && IsWord(p + 1) && _t[p + 1].Is(TokenShape.SpaceBefore)
            && (L(p + 1) & Lex.Relation) != 0);

    // "spoke with Dawn,", "per Hope.", "cc: Rose", "FYI Dawn;": a name closed by punctuation after a cue of who was contacted.
    private bool IsAfterContactCue13(int i)
    {
        if (!(IsPunct(i + 1, ',') || IsPunct(i + 1, '.') || IsPunct(i + 1, ';') || IsPunct(i + 1, ')')) || (InRange(i + 2) && IsPunct(i + 1, '.') && Joined(i + 2)))
        {
            return false;
        }

        var p = IsPunct(i - 1, ':') ? i - 2 : i - 1;
        return (WordIs(p, "with") && (WordIs(p - 1, "spoke") || WordIs(p - 1, "talked") || WordIs(p - 1, "discussed")))
            || WordIs(p, "per") || WordIs(p, "cc") || WordIs(p, "fyi");
    }

    /// <summary>
    /// "Also Dawn called back", "Dawn is his daughter", "Rose says she…": a capitalized first name that is also an ordinary
    /// word, before "called back", "is his/her daughter", or (not starting its sentence) "says", "wants".
    /// </summary>
    private void CommonGivenName13(int i)
    {
        var lex = L(i);
        if ((lex & Lex.FirstName) == 0 || (lex & (Lex.Clinical | Lex.Month | Lex.Weekday | Lex.Title | Lex.Credential | Lex.Facility | Lex.State | Lex.Holiday)) != 0
            || IsFunctionWord(i) || IsEponym(i))
        {
            return;
        }

        var n = i + 1;
        bool person;
        if (!IsWord(n))
        {
            // "Dawn (daughter)", "Dawn - son", or a name closed by punctuation after "spoke with", "per", "cc:", "FYI".
            person = true;
        }
        else if (WordIs(n, "called"))
        {
            person = WordIs(n + 1, "back");
        }
        else if (WordIs(n, "is"))
        {
            // "is his daughter", "is the pt's son", "is her mother's caregiver".
            var owner = n + 1;
            person = WordIs(owner, "his") || WordIs(owner, "her") || WordIs(owner, "their") || WordIs(owner, "my") || WordIs(owner, "the");
            if (person)
            {
                var r = owner + 1;
                if ((WordIs(r, "pt") || WordIs(r, "patient") || WordIs(r, "pts")) && (IsPunct(r + 1, '\'') || IsPunct(r + 1, '’')))
                {
                    r += WordIs(r + 3, "s") || Joined(r + 2) && WordIs(r + 2, "s") ? 3 : 2;
                }

                person = IsWord(r) && (L(r) & Lex.Relation) != 0;
            }
        }
        else
        {
            // "says", "wants": not at a sentence's start, where "Hope says" may be a word.
            person = !StartsSentence(i) && !IsPunct(i - 1, ',');
        }

        if (person)
        {
            Mark(i, JoinedNameEnd(i), PhiKind.Name);
        }
    }

    // ---- 4. An imperative verb before a name ----

    /// <summary>
    /// "Tell Buck his potassium was fine", "Remind Jim about labs": a verb that opens a sentence and addresses the person
    /// after it is not part of that person's name. Runs last, after every pass that may have joined the two.
    /// </summary>
    private void UnmarkImperativeVerbs13()
    {
        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            if (_run[i] == 0 || _kind[i] != PhiKind.Name || !_t[i].Is(TokenShape.Capitalized) || _t[i].Length is < 3 or > 6
                || !IsWord(i + 1) || _run[i + 1] == 0 || _kind[i + 1] != PhiKind.Name || !IsImperative13(i) || !StartsSentence(i))
            {
                continue;
            }

            if (_run[i + 1] == _run[i])
            {
                // One run for both: the name after the verb keeps it alone.
                _runs++;
                for (var k = i + 1; InRange(k) && _run[k] == _run[i]; k++)
                {
                    _run[k] = _runs;
                }
            }

            _run[i] = 0;
            _kind[i] = default;
        }
    }

    private bool IsImperative13(int i) =>
        WordIs(i, "tell") || WordIs(i, "ask") || WordIs(i, "remind") || WordIs(i, "thank") || WordIs(i, "inform") || WordIs(i, "notify")
        || WordIs(i, "text") || WordIs(i, "email") || WordIs(i, "let") || WordIs(i, "call") || WordIs(i, "page") || WordIs(i, "update")
        || WordIs(i, "have") || WordIs(i, "help");
}
