namespace XefAI.Data.Deidentification;

/// <summary>Dates: every element more specific than the year, in the forms US clinical text writes them.</summary>
internal sealed partial class Scan
{
    private bool TryNumericDate(int i)
    {
        // The second date of a range ("2/6-2/8") follows the first's hyphen.
        if (!IsNumber(i, 1, 4) || (Continues(i, before: true) && !(IsPunct(i - 1, '-') && _run[i - 2] != 0 && _kind[i - 2] == PhiKind.Date)))
        {
            return false;
        }

        var sep = Separator(i + 1, out var width) && width == 1 ? _text[_t[i + 1].Start] : IsPunct(i + 1, '/') && Joined(i + 1) ? '/' : '\0';
        if (sep == '\0' || !Joined(i + 2) || !IsNumber(i + 2, 1, 4))
        {
            return false;
        }

        var first = Value(i);
        var second = Value(i + 2);
        var firstDigits = _t[i].Length;

        // Three parts: 03/14/2024, 3-14-24, 14.03.2024, 2024-03-14.
        if (IsPunct(i + 3, sep) && Joined(i + 3) && InRange(i + 4) && Joined(i + 4)
            && _t[i + 4].Type is TokenType.Number or TokenType.Alnum)
        {
            var third = DigitsPrefix(i + 4, out var thirdDigits);
            var end = i + 4;

            // "1/22/69-1/25/69" is two dates; "1/2/3/4" is not one.
            if (Continues(end, before: false) && IsPunct(end + 1, sep))
            {
                return false;
            }

            var valid = firstDigits == 4
                ? IsYear(first) && second is >= 1 and <= 12 && thirdDigits is 1 or 2 && third is >= 1 and <= 31
                : thirdDigits is 2 or 4 && (thirdDigits == 2 || IsYear(third))
                    && ((first is >= 1 and <= 12 && second is >= 1 and <= 31) || (second is >= 1 and <= 12 && first is >= 1 and <= 31));
            if (valid && (_t[end].Type == TokenType.Number || IsTimeSuffix(end, thirdDigits)))
            {
                Mark(i, IsTimeSuffix(end, thirdDigits) ? TimestampEnd(end) : end, PhiKind.Date);
                return true;
            }

            return false;
        }

        if (Continues(i + 2, before: false) && (IsPunct(i + 3, sep) || !IsDateAhead(i + 4)))
        {
            return false;
        }

        // Month and year: 03/2024, 3-2024.
        if (firstDigits <= 2 && first is >= 1 and <= 12 && IsNumber(i + 2, 4, 4) && IsYear(second))
        {
            Mark(i, i + 2, PhiKind.Date);
            return true;
        }

        if (_t[i + 2].Length > 2)
        {
            return false;
        }

        // Month and day, slash only: 3/14. Fractions, scores and ratios look the same, so context decides.
        if (sep == '/' && firstDigits <= 2 && first is >= 1 and <= 12 && second is >= 1 and <= 31 && IsMonthDay(i, first, second))
        {
            Mark(i, i + 2, PhiKind.Date);
            return true;
        }

        return false;
    }

    private static bool IsYear(int value) => value is >= 1800 and <= 2199;

    // The start of another date after a range's hyphen: "2/6-2/8".
    private bool IsDateAhead(int i) => IsNumber(i, 1, 2) && IsPunct(i + 1, '/') && Joined(i + 1) && IsNumber(i + 2, 1, 4) && Joined(i + 2);

    // "14T10" in 2024-03-14T10:30: the day with the time glued to it.
    private bool IsTimeSuffix(int i, int digits) => digits is 1 or 2 && Span(i).Length > digits && Span(i)[digits] is 'T' or 't';

    private int DigitsPrefix(int i, out int digits)
    {
        var span = Span(i);
        digits = 0;
        var value = 0;
        while (digits < span.Length && digits < 4 && char.IsAsciiDigit(span[digits]))
        {
            value = (value * 10) + (span[digits] - '0');
            digits++;
        }

        return value;
    }

