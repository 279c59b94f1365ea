namespace XefAI.Data.Deidentification;

/// <content>
/// Round 25: a month and day stamped with a clock time ("[3/4 7:20 pm]"); a numbered state, county, farm or tribal road
/// ("5462 TR 362", "on SR 39", "ND-57 near"); a login made of an initial and a surname ("by jdoe2", "(kwalsh)",
/// "rx-ops-jdoe"); an age of a hundred and more in words after a person ("Aunt Ida is one hundred and one"); the
/// town, street and postal code of an address in markup ("&lt;City&gt;…&lt;/City&gt;"); a road named without a house
/// number after "on", "off" or a label ("Home: Old Mill Rd"); the other parts of a name written with carets
/// ("DOE^JANE^ANN") once one is found; and a town of the list typed in lower case after "to" or "in" ("flying to
/// spokane."); a house number before a compass letter and a numbered street ("1620 n 9th"), and an address dictated
/// digit by digit after "lives at". An ambulance's call sign ("Medic 7") is left: the corpora disagree on it, and most keep it.
/// </content>
internal sealed partial class Scan
{
    // State, county, township, farm- and ranch-to-market and BIA roads, written with their number ("SR 39", "FM 81").
    private static readonly WordSet RouteCodes25 = new("sr", "cr", "tr", "fm", "bia", "sh", "csah", "cty", "twp");

    // Words around a road that make it one: "on SR 39", "SR 39 near Charm", "fog over SR 97".
    private static readonly WordSet RouteBefore25 = new("on", "off", "near", "over", "along", "via", "onto", "to", "from", "at", "take", "up", "down", "across");

    private static readonly WordSet RouteAfter25 = new("near", "at", "and", "by", "north", "south", "east", "west", "mile", "exit", "junction", "past", "impassable", "closed");

    // The two-letter codes of the states, before a hyphen and a road's number ("ND-57"). "CA-125" is a tumour marker: a
    // code is read as a road only beside the words above.
    private static readonly WordSet StateCodes25 = new(
        "al", "ak", "az", "ar", "ca", "co", "ct", "de", "fl", "ga", "hi", "id", "il", "in", "ia", "ks", "ky", "la", "me", "md", "ma", "mi", "mn",
        "ms", "mo", "mt", "ne", "nv", "nh", "nj", "nm", "ny", "nc", "nd", "oh", "ok", "or", "pa", "ri", "sc", "sd", "tn", "tx", "ut", "vt", "va",
        "wa", "wv", "wi", "wy");

    // The elements of an address in XML ("<City>", "<PostalCode>", "<AddressLine1>"), and the kind of their text.
    private static readonly WordSet MarkupTowns25 = new("city", "cityname", "town", "locality");

    private static readonly WordSet MarkupZips25 = new("postalcode", "zipcode", "zip", "postcode", "postalzone");

    private static readonly WordSet MarkupStreets25 = new("addressline1", "addressline2", "addressline", "streetaddress", "street", "line1", "line2", "streetline", "streetaddressline");

    private static readonly WordSet MarkupNames25 =
        new("firstname", "middlename", "lastname", "givenname", "familyname", "surname", "nickname", "preferredname", "maidenname");

    private static readonly WordSet MarkupPlans25 =
        new("groupid", "groupnumber", "memberid", "membernumber", "cardholderid", "subscriberid", "subscribernumber", "policynumber", "policyid");

    // The suffixes of a road named without its number ("off Mill Creek Rd"); not "Dr", "St" or "Way", which are titles,
    // saints and words.
    private static readonly WordSet NamedRoadSuffixes25 =
        new("road", "rd", "avenue", "ave", "lane", "ln", "trail", "trl", "boulevard", "blvd", "pike", "highway", "hwy", "street", "loop");

    // Words before a road named without its number.
    private static readonly WordSet NamedRoadCues25 = new("on", "off", "along", "onto", "near", "at");

