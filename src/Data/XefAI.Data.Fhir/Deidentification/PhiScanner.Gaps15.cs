namespace XefAI.Data.Deidentification;

/// <summary>
/// Round 15: shapes of new document formats. A blood unit's ISBT 128 donation number with its flag character
/// ("W0412 26 339018 Y"); a plate after a state's code and a vehicle word ("truck plate MN GRX 771", "snowmobile reg MN
/// 6641 RS"); a speaker's surname as a transcript labels it ("[00:11] BAKER: ..."); a patient's name
/// at the head of a handoff bullet before the age and sex ("• Lind, Oskar "Ozzie" 81M"); and in dictation typed in lower
/// case, spoken digits after an identifier cue (with spelled letters before them: "claim number is d o l one one ..."),
/// after a correction ("scratch that one one ..."), and a spoken ZIP after the town.
/// </summary>
internal sealed partial class Scan
{
    // Set when the text is typed in lower case and its words are judged as if capitalized (the dictation rules need it).
    private bool _lowerText15;

    /// <summary>Round 15's pass: one walk over the lettered tokens, each rule behind a test of the token's shape.</summary>
    private void MarkGaps15()
    {
        for (var w = 0; w < _letteredCount; w++)
        {
            var i = _lettered[w];
            if (_t[i].Type == TokenType.Alnum)
            {
                if (_t[i].Length == 5)
                {
                    TryBloodUnit15(i);
                }

                continue;
            }

            if (_t[i].Is(TokenShape.Lower))
            {
                if (_t[i].Length == 3 && IsPunct(i - 1, '"') && IsPunct(i + 1, '"') && WordIs(i, "age"))
                {
                    TryJsonAge15(i);
                }
                else if (_t[i].Length is 3 or 4 or 5 && IsPunct(i + 1, '-') && Joined(i + 1) && Joined(i + 2) && IsFree(i)
                    && (WordIs(i, "mid") || WordIs(i, "early") || WordIs(i, "late")))
                {
                    TryPartOfMonth15(i);
                }

                continue;
            }

            if (_t[i].Length >= 3 && IsPunct(i - 1, '"') && IsPunct(i + 1, '"') && Joined(i + 1) && EndsWithIdKey15(i))
            {
                TryJsonIdentifier15(i);
                continue;
            }

            if (!IsFree(i))
            {
                // A surname a name rule took at the head of a bullet, its given names left ("• Lind, Oskar 81M").
                if (_kind[i] == PhiKind.Name && IsPunct(i + 1, ',') && StartsBullet15(i))
                {
                    TryHandoffName15(i);
                }
                else if (_kind[i] == PhiKind.Name && _t[i].Length is 3 or 5)
                {
                    UnmarkLanguageOrHeading15(i);
                }
                else if (_kind[i] == PhiKind.Id && _t[i].Length is 2 or 3 && _t[i].Is(TokenShape.Upper))
                {
                    UnmarkFormName15(i);
                }

                continue;
            }

            if (_t[i].Length is 3 or 4 or 5 && IsPunct(i + 1, '-') && Joined(i + 1) && Joined(i + 2) && (WordIs(i, "mid") || WordIs(i, "early") || WordIs(i, "late")))
            {
                TryPartOfMonth15(i);
                continue;
            }

            if (_t[i].Length == 2 && _t[i].Is(TokenShape.Upper))
            {
                TryPlateAfterState15(i);
                if (IsFree(i) && IsPunct(i - 1, ','))
                {
                    TryTownAfterFacility15(i);
                }
            }
            else if (IsPunct(i + 1, ':') && Joined(i + 1) && _t[i].Is(TokenShape.Upper) && _t[i].Length >= 3)
            {
                TrySpeakerLabel15(i);
            }
            else if (IsPunct(i + 1, ',') && _t[i].Is(TokenShape.Capitalized) && _t[i].Length >= 2 && StartsBullet15(i))
            {
                TryHandoffName15(i);
            }
        }

        if (_lowerText15)
        {
            MarkSpokenNumbers15();
        }
    }

    // ---- Identifiers ----

