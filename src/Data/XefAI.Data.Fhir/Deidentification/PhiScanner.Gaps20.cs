namespace XefAI.Data.Deidentification;

/// <summary>
/// Round 20: shapes the earlier rounds leave. An age over 89 in digits right after a relative ("mother 93 in", "sister
/// (95)", "brother is 97") or in Spanish words ("noventa y dos"); a month and a two-digit year after a word that dates
/// ("since 12/90", "in 9/89"), where the year cannot be a day; a town no list knows after a compass distance ("two miles
/// east of Dallardsville"); a numbered street whose name is an ordinal word after a compass letter ("412 N Second"); a
/// farm- or ranch-to-market road ("FM 2114"); and a festival of several capitalised words ending in "Days" ("Pioneer
/// Days") or "All Saints"; a town no list knows after a word of motion or place ("drives into Redby", "above
/// Hillsville"); and "pt 96;" as the patient's age.
/// </summary>
internal sealed partial class Scan
{
    private static readonly WordSet OrdinalWords20 = new(
        ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth"]);

    private static readonly WordSet SpanishUnits20 = new(["uno", "un", "una", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"]);

    // Words after which a month and a two-digit year date something.
    private static readonly WordSet MonthYearCues20 = new(["since", "in", "on", "from", "until", "till", "by", "last", "dated", "before", "after", "circa", "around"]);

    private static readonly WordSet TownMotionCues20 = new(["into", "above", "below", "outside", "arrived", "upriver", "downriver"]);

    // The last word of a town of two or three words ("Big Pine Key", "Heart Butte", "Hog Hammock", "Indian Island").
    private static readonly WordSet TownEndWords20 = new(["key", "keys", "butte", "hammock", "island", "isle", "glacier", "bayou", "cove"]);

    // Words before such a town.
    private static readonly WordSet TownEndCues20 = new(["in", "from", "at", "near", "past", "to", "toward", "around", "outside", "off", "of"]);

    private static readonly WordSet FestivalCues20 = new(["before", "after", "since", "for", "during", "until", "till", "through", "at", "by", "around", "over", "from"]);

    /// <summary>Round 20's pass: one walk over the lettered tokens, each rule behind a cheap test of the token's length and shape.</summary>
    private void MarkGaps20()
    {
        for (var w = 0; w < _letteredCount; w++)
        {
            var i = _lettered[w];
            if (_t[i].Type != TokenType.Word)
            {
                continue;
            }

            var length = _t[i].Length;
            if (length >= 2 && length <= 6 && IsNumber(i + 1) && IsWordOf(i, MonthYearCues20))
            {
                TryMonthYear20(i + 1);
            }
            else if (length == 7 && _run[i] == 0 && WordIs(i, "noventa"))
            {
                TrySpanishAge20(i);
            }
            else if (length == 2 && _run[i] == 0 && _t[i].Is(TokenShape.Upper) && WordIs(i, "fm") && IsFree(i + 1) && IsNumber(i + 1, 2, 4) && !IsNumber(i - 1))
            {
                // "FM 2114": a farm-to-market road, unless the number is a measure or a cell of a row of numbers.
                if (!IsPunct(i + 2, '%') && !IsNumber(i + 2) && !(IsPunct(i + 2, '.') && IsNumber(i + 3)) && !(IsWord(i + 2) && Has(i + 2, Lex.MeasureUnit)))
                {
                    Mark(i, i + 1, PhiKind.Address);
                }
            }
            else if (length >= 4 && length <= 5 && _run[i] == 0 && (WordIs(i, "east") || WordIs(i, "west") || WordIs(i, "north") || WordIs(i, "south")) && WordIs(i + 1, "of"))
            {
                TryTownAfterCompass20(i);
            }
            else if (length == 4 && WordIs(i, "days") && _t[i].Is(TokenShape.Capitalized) && _run[i] == 0)
            {
                TryFestivalDays20(i);
            }
            else if (length == 6 && WordIs(i, "saints") && _t[i].Is(TokenShape.Capitalized) && _run[i] == 0 && WordIs(i - 1, "all") && _t[i - 1].Is(TokenShape.Capitalized)
                && !(IsWord(i + 1) && _t[i + 1].Is(TokenShape.Capitalized) && !WordIs(i + 1, "day")))
            {
                // "since All Saints", "All Saints Day"; "All Saints Church" names a place.
                Mark(i - 1, WordIs(i + 1, "day") ? i + 1 : i, PhiKind.Date);
            }
            else if (length is >= 3 and <= 7 && _run[i] == 0 && _t[i].Is(TokenShape.Capitalized) && IsWordOf(i, TownEndWords20) && !Joined(i))
            {
                TryTownEndingInPlaceWord20(i);
            }
            else if (length is >= 4 and <= 7 && IsWordOf(i, TownMotionCues20) && !StartsSentence(i + 1))
            {
                // "drives into Redby", "the road above Hillsville": a town no list knows after a word of motion or place.
                TryTownAfterBirth19(i + 1);
            }
            else if (length == 2 && WordIs(i, "pt") && IsNumber(i + 1, 2, 3) && IsFree(i + 1) && Value(i + 1) is >= 90 and <= 125
                && (IsPunct(i + 2, ';') || IsPunct(i + 2, ',') || WordIs(i + 2, "yo")))
            {
                // "Notes: pt 96; son says", "pt 93 yo": the patient's age over 89.
                Mark(i + 1, i + 1, PhiKind.Age);
            }
            else if (_run[i] == 0 && length <= 13 && NumberNext20(i) && Has(i, Lex.Relation))
            {
                TryRelativeAge20(i);
            }
            else if (length == 1 && _t[i].Is(TokenShape.Upper) && IsNumber(i - 1, 1, 5) && IsFree(i - 1) && (Span(i)[0] is 'N' or 'S' or 'E' or 'W') && IsWordOf(i + 1, OrdinalWords20)
                && _t[i + 1].Is(TokenShape.Capitalized))
            {
                // "412 N Second": a house number, a compass letter and an ordinal street.
                Mark(i - 1, i + 1, PhiKind.Address);
            }
        }
    }

    /// <summary>A number right after the word, or after one "(", "," or "is": tested before the word is looked up.</summary>
    private bool NumberNext20(int i) =>
        IsNumber(i + 1) || ((IsPunct(i + 1) || (IsWord(i + 1) && _t[i + 1].Length <= 4)) && IsNumber(i + 2));

    /// <summary>"since 12/90", "in 9/89": a month and a two-digit year over 31, so it cannot be a day, and no third part.</summary>
    private void TryMonthYear20(int m)
    {
        if (!IsFree(m) || _t[m].Length > 2 || !IsPunct(m + 1, '/') || !Joined(m + 1) || !IsNumber(m + 2, 2, 2) || !Joined(m + 2) || !IsFree(m + 2))
        {
            return;
        }

        var month = Value(m);
        var year = Value(m + 2);
        // "1/52" and "3/52" count weeks in British and New Zealand notes.
        if (month is < 1 or > 12 || year < 32 || year == 52 || (InRange(m + 3) && Joined(m + 3) && (IsPunct(m + 3, '/') || IsPunct(m + 3, '-') || !IsPunct(m + 3))))
        {
            return;
        }

        Mark(m, m + 2, PhiKind.Date);
    }

    /// <summary>"noventa y dos": an age over 89 in Spanish words.</summary>
    private void TrySpanishAge20(int i)
    {
        var end = i;
        if (WordIs(i + 1, "y") && IsWordOf(i + 2, SpanishUnits20))
        {
            end = i + 2;
        }

        if (!AnyMarked(i, end))
        {
            Mark(i, end, PhiKind.Age);
        }
    }

    /// <summary>
    /// "mother 93 in", "sister (95)", "brother is 97", "grandmother, 101": an age over 89 right after a relative. A number
    /// followed by a unit, a percent, a slash or a decimal point measures something else.
    /// </summary>
    private void TryRelativeAge20(int i)
    {
        var n = i + 1;
        if (IsPunct(n, '(') || IsPunct(n, ','))
        {
            n++;
        }
        else if (WordIs(n, "is") || WordIs(n, "aged") || WordIs(n, "age") || WordIs(n, "now"))
        {
            n++;
        }

        if (!IsNumber(n, 2, 3) || !IsFree(n))
        {
            return;
        }

        var value = Value(n);
        if (value is < 90 or > 125)
        {
            return;
        }

        if (IsPunct(n + 1) && (IsPunct(n + 1, '%') || IsPunct(n + 1, '/') || IsPunct(n + 1, '-') || IsPunct(n + 1, ':') || (IsPunct(n + 1, '.') && IsNumber(n + 2) && Joined(n + 2))))
        {
            return;
        }

        if (IsWord(n + 1) && !Joined(n + 1) && Has(n + 1, Lex.MeasureUnit))
        {
            return;
        }

        if (Joined(n + 1) && !IsPunct(n + 1))
        {
            return;
        }

        Mark(n, n, PhiKind.Age);
    }

    /// <summary>"two miles east of Dallardsville": a capitalised word no list knows after a compass distance is a town.</summary>
    private void TryTownAfterCompass20(int i)
    {
        var t = i + 2;
        if (!IsWord(t) || !IsFree(t) || !_t[t].Is(TokenShape.Capitalized) || _t[t].Length < 3 || Has(t, Lex.Clinical | Lex.Common | Lex.Month | Lex.Weekday | Lex.State))
        {
            return;
        }

        // A distance before the compass word ("two miles", "5 mi", "a mile"): "just east of" may point at anatomy.
        var unit = i - 1;
        if (!(WordIs(unit, "miles") || WordIs(unit, "mile") || WordIs(unit, "mi") || WordIs(unit, "km")))
        {
            return;
        }

        var end = t;
        if (IsWord(t + 1) && IsFree(t + 1) && _t[t + 1].Is(TokenShape.Capitalized) && !Has(t + 1, Lex.Clinical | Lex.Common | Lex.Facility))
        {
            end = t + 1;
        }

        Mark(t, end, PhiKind.Location);
    }

    /// <summary>
    /// "North American Indian Days", "Pioneer Days": one to three capitalised words before a capitalised "Days" that is not
    /// a heading or a count ("Hospital Days: 4", "3 Days").
    /// </summary>
    private void TryFestivalDays20(int i)
    {
        // Upper case as written, not as a lower-case dictation is read.
        if (!char.IsAsciiLetterUpper(_text[_t[i].Start]) || !InRange(i - 1) || !char.IsUpper(_text[_t[i - 1].Start]))
        {
            return;
        }

        if (IsPunct(i + 1, ':') || !IsWord(i - 1) || !_t[i - 1].Is(TokenShape.Capitalized) || Joined(i))
        {
            return;
        }

        if (_run[i - 1] != 0)
        {
            // "Numaga Indian Days" whose first words another rule took as a place or a name: the whole is the festival.
            if (_kind[i - 1] is PhiKind.Location or PhiKind.Name or PhiKind.Date)
            {
                var s = i - 1;
                while (s > 0 && _run[s - 1] == _run[i - 1])
                {
                    s--;
                }

                Mark(s, i, PhiKind.Date);
            }

            return;
        }

        if (Has(i - 1, Lex.Clinical | Lex.Month | Lex.Weekday) || StartsSentence(i - 1))
        {
            return;
        }

        var start = i - 1;
        while (start > i - 3 && IsWord(start - 1) && !Joined(start) && _t[start - 1].Is(TokenShape.Capitalized) && IsFree(start - 1)
            && char.IsUpper(_text[_t[start - 1].Start]) && !Has(start - 1, Lex.Clinical) && !_t[start].Is(TokenShape.LineBefore))
        {
            start--;
        }

        // A festival dates care after a word of time: "right before Pioneer Days", "since Frontier Days".
        if (!IsWordOf(start - 1, FestivalCues20))
        {
            return;
        }

        // Every word of the festival a heading would not hold: a line in title case is a heading, not a date.
        if (StartsLine(start) && (i + 1 >= Count || _t[i + 1].Is(TokenShape.LineBefore)))
        {
            return;
        }

        Mark(start, i, PhiKind.Date);
    }

    /// <summary>
    /// "past Stock Island", "from Big Pine Key", "home, Heart Butte", "Down Street, Indian Island": one or two capitalised
    /// words and a place word after a place's preposition or after a street a rule took. A state ("Rhode Island") stays.
    /// </summary>
    private void TryTownEndingInPlaceWord20(int i)
    {
        var start = i - 1;
        if (!IsWord(start) || !IsFree(start) || !_t[start].Is(TokenShape.Capitalized) || Joined(start + 1) || Has(start, Lex.Clinical | Lex.Month | Lex.Weekday | Lex.Title))
        {
            return;
        }

        if (WordIs(start, "rhode") || WordIs(start, "long") || WordIs(start, "treasure"))
        {
            return;
        }

        if (IsWord(start - 1) && IsFree(start - 1) && _t[start - 1].Is(TokenShape.Capitalized) && !Joined(start) && !_t[start].Is(TokenShape.LineBefore)
            && !Has(start - 1, Lex.Clinical | Lex.Month | Lex.Weekday | Lex.Title) && !IsWordOf(start - 1, TownEndCues20))
        {
            start--;
        }

        var before = start - 1;
        var cued = IsWordOf(before, TownEndCues20) && !_t[start].Is(TokenShape.LineBefore);
        if (!cued && IsPunct(before, ',') && InRange(before - 1) && _run[before - 1] != 0 && _kind[before - 1] == PhiKind.Address)
        {
            cued = true;
        }

        if (!cued || StartsSentence(start))
        {
            return;
        }

        Mark(start, i, PhiKind.Location);
    }
}