    /// <summary>Round 25's pass: walks of the numbers and the lettered tokens, each rule behind a cheap test of shape.</summary>
    private void MarkGaps25()
    {
        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            if (_run[i] != 0)
            {
                if (_kind[i] is PhiKind.Mrn or PhiKind.HealthPlan or PhiKind.Account or PhiKind.Id && IsWord(i - 1) && !Joined(i))
                {
                    TryPrefixOfCuedNumber25(i);
                }

                continue;
            }

            if (_t[i].Length <= 2 && IsPunct(i + 1, '/'))
            {
                TryStampedMonthDay25(i);
            }

            if (_run[i] == 0 && _t[i].Length <= 4 && i > 0)
            {
                TryNumberedRoad25(i);
            }

            if (_run[i] == 0 && _t[i].Length is >= 2 and <= 5 && IsWord(i + 1) && _t[i + 1].Length == 1)
            {
                TryDirectionOrdinalStreet25(i);
            }

            if (_run[i] == 0 && _t[i].Length is >= 2 and <= 4 && IsPunct(i - 1, ',') && Value(i) is >= 1900 and <= 2099)
            {
                TryYearAfterDayRange25(i);
            }
            else if (_run[i] == 0 && _t[i].Length is >= 3 and <= 11)
            {
                TryMeetingId25(i);
            }

        }

