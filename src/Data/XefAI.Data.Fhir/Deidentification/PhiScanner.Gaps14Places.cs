namespace XefAI.Data.Deidentification;

/// <summary>
/// Round 14 of places, streets, identifiers and ages: a town written with hyphens and a French, Spanish or Portuguese
/// particle ("Port-au-Prince", "Aix-en-Provence"), a strong street suffix after a word a name or place rule took ("on
/// Rodney St", "near Newport Rd"), a county road by its suffix and number ("Rd 192 &amp; Ave 56"), a trailer space after a
/// street ("Spc 22"), a hyphenated Queens house number before a street ("136-20 Roosevelt Ave"), a number after '#' that
/// follows a person's name ("interpreter Ana Ruiz (#40982)", "officers (Baker #40712)"), and an age over 89 in words
/// after "is", "was" or "turned", or after a relative and a comma ("grandmother is ninety-one", "mother-in-law,
/// ninety-three").
/// </summary>
internal sealed partial class Scan
{
    /// <summary>Round 14's pass: each rule starts at a cheap test of a number or a capitalized word.</summary>
    private void MarkGaps14()
    {
        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            if (!IsFree(i) || _t[i].Length > 6 || i < 2)
            {
                continue;
            }

            var before = _text[_t[i - 1].Start];
            if (_t[i - 1].Type == TokenType.Punct)
            {
                if (before == '#')
                {
                    TryNumberAfterNamedHash14(i, i);
                }
                else if (before == '-' && Joined(i) && IsNumber(i - 2))
                {
                    if (IsFree(i - 2) && InRange(i + 1) && _run[i + 1] != 0 && _kind[i + 1] == PhiKind.Address)
                    {
                        TryHyphenatedHouseNumber14(i);
                    }
                    else if (_run[i - 2] != 0 && _kind[i - 2] == PhiKind.Date)
                    {
                        TryDayRangeEnd14(i);
                    }
                }
            }
            else if (_t[i - 1].Type == TokenType.Word && !Joined(i) && _t[i].Length <= 4)
            {
                _ = TryNumberedRoad14(i) || TryTrailerSpace14(i);
            }
        }

        for (var w = 0; w < _letteredCount; w++)
        {
            var i = _lettered[w];
            if (!IsFree(i) || i < 2)
            {
                continue;
            }

            if (_t[i].Type == TokenType.Alnum)
            {
                if (IsPunct(i - 1, '#') && Joined(i))
                {
                    TryNumberAfterNamedHash14(i, i);
                }
                else if (_t[i].Is(TokenShape.Lower) && IsWord(i - 1))
                {
                    TryLoginAfterCue14(i);
                }

                continue;
            }

            if (!IsCapitalized(i))
            {
                if (IsWord(i - 1) ? _t[i - 1].Length is 2 or 4 : IsPunct(i - 1, '"') || IsPunct(i - 1, '\\'))
                {
                    TryLoginAfterCue14(i);
                }

                continue;
            }

            if (_t[i].Is(TokenShape.Capitalized) && _run[i - 1] == 0)
            {
                _ = TryNameInParentheses14(i) || TryFirstNameBeforeName14(i) || TryChildWithAge14(i) || TryPedigreeName14(i) || TryQuotedNickname14(i) || TryNameGoneBy14(i);
                if (!IsFree(i))
                {
                    continue;
                }
            }

            if (IsPunct(i + 1, '-') && Joined(i + 1) && _t[i].Is(TokenShape.Capitalized))
            {
                TryHyphenatedTown14(i);
            }
            else if (IsPunct(i + 1, '-') && Joined(i + 1) && Joined(i + 2) && InRange(i + 2) && _run[i + 2] != 0 && _kind[i + 2] == PhiKind.Id && _t[i].Is(TokenShape.Upper))
            {
                JoinIdentifierPrefix14(i);
            }
            else if (_t[i].Length == 4 && IsWord(i + 1) && WordIs(i, "baby") && (WordIs(i + 1, "boy") || WordIs(i + 1, "girl")))
            {
                TryNewbornName14(i);
            }
            else if (_run[i - 1] == 0 && _t[i].Is(TokenShape.Capitalized) && _t[i].Length >= 3)
            {
                _ = TryTownAfterLabel14(i) || TryTownAfterFrom14(i) || TryTownBeforeYear14(i);
            }
            else if (_t[i].Length <= 7 && IsWord(i - 1) && (_run[i - 1] == 0 || _kind[i - 1] is PhiKind.Name or PhiKind.Location))
            {
                TryStreetSuffixAfterMarked14(i);
            }
        }

