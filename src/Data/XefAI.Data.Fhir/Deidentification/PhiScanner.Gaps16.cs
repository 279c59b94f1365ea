namespace XefAI.Data.Deidentification;

/// <summary>
/// Round 16: places and ages the earlier rounds leave. A town no list knows (or a listed town) after a preposition of
/// place ("delivered in Doha", "called from Anchorage", "near Kismayo") with a ZIP code after it; a town before a
/// settlement noun ("via Kakuma camp", "the Prospect community"); a Hutterite colony by its name ("King Colony"); a
/// road named without a number after a cue ("the Airport Road side", "(Colony Rd has ...)"), a route's number ("Route
/// 301 N") and a grid address that starts with its direction ("N 600 W"); an age of ninety and more in words
/// ("ninety-two", "ninety and one") unless a unit or a vital sign's word is next to it; and the OCR'd age or ZIP code
/// whose zero or one was read as a letter ("age 9O", "NE 688O1").
/// </summary>
internal sealed partial class Scan
{
    /// <summary>Round 16's pass: one walk over the lettered tokens, each rule behind a cheap test of the token's shape.</summary>
    private void MarkGaps16()
    {
        for (var w = 0; w < _letteredCount; w++)
        {
            var i = _lettered[w];
            if (_run[i] != 0)
            {
                if (_kind[i] == PhiKind.Location && IsFree(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore))
                {
                    ExtendTown16(i);
                }
                else if (_kind[i] == PhiKind.Address && _t[i].Length is 3 or 5 or 7 && IsNumber(i + 1) && _run[i + 1] == _run[i] && IsFree(i + 2)
                    && IsWord(i + 2) && _t[i + 2].Length == 1 && !Joined(i + 2) && IsDirectionLetter16(i + 2) && EndsRoute16(i + 2) && IsRouteWord16(i))
                {
                    // "Hwy 191 N", "Route 84 S": the direction after a route a rule took.
                    Mark(i + 2, i + 2, PhiKind.Address);
                    _run[i + 2] = _run[i];
                }
                else if (_kind[i] == PhiKind.Age && _t[i].Length == 6 && WordIs(i + 1, "and") && IsFree(i + 1) && IsUnitWord16(i + 2) && WordIs(i, "ninety"))
                {
                    Mark(i + 1, i + 2, PhiKind.Age);
                    _run[i + 1] = _run[i + 2] = _run[i];
                }

                continue;
            }

            if (_t[i].Type == TokenType.Alnum)
            {
                if (_t[i].Length is 2 or 5)
                {
                    TryOcrAgeOrZip16(i);
                }

                continue;
            }

            if (_t[i].Is(TokenShape.Lower))
            {
                if (_ageWords12 && _t[i].Length == 6)
                {
                    TryNinety16(i);
                }

                continue;
            }

            if (_t[i].Length == 1)
            {
                if (_t[i].Is(TokenShape.Upper))
                {
                    TryLeadingGrid16(i);
                }

                continue;
            }

            if (!_t[i].Is(TokenShape.Capitalized))
            {
                continue;
            }

            var length = _t[i].Length;
            if (length == 6 && _ageWords12)
            {
                TryNinety16(i);
            }

            if ((length == 5 && WordIs(i, "Route")) || (length == 3 && WordIs(i, "Rte")))
            {
                TryRoute16(i);
                continue;
            }

            if (length == 6 && WordIs(i, "Colony"))
            {
                TryColony16(i);
                continue;
            }

            if (length >= 3 && IsWord(i + 1) && _t[i + 1].Length is >= 2 and <= 7 && IsRoadWord16(i + 1))
            {
                TryBareRoad16(i);
                continue;
            }

            if (length >= 4)
            {
                TryTown16(i);
            }
        }
    }

    private static readonly string[] RoadWords16 = ["road", "rd", "street", "avenue", "ave", "highway", "hwy", "lane", "ln", "boulevard", "blvd", "ridge", "pike", "trail"];

