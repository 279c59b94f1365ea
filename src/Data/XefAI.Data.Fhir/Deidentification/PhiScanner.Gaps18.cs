namespace XefAI.Data.Deidentification;

/// <summary>
/// Round 18: shapes the earlier rounds leave. A plate with its state's code in front ("plate IL DK 84127", "ambulance
/// ND 44-1187"); a date written with spaces after a date's label ("DOB: 07 19 1997", "DOS 12 01 26"); a date whose zero
/// or one was read as a letter ("O4/2l/1958", "l2/O2/2O26"); a code after an identifier's label or a '#' ("ID INT-2290",
/// "Form AB-CD-112", "(#40417)"); a login after "by" or a login label ("Printed by jdoe2", "Coder: jdoe", "by
/// lab_jdoe"); a holiday named by several capitalized words after a date's preposition ("before Khmer New Year", "on
/// Transfer Day", "for Armenian Christmas"); and the rest of a hyphenated or apostrophized town ("Port-au-Prince").
/// </summary>
internal sealed partial class Scan
{
    /// <summary>
    /// Round 18's pass: one walk over the lettered tokens and one over the numbers, each rule behind a cheap test of the
    /// token's shape.
    /// </summary>
    private void MarkGaps18()
    {
        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            if (_run[i] != 0)
            {
                continue;
            }

            var length = _t[i].Length;
            if (Joined(i) && IsPunct(i - 1, '#') && length >= 4 && TryHashCode18(i))
            {
                continue;
            }

            if (length <= 2 && IsPunct(i + 1, '/') && Joined(i + 1) && TryOcrDate18(i))
            {
                continue;
            }

            if (length == 2 && IsNumber(i + 1, 2, 2) && !_t[i + 1].Is(TokenShape.LineBefore) && !Joined(i + 1))
            {
                TrySpacedDate18(i);
            }
        }