    /// <summary>
    /// "units W0412 26 339018 Y": an ISBT 128 donation identification number (a letter and four digits for the facility,
    /// two for the year, six for the sequence) and the flag character after it. A number another rule took in part keeps
    /// its kind and gains the flag.
    /// </summary>
    private void TryBloodUnit15(int i)
    {
        var span = Span(i);
        if (span[0] is < 'A' or > 'Z' || !char.IsAsciiDigit(span[1]) || !char.IsAsciiDigit(span[2]) || !char.IsAsciiDigit(span[3]) || !char.IsAsciiDigit(span[4])
            || !IsNumber(i + 1, 2, 2) || Joined(i + 1) || _t[i + 1].Is(TokenShape.LineBefore)
            || !IsNumber(i + 2, 6, 6) || Joined(i + 2) || _t[i + 2].Is(TokenShape.LineBefore))
        {
            return;
        }

        var end = i + 2;
        var f = i + 3;
        if (InRange(f) && !Joined(f) && !_t[f].Is(TokenShape.LineBefore) && _t[f].Length == 1 && IsFree(f)
            && (_t[f].Type == TokenType.Number || (_t[f].Type == TokenType.Word && _t[f].Is(TokenShape.Upper) && !(WordIs(f, "a") || WordIs(f, "i"))))
            && !(InRange(f + 1) && Joined(f + 1) && _t[f + 1].Type != TokenType.Punct))
        {
            end = f;
        }

        if (IsFree(i) && IsFree(i + 1) && IsFree(i + 2))
        {
            Mark(i, end, PhiKind.Id);
        }
        else if (end == f && _run[i + 2] != 0)
        {
            Mark(f, f, _kind[i + 2]);
        }
    }

    // ---- Vehicles ----

    /// <summary>
    /// "truck plate MN GRX 771", "nephew's truck, OK CHN 4418", "snowmobile reg MN 6641 RS": a
    /// state's code after a vehicle word, then letters and digits in two groups.
    /// </summary>
    private void TryPlateAfterState15(int i)
    {
        var j = i + 1;
        if (!InRange(j) || Joined(j) || _t[j].Is(TokenShape.LineBefore) || (L(i) & Lex.State) == 0)
        {
            return;
        }

        if (!IsFree(j))
        {
            return;
        }

        int end;
        {
            var k = j + 1;
            if (!InRange(k) || Joined(k) || _t[k].Is(TokenShape.LineBefore) || !IsFree(k)
                || (InRange(k + 1) && Joined(k + 1) && _t[k + 1].Type != TokenType.Punct))
            {
                return;
            }

            var lettersThenDigits = IsWord(j) && _t[j].Length is 2 or 3 && _t[j].Is(TokenShape.Upper) && IsNumber(k, 2, 4);
            var digitsThenLetters = IsNumber(j, 2, 4) && IsWord(k) && _t[k].Length is 2 or 3 && _t[k].Is(TokenShape.Upper);
            if (!lettersThenDigits && !digitsThenLetters)
            {
                return;
            }

            end = k;
        }

        if (!VehicleWordBefore15(i))
        {
            return;
        }

        Mark(i, end, PhiKind.Vehicle);
    }

    /// <summary>A vehicle word within six tokens before <paramref name="i"/> on its line, round 12's or a registration's.</summary>
    private bool VehicleWordBefore15(int i)
    {
        if (VehicleWordBefore12(i))
        {
            return true;
        }

        for (var p = i - 1; p >= 0 && p >= i - 6; p--)
        {
            if (WordIs(p, "reg") || WordIs(p, "registration") || WordIs(p, "snowmobile") || WordIs(p, "motorcycle") || WordIs(p, "trailer")
                || WordIs(p, "atv") || WordIs(p, "boat"))
            {
                return true;
            }

            if (_t[p].Is(TokenShape.LineBefore) || _run[p] != 0)
            {
                return false;
            }
        }

        return false;
    }

    // ---- Names ----

    /// <summary>
    /// "[00:11] BAKER: That's fine.": a transcript's speaker label after its timestamp, a word in capitals that names a
    /// person (a listed name, or no word of the lists), not a role ("PATIENT", "INTERPRETER", "DR").
    /// </summary>
    private void TrySpeakerLabel15(int i)
    {
        if (!IsPunct(i - 1, ']') || !IsNumber(i - 2) || !IsPunct(i - 3, ':') || !IsNumber(i - 4))
        {
            return;
        }

        // A surname may also be a word or a town ("FISHER", "WASHINGTON"); a word or town that is no name is not one.
        var lex = L(i);
        if ((lex & (Lex.Clinical | Lex.Title | Lex.Credential | Lex.Relation | Lex.NameLabel | Lex.State | Lex.Month | Lex.Weekday)) != 0
            || ((lex & Lex.Name) == 0 && (lex & (Lex.Common | Lex.Place)) != 0) || IsRole15(i))
        {
            return;
        }

        Mark(i, i, PhiKind.Name);
    }