    private bool IsMonthDay(int i, int month, int day)
    {
        // Only the words right beside it, on its line: "7 days (1/15 11:00)" and "visit 3/21. PT ..." are dates.
        // A study or visit word right before it ("Echo 3/30 LVEF 60%") outweighs a lab or a scale after it, not a unit.
        var before = IsWord(i - 1) && !_t[i].Is(TokenShape.LineBefore) ? i - 1 : -1;
        var after = IsWord(i + 3) && !_t[i + 3].Is(TokenShape.LineBefore) ? i + 3 : -1;
        var datedBefore = before >= 0 && Has(before, Lex.DateCue) && !Has(before, Lex.RatioCue | Lex.MeasureUnit);
        if ((before >= 0 && Has(before, Lex.RatioCue | Lex.MeasureUnit) && !Has(before, Lex.DateCue))
            || (after >= 0 && Has(after, datedBefore ? Lex.MeasureUnit : Lex.RatioCue | Lex.MeasureUnit) && !Has(after, Lex.DateCue | Lex.Month))
            || (IsPunct(i + 3, '"') && Joined(i + 3)) || (IsPunct(i - 1, '/') || IsPunct(i + 3, '/')))
        {
            return false;
        }

        // "1/2", "3/4", "2/3", "3/8" are fractions unless a date word stands right before them.
        var dateCue = WordBefore(i, 2) is var cue and >= 0 && Has(cue, Lex.DateCue | Lex.Weekday);

        // "8/10" pain, "3/3 cores", "2/2 IgA" likewise.
        if ((month == 1 && day is 2 or 3 or 4 or 8) || (month == 2 && day == 3) || (month == 3 && day is 4 or 8) || (day == 10 && month <= 10)
            || (day == 5 && month <= 5) || (month == day && day <= 3))
        {
            return dateCue;
        }

        return true;
    }