        for (var w = 0; w < _letteredCount; w++)
        {
            var i = _lettered[w];
            if (_run[i] != 0)
            {
                continue;
            }

            var length = _t[i].Length;
            if (length == 7 && WordIs(i, "hundred"))
            {
                TryHundredAge25(i);
            }
            else if (length >= 5 && _t[i].Is(TokenShape.Lower))
            {
                TryInitialSurnameLogin25(i);
            }
            else if (length == 2 && WordIs(i, "at"))
            {
                TrySpokenAddress25(i);
            }
        }

        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            if (_t[i].Length is >= 2 and <= 9 && Has(i, Lex.StreetSuffix) && NamedRoadSuffixes25.Contains(Span(i)))
            {
                TryNamedRoad25(i);
            }
        }

        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if (_t[i].Length == 2 && _run[i] == 0 && (WordIs(i, "to") || WordIs(i, "in")))
            {
                TryLowerTown25(i);
            }
        }

        var text = _text.AsSpan();
        if (text.Contains("</", StringComparison.Ordinal))
        {
            MarkMarkupAddresses25();
        }

        if (text.Contains('^'))
        {
            MarkCaretNames25();
        }
    }

    /// <summary>
    /// "on\nMill Creek Rd", "off Indian Lake Trail", "Home: Old Mill Rd (no number)": one to three capitalised words and a
    /// road's suffix after "on", "off" or a label's colon. Words a rule took already as the road's end ("Creek Rd") are
    /// joined by the words before them.
    /// </summary>
    private void TryNamedRoad25(int suffix)
    {
        if (_t[suffix].Is(TokenShape.LineBefore))
        {
            return;
        }

        // "Rd." or "Rd" then the end of the phrase: not "Road Runner".
        var next = suffix + 1;
        if (IsWord(next) && !_t[next].Is(TokenShape.LineBefore) && IsCapitalized(next))
        {
            return;
        }

        var first = suffix;
        while (first > suffix - 3 && IsWord(first - 1) && IsCapitalized(first - 1) && !_t[first].Is(TokenShape.LineBefore)
            && (L(first - 1) & (Lex.Clinical | Lex.Title | Lex.Credential | Lex.Facility | Lex.Month | Lex.Weekday | Lex.NameLabel)) == 0
            && !IsFunctionWord(first - 1))
        {
            first--;
        }

        if (first == suffix || !AnyFree25(first, suffix))
        {
            return;
        }

        var p = first - 1;
        var cued = (IsPunct(p, ':') && IsWord(p - 1)) || (IsWord(p) && NamedRoadCues25.Contains(Span(p)));
        if (!cued)
        {
            return;
        }

        // Only the words no rule took; the road's end a rule found stays as it is.
        for (var k = first; k <= suffix; k++)
        {
            if (_run[k] == 0)
            {
                var to = k;
                while (to < suffix && _run[to + 1] == 0)
                {
                    to++;
                }

                Mark(k, to, PhiKind.Address);
                k = to;
            }
        }
    }

    private bool AnyFree25(int from, int to)
    {
        for (var k = from; k <= to; k++)
        {
            if (_run[k] == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// "flying to spokane.", "the clinic in bozeman,": one lower-case word a town of the list and no ordinary word, no
    /// name and no clinical word, after "to" or "in" and before the end of its phrase.
    /// </summary>
    private void TryLowerTown25(int i)
    {
        var j = i + 1;
        if (!IsWord(j) || !_t[j].Is(TokenShape.Lower) || _t[j].Length < 4 || _t[j].Is(TokenShape.LineBefore) || !IsFree(j))
        {
            return;
        }

        var next = j + 1;
        if (InRange(next) && !_t[next].Is(TokenShape.LineBefore)
            && !(IsPunct(next, '.') || IsPunct(next, ',') || IsPunct(next, ';') || IsPunct(next, '!') || IsPunct(next, '?') || IsPunct(next, ')')))
        {
            return;
        }

        var lex = L(j);
        if ((lex & Lex.Place) == 0 || (lex & (Lex.Common | Lex.Name | Lex.Clinical | Lex.MeasureUnit | Lex.Month | Lex.Weekday | Lex.Facility)) != 0)
        {
            return;
        }

        Mark(j, j, PhiKind.Location);
    }

    /// <summary>
    /// "DOE^JANE^ANN", "HOPKINS^NATE^^^": the words of a name joined by carets (DICOM, HL7), once a rule found one of them.
    /// A letter alone (a name's type code) and a credential or title stay.
    /// </summary>
    private void MarkCaretNames25()
    {
        var i = 0;
        while (i < Count)
        {
            // A group: tokens joined to each other, with carets between its words.
            if (!IsPunct(i, '^'))
            {
                i++;
                continue;
            }

            var from = i;
            while (from > 0 && Joined(from) && (IsPunct(from - 1, '^') || IsWord(from - 1)))
            {
                from--;
            }

            var to = i;
            while (to + 1 < Count && Joined(to + 1) && (IsPunct(to + 1, '^') || IsWord(to + 1)))
            {
                to++;
            }

            // A person's name is the family, given and middle names, the first three components; an address or a
            // place ("ST^^JACKSON HEIGHTS^NY^11372", "FMC^^^SANFORD") has its numbers and its names further on.
            var named = false;
            var component = 1;
            for (var k = from; k <= to && component <= 3; k++)
            {
                component += IsPunct(k, '^') ? 1 : 0;
                named |= IsWord(k) && _run[k] != 0 && _kind[k] == PhiKind.Name;
            }

            var numbered = (InRange(to + 1) && _t[to + 1].Type is TokenType.Number or TokenType.Alnum)
                || (from > 0 && _t[from - 1].Type is TokenType.Number or TokenType.Alnum);
            if (named && !numbered)
            {
                component = 1;
                for (var k = from; k <= to && component <= 3; k++)
                {
                    component += IsPunct(k, '^') ? 1 : 0;
                    if (IsWord(k) && _run[k] == 0 && _t[k].Length >= 2 && (_t[k].Is(TokenShape.Upper) || IsCapitalized(k))
                        && (L(k) & (Lex.Title | Lex.Credential | Lex.Clinical | Lex.State)) == 0)
                    {
                        Mark(k, k, PhiKind.Name);
                    }
                }
            }

            i = to + 1;
        }
    }

    /// <summary>"[3/4 7:20 pm]", "3/5 09:10": a month and day followed by a clock time on the same line is a date.</summary>
    private void TryStampedMonthDay25(int i)
    {
        var day = i + 2;
        var hour = i + 3;
        if (!Joined(i + 1) || !Joined(day) || !IsNumber(day, 1, 2) || Value(i) is < 1 or > 12 || Value(day) is < 1 or > 31
            || (i > 0 && Joined(i) && (IsPunct(i - 1, '/') || IsPunct(i - 1, '-') || IsPunct(i - 1, '.'))))
        {
            return;
        }

        // The time: one space away, "h:mm" with minutes of two digits, nothing joined after but "am", "pm" or a bracket.
        if (!IsNumber(hour, 1, 2) || Joined(hour) || _t[hour].Is(TokenShape.LineBefore) || Value(hour) > 23
            || !IsPunct(hour + 1, ':') || !Joined(hour + 1) || !IsNumber(hour + 2, 2, 2) || !Joined(hour + 2) || Value(hour + 2) > 59)
        {
            return;
        }

        if (InRange(day + 1) && Joined(day + 1) && (IsPunct(day + 1, '/') || IsPunct(day + 1, '-') || IsPunct(day + 1, '.')))
        {
            return;
        }

        Mark(i, day, PhiKind.Date);
    }

    /// <summary>"we live at 1620 n 9th", "4410 S 21st": a house number, a compass letter and a numbered street's ordinal.</summary>
    private void TryDirectionOrdinalStreet25(int i)
    {
        var direction = i + 1;
        var street = IsPunct(direction + 1, '.') && Joined(direction + 1) ? direction + 2 : direction + 1;
        if (Joined(direction) || _t[direction].Is(TokenShape.LineBefore) || (_text[_t[direction].Start] | 0x20) is not ('n' or 's' or 'e' or 'w')
            || !InRange(street) || _t[street].Type != TokenType.Alnum || Joined(street) || _t[street].Is(TokenShape.LineBefore)
            || !IsOrdinal26(street) || AnyMarked(direction, street))
        {
            return;
        }

        Mark(i, street, PhiKind.Address);
    }

    /// <summary>
    /// "lives at two four one seven willow bend road": a dictated address after "lives at" or "address is at", its
    /// number spoken digit by digit, then up to three words and a street's suffix.
    /// </summary>
    private void TrySpokenAddress25(int i)
    {
        var cue = WordBefore(i, 1);
        if (cue < 0 || !(WordIs(cue, "lives") || WordIs(cue, "living") || WordIs(cue, "lived") || WordIs(cue, "resides") || WordIs(cue, "address")))
        {
            return;
        }

        var k = i + 1;
        while (k < i + 7 && IsWordOf(k, SpokenDigits) && !_t[k].Is(TokenShape.LineBefore))
        {
            k++;
        }

        if (k - (i + 1) < 2)
        {
            return;
        }

        var end = -1;
        for (var s = k; s < k + 4 && IsWord(s) && !_t[s].Is(TokenShape.LineBefore); s++)
        {
            // The last suffix: "oak hollow road" ends at "road".
            if (s > k && Has(s, Lex.StreetSuffix))
            {
                end = s;
            }
        }

        // A rule may have taken the first digit already (a spoken number's): the rest is taken around it.
        if (end < 0 || AnyMarked(k, end))
        {
            return;
        }

        var from = end;
        while (from > i + 1 && _run[from - 1] == 0)
        {
            from--;
        }

        Mark(from, end, PhiKind.Address);
    }

    /// <summary>"Clinic May 12-14, 2026": the year after a comma that ends a month's range of days a date rule took.</summary>
    private void TryYearAfterDayRange25(int i)
    {
        var day = i - 2;
        if (_t[i].Length != 4 || Joined(i) || _t[i].Is(TokenShape.LineBefore) || !Joined(i - 1) || !IsNumber(day, 1, 2) || _run[day] == 0 || _kind[day] != PhiKind.Date
            || !IsPunct(day - 1, '-'))
        {
            return;
        }

        Mark(i, i, PhiKind.Date);
    }

    /// <summary>"meeting 843 2917 0046", "Meeting ID: 912-4471-0387": a video meeting's number of nine to eleven digits.</summary>
    private void TryMeetingId25(int i)
    {
        var p = i - 1;
        while (p >= i - 3 && (IsPunct(p, ':') || IsPunct(p, '#') || WordIs(p, "id")))
        {
            p--;
        }

        if (!WordIs(p, "meeting") || (p + 1 == i && Joined(i)))
        {
            return;
        }

        // Up to four groups, joined by hyphens or apart by spaces on the same line.
        var digits = _t[i].Length;
        var end = i;
        while (end - i < 6 && IsPunct(end + 1, '-') && Joined(end + 1) && Joined(end + 2) && IsNumber(end + 2, 3, 4))
        {
            end += 2;
            digits += _t[end].Length;
        }

        if (end == i)
        {
            while (end - i < 3 && IsNumber(end + 1, 3, 4) && !Joined(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore))
            {
                end++;
                digits += _t[end].Length;
            }
        }

        if (digits is < 9 or > 11 || AnyMarked(i, end))
        {
            return;
        }

        Mark(i, end, PhiKind.Id);
    }

    /// <summary>"mrn QX 8830241": a site's prefix of capitals between a number's cue and the number the cue took.</summary>
    private void TryPrefixOfCuedNumber25(int i)
    {
        var prefix = i - 1;
        if (_run[prefix] != 0 || !_t[prefix].Is(TokenShape.Upper) || _t[prefix].Length is < 2 or > 4 || _t[i].Is(TokenShape.LineBefore)
            || _t[prefix].Is(TokenShape.LineBefore) || Joined(prefix))
        {
            return;
        }

        var cue = prefix - 1;
        if (!IsWord(cue) || !Has(cue, Lex.IdentifierCue) || Has(prefix, Lex.IdentifierCue)
            || IsFunctionWord(prefix) || (L(prefix) & (Lex.Credential | Lex.State | Lex.Clinical | Lex.MeasureUnit)) != 0)
        {
            return;
        }

        Mark(prefix, prefix, _kind[i]);
    }

    /// <summary>
    /// "5462 TR 362", "4512 BIA 1": a house number on a numbered road; "on SR 39", "SR 39 near Charm", "ND-57 near Tokio":
    /// a numbered road beside a word of place. The road's code is written in capitals and its number is no dose.
    /// </summary>
    private void TryNumberedRoad25(int i)
    {
        var code = i - 1;
        var hyphen = false;
        if (IsPunct(code, '-') && Joined(code) && Joined(i))
        {
            hyphen = true;
            code--;
        }
        else if (Joined(i))
        {
            return;
        }

        if (!IsWord(code) || !_t[code].Is(TokenShape.Upper) || _t[code].Length is < 2 or > 4 || _t[i].Is(TokenShape.LineBefore)
            || (!hyphen && _t[code + 1].Is(TokenShape.LineBefore)))
        {
            return;
        }

        // Not a dose, a decimal or a range: "SR 50 mg", "CR 1.2", "TR 2-3".
        var next = i + 1;
        if (InRange(next) && Joined(next) && (IsPunct(next, '.') || IsPunct(next, '-') || IsPunct(next, '/') || IsPunct(next, '+') || IsPunct(next, '%')))
        {
            return;
        }

        var after = WordAfter(i, 1);
        if (after >= 0 && !_t[after].Is(TokenShape.LineBefore) && Has(after, Lex.MeasureUnit))
        {
            return;
        }

        var road = RouteCodes25.Contains(Span(code));
        if (!road && !(hyphen && _t[code].Length == 2 && StateCodes25.Contains(Span(code))))
        {
            return;
        }

        // A house number before the road: the whole is a street address.
        var house = code - 1;
        if (road && !hyphen && IsNumber(house, 1, 6) && !Joined(code) && !_t[code].Is(TokenShape.LineBefore))
        {
            // Where an address stands: at the start of its line or after a label, or before a comma and its town.
            if (!(StartsLine(house) || IsPunct(house - 1, ':') || (IsPunct(next, ',') && IsCapitalized(next + 1))))
            {
                return;
            }

            if (_run[code] == 0 && _run[house] == 0)
            {
                Mark(house, i, PhiKind.Address);
            }
            else if (_run[code] != 0 && _kind[code] == PhiKind.Address)
            {
                Mark(i, i, PhiKind.Address);
            }

            return;
        }

        if (_run[code] != 0)
        {
            return;
        }

        var before = WordBefore(code, 1);
        var placed = before >= 0 && RouteBefore25.Contains(Span(before));
        if (!placed && after >= 0 && !_t[after].Is(TokenShape.LineBefore))
        {
            placed = RouteAfter25.Contains(Span(after));
        }

        // "BIA 7" names a tribal road wherever it stands.
        if (placed || (!hyphen && WordIs(code, "bia")))
        {
            Mark(code, i, PhiKind.Address);
        }
    }

    /// <summary>
    /// "by jdoe2", "Scribe: kwalsh", "(kwalsh)", "rx-ops-kwalsh": a lower-case login made of an initial and a surname, the
    /// surname one of the list's or one a name of this text ends with. The words of a hyphenated login before it go too.
    /// </summary>
    private void TryInitialSurnameLogin25(int i)
    {
        var p = i - 1;
        var chained = IsPunct(p, '-') && Joined(p) && Joined(i);
        if (!(chained || IsPunct(p, '(') || IsPunct(p, '"') || IsPunct(p, ':') || WordIs(p, "by")))
        {
            return;
        }

        var word = Span(i);
        var core = word.TrimEnd("0123456789");
        if (core.Length < 5 || word.Length - core.Length > 3 || (L(i) & (Lex.Common | Lex.Clinical | Lex.Name | Lex.Place | Lex.MeasureUnit)) != 0)
        {
            return;
        }

        // Nothing joined after it but a closing bracket, quote or the end of a sentence: "(kwalsh)", "by jdoe2.".
        var next = i + 1;
        if (InRange(next) && Joined(next) && !(IsPunct(next, ')') || IsPunct(next, '"') || IsPunct(next, '.') || IsPunct(next, ',') || IsPunct(next, ';')))
        {
            return;
        }

        // A surname of the list of five letters and more ("(pharm)" is no "p" and "harm"), or a name of this text.
        var surname = core[1..];
        if ((surname.Length < 5 || (_lexicon.Of(surname) & Lex.Surname) == 0) && !IsNameOfText25(surname))
        {
            return;
        }

        var start = i;
        while (start >= 2 && IsPunct(start - 1, '-') && Joined(start - 1) && Joined(start) && _run[start - 2] == 0
            && _t[start - 2].Type is TokenType.Word or TokenType.Alnum && _t[start - 2].Is(TokenShape.Lower) && start > i - 6)
        {
            start -= 2;
        }

        Mark(start, i, PhiKind.Id);
    }

    /// <summary>Whether a capitalised word this scan took as a name is <paramref name="word"/>, in any case.</summary>
    private bool IsNameOfText25(ReadOnlySpan<char> word)
    {
        for (var c = 0; c < _capCount; c++)
        {
            var k = _caps[c];
            if (_t[k].Length == word.Length && _run[k] != 0 && _kind[k] == PhiKind.Name && Span(k).Equals(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// "Aunt Ida Platt is one hundred and one", "her sister Adele Moser, one hundred,": an age of a hundred and more in
    /// words after a person and "is", "was" or "turned", or after a person and a comma.
    /// </summary>
    private void TryHundredAge25(int i)
    {
        var start = i - 1;
        if (!(WordIs(start, "one") || WordIs(start, "a")) || _t[i].Is(TokenShape.LineBefore))
        {
            return;
        }

        var p = start - 1;
        var person = p - 1;
        if (WordIs(p, "is") || WordIs(p, "was") || WordIs(p, "turned") || WordIs(p, "turns"))
        {
            // "is one hundred": the person just before, a name or a relative.
        }
        else if (!IsPunct(p, ','))
        {
            return;
        }

        if (!IsWord(person) || !((_run[person] != 0 && _kind[person] == PhiKind.Name) || Has(person, Lex.Relation)))
        {
            return;
        }

        var end = AgeWordsEnd(start);
        if (end < 0 || AnyMarked(start, end))
        {
            return;
        }

        var next = WordAfter(end, 1);
        if (next >= 0 && !_t[next].Is(TokenShape.LineBefore) && Has(next, Lex.MeasureUnit) && !Has(next, Lex.AgeUnit))
        {
            return;
        }

        Mark(start, end, PhiKind.Age);
    }

    /// <summary>
/// "&lt;City&gt;Dulce&lt;/City&gt;", "&lt;PostalCode&gt;87528&lt;/PostalCode&gt;", "&lt;FirstName&gt;…", "&lt;GroupID&gt;…": the text of an
/// element of an address, a person's name or a plan's numbers in markup.
/// </summary>
    private void MarkMarkupAddresses25()
    {
        for (var i = 0; i + 3 < Count; i++)
        {
            if (!IsPunct(i, '<') || _t[i + 1].Type is not (TokenType.Word or TokenType.Alnum) || !Joined(i + 1) || !IsPunct(i + 2, '>') || !Joined(i + 2))
            {
                continue;
            }

            var element = Span(i + 1);
            PhiKind kind;
            if (MarkupTowns25.Contains(element))
            {
                kind = PhiKind.Location;
            }
            else if (MarkupZips25.Contains(element))
            {
                kind = PhiKind.Zip;
            }
            else if (MarkupStreets25.Contains(element))
            {
                kind = PhiKind.Address;
            }
            else if (MarkupNames25.Contains(element))
            {
                kind = PhiKind.Name;
            }
            else if (MarkupPlans25.Contains(element))
            {
                kind = PhiKind.HealthPlan;
            }
            else
            {
                continue;
            }

            // The text up to the closing tag, on the same line and short.
            var from = i + 3;
            var end = from;
            while (end < Count && end - from < 10 && !IsPunct(end, '<') && !(end > from && _t[end].Is(TokenShape.LineBefore)))
            {
                end++;
            }

            if (end == from || !IsPunct(end, '<') || !IsPunct(end + 1, '/'))
            {
                continue;
            }

            for (var k = from; k < end; k++)
            {
                if (_run[k] == 0 && _t[k].Type != TokenType.Punct)
                {
                    var to = k;
                    while (to + 1 < end && _run[to + 1] == 0)
                    {
                        to++;
                    }

                    Mark(k, to, kind);
                    k = to;
                }
            }

            i = end;
        }
    }
}