    private bool IsRole15(int i) => _t[i].Length switch
    {
        3 => WordIs(i, "mom") || WordIs(i, "dad"),
        4 => WordIs(i, "user"),
        5 => WordIs(i, "nurse") || WordIs(i, "agent"),
        6 => WordIs(i, "doctor") || WordIs(i, "parent") || WordIs(i, "caller") || WordIs(i, "mother") || WordIs(i, "father") || WordIs(i, "system"),
        7 => WordIs(i, "patient") || WordIs(i, "speaker"),
        8 => WordIs(i, "provider"),
        9 => WordIs(i, "assistant") || WordIs(i, "clinician") || WordIs(i, "therapist") || WordIs(i, "caregiver"),
        11 => WordIs(i, "interpreter") || WordIs(i, "interviewer"),
        _ => false,
    };

    /// <summary>The word begins its line, or follows only a bullet ("•", "-", "*") that does.</summary>
    private bool StartsBullet15(int i) =>
        StartsLine(i) || (IsPunct(i - 1) && StartsLine(i - 1) && _text[_t[i - 1].Start] is '•' or '-' or '*' or '·' or '▪');

    /// <summary>
    /// "• Lind, Oskar "Ozzie" 81M rm 4": at the head of a bullet, a surname, a comma and given names (a nickname in quotes
    /// among them) right before the age and sex written together; the words a rule left free become the name.
    /// </summary>
    private void TryHandoffName15(int i)
    {
        var last = -1;
        var k = i + 2;
        for (; k < Count && k <= i + 9; k++)
        {
            if (_t[k].Is(TokenShape.LineBefore))
            {
                return;
            }

            if (IsWord(k) && _t[k].Is(TokenShape.Capitalized | TokenShape.Upper))
            {
                last = k;
            }
            else if (_t[k].Type == TokenType.Alnum)
            {
                break;
            }
            else if (!(IsPunct(k, '"') || (IsPunct(k, '.') && Joined(k) && IsWord(k - 1) && _t[k - 1].Length == 1)))
            {
                return;
            }
        }

        if (last < 0 || !InRange(k) || _t[k].Type != TokenType.Alnum || !IsAgeAndSex15(k)
            || (L(i) & (Lex.Clinical | Lex.Title | Lex.Credential | Lex.Month | Lex.Weekday | Lex.NameLabel)) != 0)
        {
            return;
        }

        var end = IsPunct(last + 1, '"') ? last + 1 : last;
        MarkFree15(i, end, PhiKind.Name);
    }