    private bool TryMonthDate(int i)
    {
        // The 14th (of March), on the 3rd.
        if (_t[i].Type == TokenType.Alnum && IsOrdinalDay(i, out _))
        {
            var prior = WordBefore(i, 1);
            var chained = prior >= 0 && (WordIs(prior, "or") || WordIs(prior, "and") || WordIs(prior, "to") || WordIs(prior, "through"))
                && InRange(prior - 1) && _run[prior - 1] != 0 && _kind[prior - 1] == PhiKind.Date;
            // "graduation is the 21st.": the day alone ends the clause.
            var endsClause = !InRange(i + 1) || _t[i + 1].Is(TokenShape.LineBefore) || IsPunct(i + 1, '.') || IsPunct(i + 1, ',') || IsPunct(i + 1, ';')
                || IsPunct(i + 1, '!') || IsPunct(i + 1, '?') || IsPunct(i + 1, ')');
            if ((prior >= 0 && WordIs(prior, "the") && ((WordBefore(prior, 1) is var cue and >= 0 && Has(cue, Lex.DateCue | Lex.Weekday)) || endsClause))
                || (WordIs(i + 1, "of") && IsMonth(i + 2)) || chained || (IsPunct(i - 1, '-') && InRange(i - 2) && _run[i - 2] != 0 && _kind[i - 2] == PhiKind.Date))
            {
                var end = WordIs(i + 1, "of") && IsMonth(i + 2) ? YearAfter(i + 2) : i;
                Mark(i, end, PhiKind.Date);
                return true;
            }

            return false;
        }

        // "Labor Day", "Memorial Day weekend": a holiday named by its day, both words capitalized.
        if (IsCapitalized(i) && WordIs(i + 1, "day") && IsCapitalized(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore)
            && (WordIs(i, "labor") || WordIs(i, "memorial") || WordIs(i, "independence") || WordIs(i, "veterans") || WordIs(i, "presidents")
                || WordIs(i, "columbus") || WordIs(i, "thanksgiving") || WordIs(i, "christmas")))
        {
            Mark(i, YearAfter(i + 1), PhiKind.Date);
            return true;
        }

        // "Christmas", and in lower case "christmas eve", "since thanksgiving"; not the holiday's things ("the Christmas card").
        if (Has(i, Lex.Holiday) && (IsCapitalized(i) || WordIs(i + 1, "eve") || WordIs(i + 1, "day") || IsDatePreposition(WordBefore(i, 1)))
            && !(WordIs(i + 1, "card") || WordIs(i + 1, "cards") || WordIs(i + 1, "tree") || WordIs(i + 1, "gift") || WordIs(i + 1, "gifts")
                || WordIs(i + 1, "present") || WordIs(i + 1, "presents") || WordIs(i + 1, "lights") || WordIs(i + 1, "decorations")
                || WordIs(i + 1, "music") || WordIs(i + 1, "songs") || WordIs(i + 1, "cookies")))
        {
            var end = i;
            if (IsPunct(i + 1, '\'') && WordIs(i + 2, "s"))
            {
                end = i + 2;
            }

            if (WordIs(end + 1, "eve") || WordIs(end + 1, "day"))
            {
                end++;
            }

            Mark(i, YearAfter(end), PhiKind.Date);
            return true;
        }

        // 14 Mar 2024, 14-Mar-2024, 14th March
        if (((IsNumber(i, 1, 2) && Value(i) is >= 1 and <= 31 && !(IsPunct(i - 1, '.') && Joined(i)))) || (_t[i].Type == TokenType.Alnum && IsOrdinalDay(i, out _)))
        {
            var m = i + 1;
            if (IsPunct(m, '-') || IsPunct(m, ' '))
            {
                m++;
            }
            else if (WordIs(m, "de") && IsMonth(m + 1))
            {
                // "15 de agosto de 1963"
                m++;
            }

            if (IsMonth(m) && !_t[m].Is(TokenShape.LineBefore) && (Joined(m) || _t[m].Is(TokenShape.SpaceBefore)))
            {
                Mark(i, YearAfter(m), PhiKind.Date);
                return true;
            }

            return false;
        }

        if (!IsMonth(i))
        {
            return false;
        }

        // March 14, March 14th, 2024; Mar. 14; Mar-14-2024; March 2024; Mar '24
        var j = i + 1;
        if (IsPunct(j, '.') && Joined(j))
        {
            j++;
        }

        if (IsPunct(j, '-') && Joined(j))
        {
            j++;
        }

        if (InRange(j) && !_t[j].Is(TokenShape.LineBefore)
            && ((IsNumber(j, 1, 2) && Value(j) is >= 1 and <= 31) || (_t[j].Type == TokenType.Alnum && IsOrdinalDay(j, out _))))
        {
            if (IsMonth(i, strict: false) || IsNumber(j, 1, 2) || _t[j].Type == TokenType.Alnum)
            {
                Mark(i, YearAfter(j), PhiKind.Date);
                return true;
            }
        }

        var year = YearAfter(i);
        if (year > i)
        {
            Mark(i, year, PhiKind.Date);
            return true;
        }

        // A month in lower case alone, after a preposition of time: "since october", "back in nov".
        if (_t[i].Is(TokenShape.Lower) && !WordIs(i, "may") && !WordIs(i, "mar") && !WordIs(i, "march") && IsDatePreposition(WordBefore(i, 1)))
        {
            Mark(i, i, PhiKind.Date);
            return true;
        }

        // A month alone is a date element too; "May", "March" and abbreviations alone are taken for months only after a preposition.
        if (Has(i, Lex.Month | Lex.MonthAbbreviation) && IsCapitalized(i) && !(Has(i, Lex.MonthAbbreviation) && _t[i].Is(TokenShape.Upper)))
        {
            // "Mayo", "Julio", "Abril" are also a clinic and first names.
            var ambiguous = WordIs(i, "may") || WordIs(i, "march") || WordIs(i, "mayo") || WordIs(i, "julio") || WordIs(i, "abril") || Has(i, Lex.MonthAbbreviation);
            var prior = WordBefore(i, 1);

            // "June Sato", "April Nguyen": a month that is a first name, before a surname and after no preposition of time.
            if (IsMonthAsFirstName(i))
            {
                return false;
            }

            if (!ambiguous || (prior >= 0 && (WordIs(prior, "in") || WordIs(prior, "since") || WordIs(prior, "of") || WordIs(prior, "until")
                || WordIs(prior, "early") || WordIs(prior, "late") || WordIs(prior, "mid") || WordIs(prior, "last") || WordIs(prior, "next")
                || WordIs(prior, "this") || WordIs(prior, "during") || WordIs(prior, "through") || WordIs(prior, "by") || WordIs(prior, "from"))))
            {
                Mark(i, i, PhiKind.Date);
                return true;
            }
        }

        return false;
    }