    private bool IsRoadWord16(int i)
    {
        if (!_t[i].Is(TokenShape.Capitalized))
        {
            return false;
        }

        foreach (var word in RoadWords16)
        {
            if (WordIs(i, word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What the lists say of a word, without the scan's own flags.</summary>
    private Lex Listed16(int i) => L(i) & ~(Lex.WordRuleStart | Lex.Partial);

    /// <summary>A word no list knows, or a listed place that is not also a month, a clinical word, a title or the like.</summary>
    private bool MayBeTown16(int i, bool unknownOnly)
    {
        if (!IsFree(i) || !_t[i].Is(TokenShape.Capitalized) || IsCountry(i) || MoreCountryNames.Contains(Span(i)) || LanguageNames.Contains(Span(i)))
        {
            return false;
        }

        var lex = Listed16(i);
        if (lex == Lex.None)
        {
            return true;
        }

        return !unknownOnly && (lex & Lex.Place) != 0
            && (lex & (Lex.Clinical | Lex.Month | Lex.MonthAbbreviation | Lex.Weekday | Lex.Holiday | Lex.Title | Lex.Credential | Lex.State
                | Lex.Facility | Lex.Relation | Lex.NameLabel | Lex.StreetSuffix | Lex.MeasureUnit | Lex.Direction)) == 0;
    }

    /// <summary>
    /// "delivered in Doha", "called from Anchorage", "near Kismayo", "at Hoʻolehua", "going to Providence": a town after a
    /// lower-case preposition of place (a listed town after "in", "from", "near", "via", "outside" or "to"; a word no
    /// list knows after those but "to", or after "at" or "off"); "Kakuma camp", "the Prospect community": before a
    /// settlement's noun; "Oʻahu (Kāneʻohe)": in brackets after a town. A ZIP code may follow.
    /// </summary>
    private void TryTown16(int i)
    {
        var p = i - 1;
        var strong = false;
        var noun = IsWord(i + 1) && _t[i + 1].Is(TokenShape.Lower) && IsSettlementNoun16(i + 1, out strong);
        if (noun && MayBeTown16(i, unknownOnly: !strong))
        {
            Mark(i, i, PhiKind.Location);
            return;
        }

        if (IsPunct(p, '(') && IsPunct(i + 1, ')') && InRange(p - 1) && _kind[p - 1] == PhiKind.Location && MayBeTown16(i, unknownOnly: true))
        {
            Mark(i, i, PhiKind.Location);
            return;
        }

        if (!IsWord(p) || !_t[p].Is(TokenShape.Lower) || _t[p].Length > 7)
        {
            // "Riverside Shore Memorial Hospital, Onancock VA": a town no list knows between a comma and a state's code.
            if (IsPunct(p, ',') && IsWord(p - 1) && IsWord(i + 1) && _t[i + 1].Length == 2 && _t[i + 1].Is(TokenShape.Upper) && !Joined(i + 1)
                && Has(i + 1, Lex.State) && !Has(i + 1, Lex.Credential) && !IsWord(i + 2) && MayBeTown16(i, unknownOnly: true))
            {
                Mark(i, i, PhiKind.Location);
                return;
            }

            if (IsPunct(p, ',') && InRange(p - 1) && _kind[p - 1] == PhiKind.Address && IsNumber(i + 1, 5, 5) && IsFree(i + 1) && MayBeTown16(i, unknownOnly: false))
            {
                Mark(i, i, PhiKind.Location);
                Mark(i + 1, i + 1, PhiKind.Zip);
            }

            return;
        }

        bool listedCue = WordIs(p, "in") || WordIs(p, "from") || WordIs(p, "near") || WordIs(p, "via") || WordIs(p, "outside") || WordIs(p, "to");
        bool unknownCue = WordIs(p, "in") || WordIs(p, "from") || WordIs(p, "near") || WordIs(p, "outside") || WordIs(p, "at") || WordIs(p, "off");
        if (!unknownCue && !listedCue)
        {
            return;
        }

        // "interview conducted in Somali", "translated to Dari": a language the lists do not know.
        var before = WordBefore(p, 2);
        if (before >= 0 && (WordIs(before, "conducted") || WordIs(before, "spoken") || WordIs(before, "written") || WordIs(before, "translated")
            || WordIs(before, "fluent") || WordIs(before, "speaks") || WordIs(before, "interpreted") || WordIs(before, "switched")
            || WordIs(before, "changed") || WordIs(before, "converted") || WordIs(before, "secondary") || WordIs(before, "due")
            || WordIs(before, "related") || WordIs(before, "attributed") || WordIs(before, "compared") || WordIs(before, "similar")))
        {
            return;
        }

        // "to Balkan nephropathy": an eponym or an adjective before a clinical word.
        if (IsWord(i + 1) && _t[i + 1].Is(TokenShape.Lower) && Has(i + 1, Lex.Clinical))
        {
            return;
        }

        // "in Spring 2020", "in Fall": a season, or a word before a year.
        if (IsSeason16(i) || IsNumber(i + 1, 4, 4))
        {
            return;
        }

        // A capitalized word after the town makes a longer name (a facility, a person), which other rules judge.
        if (IsWord(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore) && _t[i + 1].Is(TokenShape.Capitalized | TokenShape.Upper))
        {
            return;
        }

        // A word no list knows after its cues; a listed town after its own (a listed word is no stranger after "to" or "via").
        var town = Listed16(i) == Lex.None ? unknownCue && MayBeTown16(i, unknownOnly: true) : listedCue && MayBeTown16(i, unknownOnly: false);
        if (!town)
        {
            return;
        }

        Mark(i, i, PhiKind.Location);
        if (IsNumber(i + 1, 5, 5) && IsFree(i + 1))
        {
            Mark(i + 1, i + 1, PhiKind.Zip);
        }
    }

    private static readonly string[] GeoNouns16 = ["Valley", "Colony", "Island", "Point", "Creek", "Flats", "Harbor", "Village", "Heights", "Springs", "Falls", "Bay"];

    /// <summary>
    /// "Hālawa Valley", "St. Helena Island": a geographic noun after a town a rule took; "Zuni 87327": a ZIP code after it.
    /// </summary>
    private void ExtendTown16(int i)
    {
        var n = i + 1;
        if (IsNumber(n, 5, 5) && !Joined(n) && !IsPunct(n + 1, '-'))
        {
            Mark(n, n, PhiKind.Zip);
            return;
        }

        if (!IsWord(n) || !_t[n].Is(TokenShape.Capitalized) || _t[n].Length is < 3 or > 7 || Joined(n))
        {
            return;
        }

        foreach (var noun in GeoNouns16)
        {
            if (WordIs(n, noun))
            {
                Mark(n, n, PhiKind.Location);
                _run[n] = _run[i];
                return;
            }
        }
    }

    private bool IsSeason16(int i) => WordIs(i, "Spring") || WordIs(i, "Summer") || WordIs(i, "Fall") || WordIs(i, "Autumn") || WordIs(i, "Winter");

    /// <summary>A settlement's noun after a town's name: camp, wharf, village, harbor (strong: a listed town may precede), community.</summary>
    private bool IsSettlementNoun16(int i, out bool strong)
    {
        strong = WordIs(i, "community") || WordIs(i, "township");
        return strong || WordIs(i, "camp") || WordIs(i, "wharf") || WordIs(i, "village") || WordIs(i, "harbor") || WordIs(i, "harbour");
    }

    /// <summary>
    /// "King Colony", "Rustic Acres Colony", "Spring Creek Colony": a colony by its one or two capitalized words (or a town
    /// a rule took) before "Colony"; "Colony Rd": a road.
    /// </summary>
    private void TryColony16(int i)
    {
        if (IsWord(i + 1) && IsRoadWord16(i + 1) && IsFree(i + 1))
        {
            Mark(i, i + 1, PhiKind.Address);
            return;
        }

        if (!IsWord(i - 1) || _t[i].Is(TokenShape.LineBefore))
        {
            return;
        }

        // "Thornhill Colony": a word a name rule took alone is the colony's name.
        if (_kind[i - 1] == PhiKind.Name && !_t[i - 1].Is(TokenShape.LineBefore) && _run[i - 1] != (i >= 2 ? _run[i - 2] : -1)
            && !IsPunct(i - 2, ',') && IsColonyName16(i - 1))
        {
            Mark(i - 1, i, PhiKind.Location);
            return;
        }

        if (_kind[i - 1] == PhiKind.Location)
        {
            Mark(i, i, PhiKind.Location);
            _run[i] = _run[i - 1];
            return;
        }

        var first = i - 1;
        if (!IsColonyWord16(first))
        {
            return;
        }

        if (IsWord(first - 1) && !_t[first].Is(TokenShape.LineBefore) && IsColonyWord16(first - 1) && !StartsSentence(first))
        {
            first--;
        }

        Mark(first, i, PhiKind.Location);
    }

    private bool IsColonyWord16(int i) => IsFree(i) && IsColonyName16(i);

    private bool IsColonyName16(int i) =>
        _t[i].Is(TokenShape.Capitalized) && _t[i].Length >= 3
        && (Listed16(i) & (Lex.Clinical | Lex.Month | Lex.Weekday | Lex.Title | Lex.Credential | Lex.Relation | Lex.NameLabel | Lex.Holiday)) == 0;

    /// <summary>
    /// "the Airport Road side", "(Colony Rd has no number)", "Home address: Main Ridge, Tangier": a capitalized word and a
    /// road's word, without a house number, after "on", "off", "along", "the", "(" or an address's label.
    /// </summary>
    private void TryBareRoad16(int i)
    {
        if (!IsFree(i + 1) || !IsFree(i))
        {
            return;
        }

        var p = i - 1;
        var cued = (IsWord(p) && _t[p].Is(TokenShape.Lower) && (WordIs(p, "on") || WordIs(p, "off") || WordIs(p, "along") || WordIs(p, "the") || WordIs(p, "near")))
            || (IsPunct(p, '(') && !Joined(i))
            || (IsPunct(p, ':') && IsAddressLabel16(p - 1));
        if (!cued || (Listed16(i) & (Lex.Clinical | Lex.Month | Lex.Weekday | Lex.Title | Lex.Credential | Lex.Relation)) != 0 || !IsFree(i) || !IsFree(i + 1))
        {
            return;
        }

        Mark(i, i + 1, PhiKind.Address);
    }

    private bool IsAddressLabel16(int i) => WordIs(i, "address") || WordIs(i, "addr") || WordIs(i, "street");

    /// <summary>"Route 301 N", "Rte 9": a route's number, with a direction's letter after it.</summary>
    private void TryRoute16(int i)
    {
        if (!IsNumber(i + 1, 1, 4) || !IsFree(i + 1) || Joined(i + 1))
        {
            return;
        }

        // A route with its direction's letter, or after "on", "off", "along" (not "Route 9 was closed", nor a drug's route).
        if (IsWord(i + 2) && _t[i + 2].Length == 1 && !Joined(i + 2) && IsDirectionLetter16(i + 2) && EndsRoute16(i + 2))
        {
            Mark(i, i + 2, PhiKind.Address);
        }
        else if (WordIs(i - 1, "on") || WordIs(i - 1, "off") || WordIs(i - 1, "along"))
        {
            Mark(i, i + 1, PhiKind.Address);
        }
    }

    /// <summary>The direction's letter ends the route: punctuation, a line's end or the text's end follows ("Hwy 26 W Employee:" is a label's letter).</summary>
    private bool EndsRoute16(int i) => !InRange(i + 1) || IsPunct(i + 1) || _t[i + 1].Is(TokenShape.LineBefore);

    private bool IsRouteWord16(int i) => WordIs(i, "Route") || WordIs(i, "Rte") || WordIs(i, "Hwy") || WordIs(i, "Highway");

    private bool IsDirectionLetter16(int i) => _text[_t[i].Start] is 'N' or 'S' or 'E' or 'W';

    /// <summary>"N 600 W": a grid address that starts with its direction, the other axis after the number.</summary>
    private void TryLeadingGrid16(int i)
    {
        if (!IsDirectionLetter16(i) || !IsNumber(i + 1, 2, 5) || !IsWord(i + 2) || _t[i + 2].Length != 1 || !IsDirectionLetter16(i + 2)
            || Joined(i + 1) || Joined(i + 2) || !IsFree(i + 1) || !IsFree(i + 2) || (IsWord(i + 3) && Joined(i + 3)))
        {
            return;
        }

        var northSouth = _text[_t[i].Start] is 'N' or 'S';
        var otherNorthSouth = _text[_t[i + 2].Start] is 'N' or 'S';
        if (northSouth != otherNorthSouth)
        {
            Mark(i, i + 2, PhiKind.Address);
        }
    }

    /// <summary>
    /// "like ninety-two", "now ninety", "ninety and one": an age over 89 in words, unless a unit follows ("ninety
    /// minutes", "ninety over sixty") or a vital sign's word precedes ("sat ninety").
    /// </summary>
    private void TryNinety16(int i)
    {
        if (!WordIs(i, "ninety"))
        {
            return;
        }

        var last = i;
        if (IsPunct(i + 1, '-') && Joined(i + 1) && Joined(i + 2) && IsUnitWord16(i + 2))
        {
            last = i + 2;
        }
        else if (IsWord(i + 1) && IsUnitWord16(i + 1))
        {
            last = i + 1;
        }
        else if (WordIs(i + 1, "and") && IsUnitWord16(i + 2))
        {
            last = i + 2;
        }

        var next = last + 1;
        if (IsPunct(next, '-') && Joined(next))
        {
            next++;
        }

        if ((IsWord(next) && (Has(next, Lex.MeasureUnit) || IsNotAgeNoun16(next))) || IsPunct(next, '%') || IsPunct(next, '/'))
        {
            return;
        }

        // "sat ninety", "heart rate holding at ninety two": a vital sign's word among the three words before.
        var p = WordBefore(i, 2);
        for (var seen = 0; p >= 0 && seen < 3; p = WordBefore(p, 2), seen++)
        {
            if (IsVitalWord16(p))
            {
                return;
            }
        }

        if (AnyMarked(i, last))
        {
            return;
        }

        Mark(i, last, PhiKind.Age);
    }

    private bool IsVitalWord16(int p) =>
        (Has(p, Lex.RatioCue) && !WordIs(p, "of")) || WordIs(p, "sat") || WordIs(p, "sats") || WordIs(p, "saturation") || WordIs(p, "spo2")
            || WordIs(p, "glucose") || WordIs(p, "sugar") || WordIs(p, "weight") || WordIs(p, "weighs") || WordIs(p, "hr") || WordIs(p, "temp");

    private static readonly string[] UnitWords16 = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    private bool IsUnitWord16(int i)
    {
        if (!IsWord(i) || _t[i].Length > 5)
        {
            return false;
        }

        foreach (var word in UnitWords16)
        {
            if (WordIs(i, word))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly string[] NotAgeNouns16 =
    [
        "minutes", "minute", "min", "mins", "seconds", "second", "sec", "hours", "hour", "hrs", "days", "day", "weeks", "week", "months",
        "month", "percent", "degrees", "degree", "beats", "times", "pounds", "lbs", "kilos", "units", "feet", "miles", "dollars", "over",
        "point", "thousand", "hundred", "milligrams", "mg", "ml", "cc", "pills", "tablets", "tabs", "meters", "steps", "mmhg", "bpm", "percentile",
    ];

    private bool IsNotAgeNoun16(int i)
    {
        foreach (var word in NotAgeNouns16)
        {
            if (WordIs(i, word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// "age 9O", "is 9l": an age of ninety or ninety-one whose last digit OCR read as a letter; "FL 33Ol2": a ZIP code
    /// after a state's code with such letters among at least three digits.
    /// </summary>
    private void TryOcrAgeOrZip16(int i)
    {
        var span = Span(i);
        if (span.Length == 2)
        {
            if (span[0] == '9' && span[1] is 'O' or 'o' or 'l' or 'I')
            {
                var p = WordBefore(i, 2);
                if (p >= 0 && (WordIs(p, "age") || WordIs(p, "aged") || WordIs(p, "is") || WordIs(p, "turned") || WordIs(p, "now") || WordIs(p, "of")))
                {
                    Mark(i, i, PhiKind.Age);
                }
            }

            return;
        }

        var digits = 0;
        foreach (var c in span)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (c is not ('O' or 'o' or 'l' or 'I'))
            {
                return;
            }
        }

        var s = i - 1;
        if (digits >= 3 && IsWord(s) && _t[s].Length == 2 && _t[s].Is(TokenShape.Upper) && Has(s, Lex.State))
        {
            Mark(i, i, PhiKind.Zip);
        }
    }
}