    /// <summary>"81M", "34f", "7F": one to three digits and the sex.</summary>
    private bool IsAgeAndSex15(int i)
    {
        var span = Span(i);
        if (span.Length is < 2 or > 4 || (span[^1] | 0x20) is not ('m' or 'f'))
        {
            return false;
        }

        for (var c = 0; c < span.Length - 1; c++)
        {
            if (!char.IsAsciiDigit(span[c]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Marks each stretch of free tokens between <paramref name="from"/> and <paramref name="to"/> as one run.</summary>
    private void MarkFree15(int from, int to, PhiKind kind)
    {
        var k = from;
        while (k <= to)
        {
            if (!IsFree(k))
            {
                k++;
                continue;
            }

            var e = k;
            while (e + 1 <= to && IsFree(e + 1))
            {
                e++;
            }

            Mark(k, e, kind);
            k = e + 1;
        }
    }

    // ---- Dictation ----

    private static readonly WordSet SpokenDigits15 = new(["zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]);

    /// <summary>
    /// Spoken digits in dictation typed in lower case that the first rules left: after an identifier cue, spelled letters
    /// before them joining ("claim number is d o l one one seven seven"); after a correction, of the kind corrected
    /// ("... scratch that one one seven seven four three"); five after a town or street, a ZIP code.
    /// </summary>
    private void MarkSpokenNumbers15()
    {
        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if (!IsFree(i) || !IsWordOf(i, SpokenDigits15) || IsWordOf(i - 1, SpokenDigits15))
            {
                continue;
            }

            var end = i;
            while (end - i < 12 && IsWordOf(end + 1, SpokenDigits15) && IsFree(end + 1))
            {
                end++;
            }

            var count = end - i + 1;

            // Spelled letters right before the digits belong to the number.
            var start = i;
            while (start - 1 > 0 && IsWord(start - 1) && _t[start - 1].Length == 1 && IsFree(start - 1) && start - i > -4)
            {
                start--;
            }

            PhiKind kind;
            if (count >= 3 && CorrectedKind15(start, out var corrected))
            {
                kind = corrected;
            }
            else if (count == 5 && start == i && InRange(i - 1) && _run[i - 1] != 0 && _kind[i - 1] is PhiKind.Location or PhiKind.Address)
            {
                kind = PhiKind.Zip;
            }
            else if (count >= 4 && SpokenCueKind15(start, out var cued))
            {
                kind = cued;
            }
            else
            {
                continue;
            }

            Mark(start, end, kind);
        }
    }

    /// <summary>An identifier cue of two letters or more among the four words before <paramref name="i"/>, and its kind.</summary>
    private bool SpokenCueKind15(int i, out PhiKind kind)
    {
        kind = default;
        for (var p = i - 1; p >= 0 && p >= i - 4; p--)
        {
            if (_run[p] != 0)
            {
                return false;
            }

            if (IsWord(p) && _t[p].Length >= 2 && Has(p, Lex.IdentifierCue) && _lexicon.TryGetIdentifierCue(Span(p), out kind))
            {
                // "claim number": the word before "number" names the kind when it is a cue.
                if (WordIs(p, "number") && IsWord(p - 1) && _run[p - 1] == 0 && Has(p - 1, Lex.IdentifierCue) && _lexicon.TryGetIdentifierCue(Span(p - 1), out var named))
                {
                    kind = named;
                }

                return true;
            }
        }

        return false;
    }

    /// <summary>"... scratch that", "correction", "i mean" right before, and a number marked right before those: its kind.</summary>
    private bool CorrectedKind15(int i, out PhiKind kind)
    {
        kind = default;
        int before;
        if (WordIs(i - 1, "that") && WordIs(i - 2, "scratch"))
        {
            before = i - 3;
        }
        else if (WordIs(i - 1, "correction"))
        {
            before = i - 2;
        }
        else if (WordIs(i - 1, "mean") && WordIs(i - 2, "i"))
        {
            before = i - 3;
        }
        else
        {
            return false;
        }

        if (!InRange(before) || _run[before] == 0 || _kind[before] is PhiKind.Name or PhiKind.Date or PhiKind.Age)
        {
            return false;
        }

        kind = _kind[before];
        return true;
    }

    // ---- JSON ----

    /// <summary>A key in camel case that ends in "Id" or "ID" ("referralId", "caseID"), not "Id" alone.</summary>
    private bool EndsWithIdKey15(int i)
    {
        var span = Span(i);
        return span.Length >= 4 && span[^2] == 'I' && span[^1] is 'd' or 'D' && char.IsAsciiLetterLower(span[^3]) && char.IsAsciiLetterLower(span[0]);
    }

    /// <summary>
    /// "referralId": "RF-2025-0042": a quoted value with a digit after a key that ends in "Id", written without spaces;
    /// the parts a rule left free become an identifier.
    /// </summary>
    private void TryJsonIdentifier15(int i)
    {
        // "key" : "value": the key's closing quote, the colon, the value's opening quote.
        var k = i + 2;
        if (!IsPunct(k, ':') || !IsPunct(k + 1, '"'))
        {
            return;
        }

        var start = k + 2;
        var end = start;
        var digit = false;
        while (InRange(end) && !IsPunct(end, '"') && end - start < 12)
        {
            if (end > start && !Joined(end))
            {
                return;
            }

            digit |= _t[end].Type is TokenType.Number or TokenType.Alnum;
            end++;
        }

        if (!IsPunct(end, '"') || end == start || !digit)
        {
            return;
        }

        MarkFree15(start, end - 1, PhiKind.Id);
    }

    /// <summary>"age": 94: an age over 89 as a JSON number after the key "age".</summary>
    private void TryJsonAge15(int i)
    {
        var n = i + 2;
        if (!IsPunct(i + 2 - 1, '"') || !IsPunct(n, ':') || !IsNumber(n + 1, 2, 3) || !IsFree(n + 1) || IsPunct(n + 2, '.'))
        {
            return;
        }

        var value = Value(n + 1);
        if (value is >= 90 and <= 125)
        {
            Mark(n + 1, n + 1, PhiKind.Age);
        }
    }

    // ---- Towns ----

    /// <summary>
    /// "Valley Regional Hospital Eye Clinic, Lakeview, OR": a town of one or two capitalized words between a facility's
    /// name and a state's code, each after a comma, with no ZIP code after the state (the ZIP rules take that line).
    /// </summary>
    private void TryTownAfterFacility15(int i)
    {
        // "PA" and "MD" after a comma are more often a credential than a state.
        if (_t[i].Is(TokenShape.LineBefore) || Has(i, Lex.Credential | Lex.Title) || (L(i) & Lex.State) == 0 || WordIs(i, "pa") || WordIs(i, "md")
            || (InRange(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore) && !(IsPunct(i + 1, '(') || IsPunct(i + 1, ')') || IsPunct(i + 1, ';'))))
        {
            return;
        }

        var last = i - 2;
        var first = last;
        if (IsWord(first - 1) && IsCapitalized(first - 1) && !Joined(first))
        {
            first--;
        }

        for (var k = first; k <= last; k++)
        {
            if (!IsWord(k) || !IsCapitalized(k) || !IsFree(k) || _t[k].Is(TokenShape.LineBefore)
                || (L(k) & (Lex.Facility | Lex.Month | Lex.Weekday | Lex.Title | Lex.Credential | Lex.State)) != 0)
            {
                return;
            }
        }

        if (!IsPunct(first - 1, ',') || !IsWord(first - 2) || (L(first - 2) & Lex.Facility) == 0 || _t[first - 1].Is(TokenShape.LineBefore))
        {
            return;
        }

        Mark(first, last, PhiKind.Location);
    }

    // ---- Dates ----

    /// <summary>"seen mid-May", "back in early-March": a part of a month written with a hyphen; the month alone may be a verb.</summary>
    private void TryPartOfMonth15(int i)
    {
        var m = i + 2;
        if (!IsWord(m) || !IsCapitalized(m) || (L(m) & Lex.Month) == 0 || (InRange(m + 1) && Joined(m + 1) && IsPunct(m + 1, '-')))
        {
            return;
        }

        MarkFree15(i, m, PhiKind.Date);
    }

    // ---- Words that stay ----

    /// <summary>
    /// "Karen interpreter", "results in Karen", "English and Karen": the language of the Karen people, not a woman's name;
    /// "Dev: walks, runs": a well-child heading (development), not a name.
    /// </summary>
    private void UnmarkLanguageOrHeading15(int i)
    {
        if ((i > 0 && _run[i] == _run[i - 1]) || (InRange(i + 1) && _run[i + 1] == _run[i]))
        {
            return;
        }

        var language = WordIs(i, "karen")
            && (WordIs(i + 1, "interpreter") || WordIs(i + 1, "speaker") || WordIs(i + 1, "speaking") || WordIs(i + 1, "language")
                || WordIs(i - 1, "in") || WordIs(i - 1, "speaks") || (WordIs(i - 1, "and") && WordIs(i - 2, "english")));
        var heading = WordIs(i, "dev") && IsPunct(i + 1, ':') && !_t[i].Is(TokenShape.Upper);
        if (language || heading)
        {
            _run[i] = 0;
        }
    }

    /// <summary>"CMS-1500", "UB-04": the claim forms' names, which an identifier rule took for a number.</summary>
    private void UnmarkFormName15(int i)
    {
        if (!IsPunct(i + 1, '-') || !Joined(i + 1) || !IsNumber(i + 2) || !Joined(i + 2) || _run[i + 2] != _run[i]
            || (InRange(i + 3) && _run[i + 3] == _run[i]) || (i > 0 && _run[i - 1] == _run[i]))
        {
            return;
        }

        if ((WordIs(i, "cms") && Span(i + 2).SequenceEqual("1500")) || (WordIs(i, "ub") && Span(i + 2).SequenceEqual("04")))
        {
            _run[i] = 0;
            _run[i + 1] = 0;
            _run[i + 2] = 0;
        }
    }
}