        for (var w = 0; w < _letteredCount; w++)
        {
            var i = _lettered[w];
            var type = _t[i].Type;
            var length = _t[i].Length;
            if (_run[i] != 0)
            {
                if (_kind[i] == PhiKind.Location && type == TokenType.Word && (IsPunct(i + 1, '-') || IsPunct(i + 1, '\'')) && Joined(i + 1)
                    && IsWord(i + 2) && Joined(i + 2) && IsFree(i + 2))
                {
                    ExtendTown18(i);
                }
                else if (_kind[i] == PhiKind.Date && type == TokenType.Word && IsCapitalized(i) && Has(i, Lex.Holiday))
                {
                    TryHoliday18(i);
                }

                continue;
            }

            if (Joined(i) && IsPunct(i - 1, '#') && TryHashCode18(i))
            {
                continue;
            }

            if (length <= 2 && IsPunct(i + 1, '/') && Joined(i + 1) && IsOcrDigits18(i) && TryOcrDate18(i))
            {
                continue;
            }

            if (length <= 6 && IsPunct(i + 1, '-') && Joined(i + 1) && Joined(i + 2) && !(IsPunct(i - 1, '-') && Joined(i)) && TryLetterCode18(i))
            {
                continue;
            }

            if (type == TokenType.Alnum)
            {
                if (_t[i].Is(TokenShape.Lower) && MayFollowLoginCue18(i) && char.IsAsciiLetter(_text[_t[i].Start]) && IsLoginCue18(i))
                {
                    MarkLogin18(i);
                }

                continue;
            }

            if (length == 2 && _t[i].Is(TokenShape.Upper))
            {
                if (IsState(i))
                {
                    TryPlate18(i);
                }

                if (_run[i] == 0 && (WordIs(i, "id") || WordIs(i, "no")))
                {
                    TryCuedCode18(i);
                }

                continue;
            }

            if (_t[i].Is(TokenShape.Lower))
            {
                if (MayFollowLoginCue18(i) && IsLoginCue18(i) && (IsPunct(i + 1, '_') || (length >= 4 && !Has(i, Lex.Clinical | Lex.Common))))
                {
                    MarkLogin18(i);
                }
                else if (length <= 6 && IsIdLabel18(i))
                {
                    TryCuedCode18(i);
                }

                continue;
            }

            if (!_t[i].Is(TokenShape.Capitalized))
            {
                continue;
            }

            if (length <= 6 && IsIdLabel18(i))
            {
                TryCuedCode18(i);
            }
            else if ((length == 3 && WordIs(i, "day")) || (length == 4 && WordIs(i, "year")) || (length == 8 && WordIs(i, "festival")))
            {
                TryHoliday18(i);
            }
        }
    }

    /// <summary>"id", "no", "set", "form", "code", "number": an identifier's label, tested by length and first letter first.</summary>
    private bool IsIdLabel18(int i)
    {
        var first = (char)(_text[_t[i].Start] | 0x20);
        return _t[i].Length switch
        {
            2 => (first == 'i' && WordIs(i, "id")) || (first == 'n' && WordIs(i, "no")),
            3 => first == 's' && WordIs(i, "set"),
            4 => (first == 'f' && WordIs(i, "form")) || (first == 'c' && WordIs(i, "code")),
            6 => first == 'n' && WordIs(i, "number"),
            _ => false,
        };
    }

    /// <summary>The token before <paramref name="i"/> may start a login's cue: a ':', a two-letter word ("by") or a number.</summary>
    private bool MayFollowLoginCue18(int i) =>
        InRange(i - 1) && !Joined(i) && (IsPunct(i - 1, ':') || (_t[i - 1].Length == 2 && IsWord(i - 1)) || IsNumber(i - 1));

    // A store's, a site's or a study's number after its '#' is the place's or the protocol's, not the patient's.
    private static readonly string[] PlaceNumbers18 = ["irb", "pharmacy", "store", "station", "branch", "site", "study", "trial", "clinic", "exit", "channel", "local"];

    /// <summary>"(#40417)", "#V-88103": a code after a '#' whose word before is no room, bed, lot, store or code's cue.</summary>
    private bool TryHashCode18(int i)
    {
        var p = i - 2;
        if (InRange(p) && (IsPunct(p, '#') || (IsWord(p) && Has(p, Lex.CodeCue | Lex.UnitDesignator))))
        {
            return false;
        }

        if (IsWord(p))
        {
            foreach (var word in PlaceNumbers18)
            {
                if (WordIs(p, word))
                {
                    return false;
                }
            }
        }

        return TryCodeRun18(i, 4);
    }

    /// <summary>"Port-au-Prince", "Khao-I-Dang", "Nuku'alofa": the parts after a town a rule took, joined by hyphens or an apostrophe.</summary>
    private void ExtendTown18(int i)
    {
        var end = i;
        while (end - i < Window && (IsPunct(end + 1, '-') || IsPunct(end + 1, '\'')) && Joined(end + 1) && IsWord(end + 2) && Joined(end + 2) && IsFree(end + 2)
            && !WordIs(end + 2, "s") && !WordIs(end + 2, "based") && !WordIs(end + 2, "born"))
        {
            end += 2;
        }

        if (end > i)
        {
            var run = _run[i];
            for (var k = i + 1; k <= end; k++)
            {
                _kind[k] = PhiKind.Location;
                _run[k] = run;
            }
        }
    }

    /// <summary>The characters OCR reads for a zero or a one: O, o, l, I.</summary>
    private static bool IsOcrDigit18(char c) => c is 'O' or 'o' or 'l' or 'I';

    /// <summary>A token of digits and letters OCR reads for digits only, with at least one such letter or digit.</summary>
    private bool IsOcrDigits18(int i)
    {
        if (!InRange(i) || _t[i].Type == TokenType.Punct)
        {
            return false;
        }

        foreach (var c in Span(i))
        {
            if (!char.IsAsciiDigit(c) && !IsOcrDigit18(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The value of a token read as digits, a letter O as zero and l or I as one.</summary>
    private int OcrValue18(int i)
    {
        var value = 0;
        foreach (var c in Span(i))
        {
            value = (value * 10) + (c is 'O' or 'o' ? 0 : c is 'l' or 'I' ? 1 : c - '0');
        }

        return value;
    }

    private int RealDigits18(int i)
    {
        var digits = 0;
        foreach (var c in Span(i))
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
        }

        return digits;
    }

    /// <summary>"O4/2l/1958", "l2/O2/2O26": month, day and year with a zero or one read as a letter; all three parts there.</summary>
    private bool TryOcrDate18(int i)
    {
        var day = i + 2;
        var year = i + 4;
        if (!IsPunct(i + 1, '/') || !Joined(i + 1) || !Joined(day) || !IsOcrDigits18(day) || _t[day].Length > 2 || !IsPunct(i + 3, '/') || !Joined(i + 3)
            || !Joined(year) || !IsOcrDigits18(year) || _t[year].Length is not (2 or 4) || !IsFree(day) || !IsFree(year)
            || (InRange(year + 1) && Joined(year + 1) && !IsPunct(year + 1)))
        {
            return false;
        }

        // Plain digits are the date rules' own; only a part OCR garbled makes it this rule's, and two digits at least.
        if (_t[i].Type == TokenType.Number && _t[day].Type == TokenType.Number && _t[year].Type == TokenType.Number)
        {
            return false;
        }

        if (RealDigits18(i) + RealDigits18(day) + RealDigits18(year) < 2)
        {
            return false;
        }

        var m = OcrValue18(i);
        var d = OcrValue18(day);
        var y = OcrValue18(year);
        if (m is < 1 or > 12 || d is < 1 or > 31 || (_t[year].Length == 4 && y is < 1900 or > 2099))
        {
            return false;
        }

        Mark(i, year, PhiKind.Date);
        return true;
    }

    private static readonly string[] DateLabels18 = ["dob", "dos", "date", "dated", "born", "birth", "birthdate", "onset", "illness", "service", "admitted", "discharged"];

    /// <summary>"DOB: 07 19 1997", "DOS 12 01 26": month, day and year apart by spaces, after a date's label on the line.</summary>
    private void TrySpacedDate18(int i)
    {
        var year = i + 2;
        if (!IsNumber(year) || _t[year].Length is not (2 or 4) || Joined(year) || _t[year].Is(TokenShape.LineBefore) || !IsFree(i + 1) || !IsFree(year)
            || (InRange(year + 1) && ((IsNumber(year + 1) && !_t[year + 1].Is(TokenShape.LineBefore)) || (Joined(year + 1) && !IsPunct(year + 1, ',') && !IsPunct(year + 1, ')') && !IsPunct(year + 1, '.'))))
            || (InRange(i - 1) && (IsNumber(i - 1) || (Joined(i) && !IsPunct(i - 1, ':') && !IsPunct(i - 1, '('))))
            || Value(i) is < 1 or > 12 || Value(i + 1) is < 1 or > 31 || (_t[year].Length == 4 && Value(year) is < 1900 or > 2099))
        {
            return;
        }

        for (var p = i - 1; p >= 0 && p >= i - 6; p--)
        {
            if (IsWord(p))
            {
                foreach (var label in DateLabels18)
                {
                    if (WordIs(p, label))
                    {
                        Mark(i, year, PhiKind.Date);
                        return;
                    }
                }
            }

            if (_t[p].Is(TokenShape.LineBefore))
            {
                return;
            }
        }
    }

    private static readonly string[] PlateCues18 = ["plate", "plates", "tag", "tags", "ambulance", "vehicle", "car", "truck", "van", "pickup"];

    /// <summary>"plate IL DK 84127", "ambulance ND 44-1187": a state's code and the plate after it, after a vehicle's cue.</summary>
    private void TryPlate18(int i)
    {
        var cued = false;
        for (var p = i - 1; p >= 0 && p >= i - 4; p--)
        {
            if (IsWord(p))
            {
                foreach (var cue in PlateCues18)
                {
                    if (WordIs(p, cue))
                    {
                        cued = true;
                        break;
                    }
                }

                if (cued)
                {
                    break;
                }
            }

            if (_t[p].Is(TokenShape.LineBefore))
            {
                return;
            }
        }

        if (!cued || !InRange(i + 1) || Joined(i + 1) || _t[i + 1].Is(TokenShape.LineBefore))
        {
            return;
        }

        // Up to three groups of letters or digits, apart by a space or joined by a hyphen, with a digit among them.
        var end = i;
        var groups = 0;
        var digits = false;
        var k = i + 1;
        while (groups < 3 && InRange(k) && _t[k].Type != TokenType.Punct && _t[k].Length <= 8 && !_t[k].Is(TokenShape.LineBefore)
            && (_t[k].Type != TokenType.Word || _t[k].Is(TokenShape.Upper)))
        {
            // A plate a rule took already stands without its state (the earlier corpora label it so): only a plate no rule
            // found is taken, with the state's code that shows it for one.
            if (_run[k] != 0)
            {
                return;
            }

            digits |= _t[k].Type != TokenType.Word;
            end = k;
            groups++;
            if (IsPunct(k + 1, '-') && Joined(k + 1) && Joined(k + 2))
            {
                k += 2;
            }
            else if (InRange(k + 1) && !Joined(k + 1))
            {
                k++;
            }
            else
            {
                break;
            }
        }

        if (!digits || end == i || (InRange(end + 1) && Joined(end + 1) && !IsPunct(end + 1)))
        {
            return;
        }

        Mark(i, end, PhiKind.Vehicle);
    }

    /// <summary>"ID INT-2290", "Form AB-CD-112", "image set OCT-26-1203-0091": a code with hyphens after an identifier's label.</summary>
    private void TryCuedCode18(int i)
    {
        var k = i + 1;
        if (IsPunct(k, ':') || IsPunct(k, '#'))
        {
            k++;
        }

        if (!InRange(k) || _t[k].Is(TokenShape.LineBefore) || _t[k].Type == TokenType.Punct || !IsPunct(k + 1, '-') || !Joined(k + 1))
        {
            return;
        }

        // The code's first part has letters in capitals (or mixed with digits): not a word of the sentence ("form
        // well-healed") nor a number with a modifier ("code 99213-25").
        if (_t[k].Type == TokenType.Number || (_t[k].Type == TokenType.Word && !_t[k].Is(TokenShape.Upper)))
        {
            return;
        }

        TryCodeRun18(k, 2);
    }

    /// <summary>
    /// Marks the run of letter and digit groups joined by hyphens from <paramref name="i"/> an identifier when it holds this
    /// many digits at least and some part of it is free; a date a rule took inside it ("OCT-26") becomes part of it.
    /// </summary>
    private bool TryCodeRun18(int i, int minDigits)
    {
        var end = i;
        var digits = 0;
        var free = false;
        var k = i;
        while (k - i <= Window && InRange(k) && _t[k].Type != TokenType.Punct)
        {
            if (_run[k] != 0 && _kind[k] is not (PhiKind.Date or PhiKind.Id or PhiKind.Location or PhiKind.Name))
            {
                return false;
            }

            free |= _run[k] == 0;
            digits += _t[k].Type == TokenType.Word ? 0 : RealDigits18(k);
            end = k;
            if (IsPunct(k + 1, '-') && Joined(k + 1) && Joined(k + 2) && InRange(k + 2) && _t[k + 2].Type != TokenType.Punct)
            {
                k += 2;
            }
            else
            {
                break;
            }
        }

        if (!free || digits < minDigits || (InRange(end + 1) && Joined(end + 1) && !IsPunct(end + 1)))
        {
            return false;
        }

        // A number joined to letters or a word after (a '.' decimal, "mg") is a measure or a code, not a label's value.
        if (IsPunct(end + 1, '.') && Joined(end + 1) && IsNumber(end + 2) && Joined(end + 2))
        {
            return false;
        }

        Mark(i, end, PhiKind.Id);
        return true;
    }

    /// <summary>
    /// "J26-337-0441", "HB-5510-7702", "PH-88D-11207": three groups and more joined by hyphens, letters in the first, six
    /// digits at least, with no lot's, catalogue's or room's cue before; a part a rule took as an identifier gives the kind.
    /// </summary>
    private bool TryLetterCode18(int i)
    {
        var p = i - 1;
        while (InRange(p) && IsPunct(p) && !_t[p + 1].Is(TokenShape.LineBefore) && p > i - 3)
        {
            p--;
        }

        if (IsWord(p) && Has(p, Lex.CodeCue | Lex.UnitDesignator))
        {
            return false;
        }

        var end = i;
        var groups = 0;
        var digits = 0;
        var kind = PhiKind.Id;
        var k = i;
        while (groups <= Window && InRange(k) && _t[k].Type != TokenType.Punct && _t[k].Length <= 12)
        {
            if (_run[k] != 0)
            {
                if (_kind[k] is PhiKind.Id or PhiKind.Device or PhiKind.Vehicle or PhiKind.License or PhiKind.Account or PhiKind.HealthPlan or PhiKind.Mrn)
                {
                    kind = _kind[k];
                }
                else if (_kind[k] is not (PhiKind.Date or PhiKind.Zip or PhiKind.Phone))
                {
                    return false;
                }
            }

            digits += RealDigits18(k);
            groups++;
            end = k;
            if (IsPunct(k + 1, '-') && Joined(k + 1) && Joined(k + 2) && InRange(k + 2) && _t[k + 2].Type != TokenType.Punct)
            {
                k += 2;
            }
            else
            {
                break;
            }
        }

        if (groups < 3 || digits < 6 || (InRange(end + 1) && Joined(end + 1) && !IsPunct(end + 1)) || !AnyFree18(i, end))
        {
            return false;
        }

        Mark(i, end, kind);
        return true;
    }

    private bool AnyFree18(int from, int to)
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

    private static readonly string[] LoginLabels18 = ["coder", "login", "user", "username", "userid", "operator"];

    /// <summary>Token <paramref name="i"/> follows "by" after a print or a time, or a login's label and its ':'.</summary>
    private bool IsLoginCue18(int i)
    {
        if (Joined(i))
        {
            return false;
        }

        var p = i - 1;
        if (IsPunct(p, ':') && IsWord(p - 1))
        {
            foreach (var label in LoginLabels18)
            {
                if (WordIs(p - 1, label))
                {
                    return true;
                }
            }

            return false;
        }

        // "T: 11/02/2026 16:40 ab_jdoe": a login joined by an underscore after a time at the foot of a dictation.
        if (IsNumber(p, 2, 2) && IsPunct(p - 1, ':') && IsNumber(p - 2, 1, 2) && IsPunct(i + 1, '_') && Joined(i + 1))
        {
            return true;
        }

        // "Printed 12/05/2026 23:41 by jdoe2", "Printed by lab_jdoe": "by" after a printing or a time.
        return WordIs(p, "by") && (WordIs(p - 1, "printed") || IsNumber(p - 1) || (_t[i].Type == TokenType.Alnum && _t[i].Length >= 5));
    }

    /// <summary>"by lab_jdoe", "Coder: jdoe": a lower-case login, with the parts an underscore joins.</summary>
    private void MarkLogin18(int i)
    {
        var end = i;
        while (end - i < Window && IsPunct(end + 1, '_') && Joined(end + 1) && InRange(end + 2) && Joined(end + 2) && _t[end + 2].Type != TokenType.Punct)
        {
            end += 2;
        }

        // A plain word after "by" is English ("by phone"): only an underscore, a digit or a label makes it a login.
        if (end == i && !IsPunct(i - 1, ':') && _t[i].Type != TokenType.Alnum)
        {
            return;
        }

        if (InRange(end + 1) && Joined(end + 1) && !IsPunct(end + 1, '.') && !IsPunct(end + 1, ',') && !IsPunct(end + 1, ')'))
        {
            return;
        }

        if (AnyMarked(i, end))
        {
            return;
        }

        Mark(i, end, PhiKind.Id);
    }

    /// <summary>
    /// "before Khmer New Year", "on Transfer Day", "for Armenian Christmas", "over New Year's", "(Founders Day - ...": a
    /// holiday of capitalized words ending in Day, Year, Festival or a listed holiday, after a date's preposition or a
    /// date's bracket.
    /// </summary>
    private void TryHoliday18(int i)
    {
        if (_t[i].Is(TokenShape.LineBefore) || IsNumber(i + 1) || (IsPunct(i + 1, '-') && Joined(i + 1)))
        {
            return;
        }

        // Back over up to three capitalized words (and "St." of a saint's day) on the line.
        var start = i;
        while (i - start < 6 && InRange(start - 1) && !_t[start].Is(TokenShape.LineBefore))
        {
            var p = start - 1;
            if (IsPunct(p, '.') && Joined(p) && WordIs(p - 1, "st") && IsCapitalized(p - 1))
            {
                start = p - 1;
                continue;
            }

            if (IsWord(p) && IsCapitalized(p) && (IsFree(p) || _kind[p] == PhiKind.Date) && !Has(p, Lex.Month | Lex.Weekday) && !IsDatePreposition(p))
            {
                start = p;
                continue;
            }

            break;
        }

        var head = _run[i] != 0;
        if (start == i && !head)
        {
            return;
        }

        var before = start - 1;
        while (InRange(before) && IsPunct(before, '"'))
        {
            before--;
        }

        var cued = IsDatePreposition(before) || WordIs(before, "for") || WordIs(before, "until")
            || ((IsPunct(before, '(') || IsPunct(before, ',')) && InRange(before - 1) && _run[before - 1] != 0 && _kind[before - 1] == PhiKind.Date)
            || (WordIs(before, "and") && InRange(before - 1) && _run[before - 1] != 0 && _kind[before - 1] == PhiKind.Date);
        if (!cued)
        {
            return;
        }

        var end = i;
        if (IsPunct(end + 1, '\'') && Joined(end + 1) && WordIs(end + 2, "s") && Joined(end + 2))
        {
            end += 2;
        }
        else if ((WordIs(end + 1, "festival") || WordIs(end + 1, "eve") || WordIs(end + 1, "day")) && IsCapitalized(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore))
        {
            end++;
        }

        if (start == i && end == i)
        {
            return;
        }

        for (var k = start; k <= end; k++)
        {
            if (_run[k] != 0 && _kind[k] != PhiKind.Date)
            {
                return;
            }
        }

        Mark(start, end, PhiKind.Date);
    }
}