    private bool IsMonthAsFirstName(int i) =>
        _t[i].Is(TokenShape.Capitalized) && (L(i) & Lex.FirstName) != 0 && !IsDatePreposition(WordBefore(i, 1))
        && IsWord(i + 1) && _t[i + 1].Is(TokenShape.Capitalized) && !_t[i + 1].Is(TokenShape.LineBefore)
        && ((L(i + 1) & (Lex.Common | Lex.Clinical | Lex.Month | Lex.Weekday | Lex.State | Lex.Facility)) == 0);

    private bool IsDatePreposition(int p) =>
        p >= 0 && (WordIs(p, "since") || WordIs(p, "in") || WordIs(p, "until") || WordIs(p, "till") || WordIs(p, "after") || WordIs(p, "before")
            || WordIs(p, "over") || WordIs(p, "on") || WordIs(p, "at") || WordIs(p, "by") || WordIs(p, "around") || WordIs(p, "from")
            || WordIs(p, "through") || WordIs(p, "during") || WordIs(p, "last") || WordIs(p, "next") || WordIs(p, "early") || WordIs(p, "late")
            || WordIs(p, "mid"));

    private bool IsMonth(int i, bool strict = true)
    {
        if (!IsWord(i) || !Has(i, Lex.Month | Lex.MonthAbbreviation))
        {
            return false;
        }

        // "may" and "mar" in lower case are verbs more often than months; the rest in any case.
        return IsCapitalized(i) || (!strict || !(WordIs(i, "may") || WordIs(i, "mar") || WordIs(i, "march") || WordIs(i, "mayo")));
    }

    private bool IsOrdinalDay(int i, out int day)
    {
        var span = Span(i);
        day = 0;
        if (span.Length is < 3 or > 4)
        {
            return false;
        }

        var digits = span.Length - 2;
        var suffix = span[digits..];
        if (!int.TryParse(span[..digits], out day) || day is < 1 or > 31)
        {
            return false;
        }

        return suffix.Equals("st", StringComparison.OrdinalIgnoreCase) || suffix.Equals("nd", StringComparison.OrdinalIgnoreCase)
            || suffix.Equals("rd", StringComparison.OrdinalIgnoreCase) || suffix.Equals("th", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The year that follows a date's day or month (", 2024", " 2024", "-2024", " '24"), or <paramref name="i"/> itself.</summary>
    private int YearAfter(int i)
    {
        var j = i + 1;
        if ((IsPunct(j, ',') || IsPunct(j, '-') || IsPunct(j, '/') || IsPunct(j, '.')) && !_t[j].Is(TokenShape.LineBefore))
        {
            j++;
        }

        if ((WordIs(j, "of") || WordIs(j, "de") || WordIs(j, "del")) && IsNumber(j + 1, 4, 4))
        {
            j++;
        }

        if (IsPunct(j, '\'') && IsNumber(j + 1, 2, 2) && Joined(j + 1))
        {
            return j + 1;
        }

        // "02-Jan-69": a two-digit year glued by the hyphen.
        if (IsPunct(j - 1, '-') && Joined(j - 1) && Joined(j) && IsNumber(j, 2, 2) && !Continues(j, before: false))
        {
            return j;
        }

        return IsNumber(j, 4, 4) && IsYear(Value(j)) && !_t[j].Is(TokenShape.LineBefore) ? j : i;
    }
}