        if (_ageWords12)
        {
            MarkAgeInWordsAfterCue14();
        }
    }

    // ---- Towns ----

    /// <summary>
    /// "Port-au-Prince", "Aix-en-Provence", "Saint-Jean-de-Luz", "Vila-do-Conde": capitalized words joined by hyphens with a
    /// lower-case particle between two of them, the later words free or taken by a name rule ("Provence" alone looks like a
    /// name); a hyphenated name of a person seldom has one, and would still be PHI.
    /// </summary>
    private void TryHyphenatedTown14(int i)
    {
        var end = i;
        var particle = false;
        var k = i;
        while (IsPunct(k + 1, '-') && Joined(k + 1) && IsWord(k + 2) && Joined(k + 2) && IsFreeOrName(k + 2) && k - i < 8)
        {
            var next = k + 2;
            if (_t[next].Is(TokenShape.Lower))
            {
                if (!IsTownParticle14(next))
                {
                    return;
                }

                particle = true;
            }
            else if (!_t[next].Is(TokenShape.Capitalized))
            {
                return;
            }
            else
            {
                end = next;
            }

            k = next;
        }

        // The last word capitalized, a particle between; nothing joined after ("Port-au-Prince-based" is still a town).
        if (particle && end == k && end > i)
        {
            Mark(i, end, PhiKind.Location);
        }
    }

    private bool IsTownParticle14(int i) => _t[i].Length switch
    {
        2 => WordIs(i, "au") || WordIs(i, "de") || WordIs(i, "du") || WordIs(i, "la") || WordIs(i, "le") || WordIs(i, "en") || WordIs(i, "di")
            || WordIs(i, "da") || WordIs(i, "do"),
        3 => WordIs(i, "aux") || WordIs(i, "des") || WordIs(i, "les") || WordIs(i, "sur") || WordIs(i, "del") || WordIs(i, "dos") || WordIs(i, "das"),
        4 => WordIs(i, "sous"),
        _ => false,
    };

    // ---- Streets ----

    /// <summary>
    /// "cheder on Rodney St", "watch for buggies on Newport Rd.", "block 7 off Edison Hwy": a strong street suffix after a
    /// single word a name or place rule took, on the same line, not itself before a capitalized word ("Mary St. Clair").
    /// The word and the suffix become one street.
    /// </summary>
    private void TryStreetSuffixAfterMarked14(int i)
    {
        if (!IsStrongSuffix14(i) || _t[i].Is(TokenShape.LineBefore) || Joined(i))
        {
            return;
        }

        var p = i - 1;
        if (_run[p] == 0)
        {
            // "needs ride; Front St, Pixley": a free capitalized word, not a clinical or calendar word, before the suffix, and
            // the street ends its clause.
            if (!_t[p].Is(TokenShape.Capitalized) || _t[p].Is(TokenShape.LineBefore) || _t[p].Length < 3
                || (L(p) & (Lex.Clinical | Lex.Month | Lex.Weekday | Lex.Title | Lex.Credential | Lex.Facility | Lex.MeasureUnit | Lex.Direction | Lex.NameLabel)) != 0
                || !(IsPunct(i + 1, ',') || IsPunct(i + 1, ')') || IsPunct(i + 1, ';') || !InRange(i + 1) || _t[i + 1].Is(TokenShape.LineBefore)))
            {
                return;
            }
        }
        else if (p > 0 && _run[p - 1] == _run[p])
        {
            return;
        }

        var after = IsPunct(i + 1, '.') && Joined(i + 1) ? i + 2 : i + 1;
        if (IsWord(after) && IsCapitalized(after) && !_t[after].Is(TokenShape.LineBefore))
        {
            return;
        }

        Mark(p, i, PhiKind.Address);
    }

    private bool IsStrongSuffix14(int i) => _t[i].Length switch
    {
        2 => WordIs(i, "st") || WordIs(i, "rd"),
        3 => WordIs(i, "ave") || WordIs(i, "hwy"),
        4 => WordIs(i, "blvd") || WordIs(i, "road") || WordIs(i, "pkwy"),
        6 => WordIs(i, "street") || WordIs(i, "avenue"),
        7 => WordIs(i, "highway"),
        _ => false,
    };

    /// <summary>
    /// "labor camp, Rd 192 &amp; Ave 56", "off Hwy 31": a county road or highway written suffix first, capitalized, and its
    /// number of up to four digits, not followed by a unit or another number.
    /// </summary>
    private bool TryNumberedRoad14(int i)
    {
        var s = i - 1;
        if (!IsFree(s) || !_t[s].Is(TokenShape.Capitalized) || !(WordIs(s, "rd") || WordIs(s, "road") || WordIs(s, "ave") || WordIs(s, "avenue") || WordIs(s, "hwy")))
        {
            return false;
        }

        // Not a street's suffix after its name ("Main Rd 12" is another rule's), nor a number with a unit or a fraction.
        if ((IsWord(s - 1) && IsCapitalized(s - 1) && !_t[s].Is(TokenShape.LineBefore)) || (IsWord(i + 1) && Has(i + 1, Lex.MeasureUnit))
            || (InRange(i + 1) && Joined(i + 1) && !(IsPunct(i + 1, ',') || IsPunct(i + 1, ';') || IsPunct(i + 1, ')') || IsPunct(i + 1, '.'))))
        {
            return false;
        }

        Mark(s, i, PhiKind.Address);
        return true;
    }

    /// <summary>"801 Meyer St Spc 22": a trailer's space after a street a rule took.</summary>
    private bool TryTrailerSpace14(int i)
    {
        var s = i - 1;
        if (!IsFree(s) || !(WordIs(s, "spc") || WordIs(s, "space")) || !IsCapitalized(s))
        {
            return false;
        }

        var p = IsPunct(s - 1, ',') ? s - 2 : s - 1;
        if (!InRange(p) || _run[p] == 0 || _kind[p] != PhiKind.Address)
        {
            return false;
        }

        Mark(s, i, PhiKind.Address);
        return true;
    }

    /// <summary>"136-20 Roosevelt Ave": a Queens house number (block, hyphen, house) before a street a rule took.</summary>
    private void TryHyphenatedHouseNumber14(int i)
    {
        var first = i - 2;
        if (_t[first].Length > 3 || _t[i].Length > 3 || Joined(first) || !Joined(i - 1))
        {
            return;
        }

        Mark(first, i, PhiKind.Address);
    }

    // ---- Identifiers ----

    /// <summary>
    /// "interpreter Yesenia Pagán (#40982)", "2 officers (Baker #40712, Chavez #51186)": a number of four or more digits
    /// (or letters and digits) right after '#' that follows a name a rule took, or a capitalized word the name lists know
    /// that is itself then taken as a name.
    /// </summary>
    private void TryNumberAfterNamedHash14(int i, int end)
    {
        if (_t[i].Length < 4 || !Joined(i))
        {
            return;
        }

        var p = i - 2;
        if (IsPunct(p, '('))
        {
            p--;
        }

        if (!IsWord(p))
        {
            return;
        }

        if (_run[p] != 0)
        {
            if (_kind[p] == PhiKind.Name)
            {
                Mark(i, end, PhiKind.Id);
            }

            return;
        }

        // An unmarked word: a surname the lists know, after '(' or ',' that opens a list of people.
        if (_t[p].Is(TokenShape.Capitalized) && (IsPunct(p - 1, '(') || IsPunct(p - 1, ',')) && (L(p) & Lex.Surname) != 0
            && (L(p) & (Lex.Clinical | Lex.Title | Lex.Month | Lex.Weekday | Lex.Facility | Lex.UnitDesignator | Lex.MeasureUnit | Lex.StreetSuffix | Lex.IdentifierCue | Lex.CodeCue)) == 0)
        {
            Mark(p, p, PhiKind.Name);
            Mark(i, end, PhiKind.Id);
        }
    }

    /// <summary>
    /// "form CDCR-7385-26-0917": a prefix in capitals joined by a hyphen to an identifier a cue rule took (the prefix was
    /// itself a cue, so the rule took only what followed it) is part of the identifier.
    /// </summary>
    private void JoinIdentifierPrefix14(int i)
    {
        var end = i + 2;
        while (end + 1 < Count && _run[end + 1] == _run[i + 2])
        {
            end++;
        }

        Mark(i, end, PhiKind.Id);
    }

    // ---- Ages ----

    /// <summary>
    /// "Grandmother Tan Maria Mendiola is ninety-one.", "Lives with mother-in-law, ninety-three.": an age over 89 in words
    /// after "is", "was", "turned" or "turns", or after a comma that follows a relative or a name, and not before a unit.
    /// </summary>
    private void MarkAgeInWordsAfterCue14()
    {
        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if (_t[i].Length != 6 || !IsFree(i) || !WordIs(i, "ninety"))
            {
                continue;
            }

            var p = i - 1;
            var cued = WordIs(p, "is") || WordIs(p, "was") || WordIs(p, "turned") || WordIs(p, "turns");
            if (!cued && IsPunct(p, ','))
            {
                var q = p - 1;
                cued = IsWord(q) && ((_run[q] != 0 && _kind[q] == PhiKind.Name) || Has(q, Lex.Relation) || WordIs(q, "law"));
            }

            if (!cued)
            {
                continue;
            }

            var end = AgeWordsEnd(i);
            if (end < 0 || AnyMarked(i, end))
            {
                continue;
            }

            var next = end + 1;
            if (IsWord(next) && !_t[next].Is(TokenShape.LineBefore) && Has(next, Lex.MeasureUnit) && !Has(next, Lex.AgeUnit))
            {
                continue;
            }

            Mark(i, end, PhiKind.Age);
        }
    }

    // ---- Dates ----

    /// <summary>"Inpatient Oct 2-9": the last day of a range after a month and day a date rule took.</summary>
    private void TryDayRangeEnd14(int i)
    {
        if (_t[i].Length > 2 || !Joined(i - 1) || Value(i) is < 1 or > 31 || !Has(i - 3, Lex.Month | Lex.MonthAbbreviation) || _run[i - 3] != _run[i - 2])
        {
            return;
        }

        if (InRange(i + 1) && Joined(i + 1) && !(IsPunct(i + 1, '.') || IsPunct(i + 1, ',') || IsPunct(i + 1, ')') || IsPunct(i + 1, ';')))
        {
            return;
        }

        // "Jan 4-8 weeks after onset" counts weeks, not days.
        if (IsWord(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore) && Has(i + 1, Lex.MeasureUnit))
        {
            return;
        }

        Mark(i, i, PhiKind.Date);
    }

    // ---- Names ----

    /// <summary>"Baby Boy Kabua", "Baby Girl Okafor": a newborn's hospital name, the family name capitalized after it.</summary>
    private void TryNewbornName14(int i)
    {
        var family = i + 2;
        if (!IsCapitalized(i + 1) || !IsWord(family) || !IsFree(family) || !IsFree(i + 1) || !IsCapitalized(family)
            || _t[i + 1].Is(TokenShape.LineBefore) || _t[family].Is(TokenShape.LineBefore)
            || (L(family) & (Lex.Clinical | Lex.Month | Lex.Weekday | Lex.Title | Lex.Credential | Lex.MeasureUnit | Lex.NameLabel)) != 0)
        {
            return;
        }

        Mark(i, family, PhiKind.Name);
    }

    // ---- Towns after cues ----

    /// <summary>
    /// "VILLAGE: Yigo", "\"city\": \"Dededo\"": a town's name after a label or JSON key that names a town, on its line.
    /// </summary>
    private bool TryTownAfterLabel14(int i)
    {
        var p = i - 1;
        if (IsPunct(p, '"'))
        {
            p--;
        }

        if (!IsPunct(p, ':'))
        {
            return false;
        }

        var key = IsPunct(p - 1, '"') ? p - 2 : p - 1;
        if (!IsWord(key) || !(WordIs(key, "city") || WordIs(key, "town") || WordIs(key, "village") || WordIs(key, "hometown") || WordIs(key, "municipality")))
        {
            return false;
        }

        if ((L(i) & (Lex.State | Lex.Month | Lex.Facility | Lex.Clinical)) != 0)
        {
            return false;
        }

        var end = i;
        while (end - i < 2 && IsWord(end + 1) && IsFree(end + 1) && IsCapitalized(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore) && !Has(end + 1, Lex.State))
        {
            end++;
        }

        Mark(i, end, PhiKind.Location);
        return true;
    }

    /// <summary>
    /// "flew in from Praia", "came to the US from Ebeye", "a 71 yo man from Arnaudville": a town after "from" when a verb of
    /// coming or living is among the three words before it, or a person is.
    /// </summary>
    private bool TryTownAfterFrom14(int i)
    {
        var from = i - 1;
        if (!WordIs(from, "from") || !MayBePlace(i))
        {
            return false;
        }

        var cued = false;
        for (var p = from - 1; p >= 0 && p >= from - 4 && !cued; p--)
        {
            if (!IsWord(p) || _t[p + 1].Is(TokenShape.LineBefore))
            {
                continue;
            }

            cued = Has(p, Lex.PlaceCue) || WordIs(p, "came") || WordIs(p, "flew") || WordIs(p, "arrived") || WordIs(p, "drove")
                || (p == from - 1 && (WordIs(p, "man") || WordIs(p, "woman") || WordIs(p, "gentleman") || WordIs(p, "lady") || WordIs(p, "native")));
        }

        if (!cued || ((L(i) & Lex.FirstName) != 0 && (L(i) & Lex.Place) == 0))
        {
            return false;
        }

        var end = IsWord(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore) && MayBePlaceWord(i + 1) ? i + 1 : i;
        Mark(i, end, PhiKind.Location);
        return true;
    }

    /// <summary>"PPM placed in Guangzhou 2014": a town after "in" and before a year.</summary>
    private bool TryTownBeforeYear14(int i)
    {
        if (!WordIs(i - 1, "in") || !IsNumber(i + 1, 4, 4) || _t[i + 1].Is(TokenShape.LineBefore) || Joined(i + 1) || !MayBePlace(i))
        {
            return false;
        }

        var year = Value(i + 1);
        if (year is < 1900 or > 2100 || (L(i) & Lex.FirstName) != 0)
        {
            return false;
        }

        Mark(i, i, PhiKind.Location);
        return true;
    }
}
