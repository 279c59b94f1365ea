namespace XefAI.Data.Deidentification;

/// <content>
/// Round 10 of places, phones and identifiers: numbers printed in groups after their cue (French and British phones
/// "04 72 55 01 38", "07 855 0163"; OCR-damaged numbers "987 - 65 - 43O8", "( 734 ) 555 - Ol69"; a ZIP broken in two),
/// extensions written with an x ("x5512"), an HL7 phone's area code ("206^5550133"), a phone's last four ("the 0126 number"),
/// a second grouped phone after a first; streets written abroad ("12 rue des Tanneurs", "No. 22, 3rd Cross, 5th Main"),
/// the cities and postcodes after a street's comma ("…, Hillcrest, Hamilton 3216", "…, Ballinasloe, Co. Galway, H53 X7P2"),
/// a lower-case city after a street or "from", a city in brackets after a date; and identifiers that are not: a policy's
/// section ("policy LAB-114"), a rate ("40-60cc/hr"), the X mask before an SSN's last four.
/// </content>
internal sealed partial class Scan
{
    // ---- Grouped numbers after a cue ----

    /// <summary>
    /// A phone, SSN or ZIP printed in groups after its cue word, as the cue rule before it does not take them: "tél. 04 72 55
    /// 01 38", "Phone: 07 855 0163", "SSN (optional): 987 - 65 - 43O8", "Zip: 481 97".
    /// </summary>
    private bool TryGroupedAfterCue10(int i)
    {
        if (!_lexicon.TryGetIdentifierCue(Span(i), out var kind))
        {
            // The accented phone cues are flagged but not in the map: "tél.", "teléfono", "móvil".
            kind = PhiKind.Phone;
            if (!(WordIs(i, "tél") || WordIs(i, "teléfono") || WordIs(i, "móvil")))
            {
                return false;
            }
        }

        if (kind is not (PhiKind.Phone or PhiKind.Fax or PhiKind.Ssn or PhiKind.Zip))
        {
            return false;
        }

        var j = i + 1;
        while (j <= i + 6 && InRange(j) && !_t[j].Is(TokenShape.LineBefore))
        {
            if (IsPunct(j, ':') || IsPunct(j, '.') || IsPunct(j, '#') || IsPunct(j, '='))
            {
                j++;
            }
            else if (WordIs(j, "no") || WordIs(j, "number") || WordIs(j, "nbr") || WordIs(j, "is") || WordIs(j, "code"))
            {
                j++;
            }
            else if (IsPunct(j, '(') && IsWord(j + 1) && _t[j + 1].Is(TokenShape.Lower) && IsPunct(j + 2, ')'))
            {
                // "SSN (optional):"
                j += 3;
            }
            else
            {
                break;
            }
        }

        if (!InRange(j) || !IsFree(j) || (_t[j].Is(TokenShape.LineBefore) && !IsPunct(j - 1, ':')))
        {
            return false;
        }

        var plus = IsPunct(j, '+') && IsNumber(j + 1) && Joined(j + 1);
        var first = plus ? j + 1 : j;
        var end = DigitGroupsEnd(first, out var digits, out var groups, out var ocr, out var sizes);
        if (end < 0 || AnyMarked(j, end))
        {
            return false;
        }

        switch (kind)
        {
            case PhiKind.Phone or PhiKind.Fax:
                if (digits is >= 8 and <= 13 && groups >= 2 && (plus || ocr || _text[_t[first].Start] == '0' || IsPunct(first, '(') || (groups >= 3 && !IsWeakCue(i))))
                {
                    Mark(j, end, kind);
                    return true;
                }

                return false;
            case PhiKind.Ssn:
                if (digits == 9 && groups == 3 && sizes == 0x324)
                {
                    Mark(j, end, PhiKind.Ssn);
                    return true;
                }

                return false;
            default:
                if ((digits == 5 || digits == 9) && groups == 2 && !ocr)
                {
                    Mark(j, end, PhiKind.Zip);
                    return true;
                }

                return false;
        }
    }

    /// <summary>
    /// The last token of digit groups on one line from <paramref name="j"/>: "04 72 55 01 38", "( 734 ) 555 - Ol69",
    /// "987 - 65 - 43O8" (a group may hold O, o, l or I for 0 and 1, as OCR reads them); -1 when <paramref name="j"/> starts
    /// none. <paramref name="sizes"/> holds the first three groups' lengths, one hex digit each.
    /// </summary>
    private int DigitGroupsEnd(int j, out int digits, out int groups, out bool ocr, out int sizes)
    {
        digits = 0;
        groups = 0;
        ocr = false;
        sizes = 0;
        var end = -1;
        var k = j;
        var open = IsPunct(k, '(');
        if (open)
        {
            k++;
        }

        while (InRange(k) && k < j + 2 * Window && (k == j || !_t[k].Is(TokenShape.LineBefore)))
        {
            var size = OcrDigits(k, out var damaged);
            if (size is < 1 or > 5 || (groups > 0 && Joined(k) && !IsPunct(k - 1)))
            {
                break;
            }

            digits += size;
            ocr |= damaged;
            sizes = groups < 3 ? (sizes << 4) | size : sizes;
            groups++;
            end = k;
            k++;
            if (open && IsPunct(k, ')'))
            {
                open = false;
                k++;
            }
            else if (IsPunct(k, '-') || IsPunct(k, '.'))
            {
                // One separator between groups; a full stop ends the number unless a group follows it joined.
                if (IsPunct(k, '.') && !(Joined(k) && Joined(k + 1)))
                {
                    break;
                }

                k++;
            }
        }

        return open ? -1 : end;
    }

    /// <summary>
    /// The digits of a group: a number, or a token of digits with O, o, l or I read for 0 and 1 by OCR ("43O8", "Ol69",
    /// "0l04"), at least half of it digits; 0 when it is neither.
    /// </summary>
    private int OcrDigits(int k, out bool damaged)
    {
        damaged = false;
        if (!InRange(k))
        {
            return 0;
        }

        if (_t[k].Type == TokenType.Number)
        {
            return _t[k].Length;
        }

        if (_t[k].Type != TokenType.Alnum || _t[k].Length > 5)
        {
            return 0;
        }

        var real = 0;
        foreach (var c in Span(k))
        {
            if (char.IsAsciiDigit(c))
            {
                real++;
            }
            else if (c is not ('O' or 'o' or 'l' or 'I'))
            {
                return 0;
            }
        }

        damaged = true;
        return real * 2 >= _t[k].Length ? _t[k].Length : 0;
    }

    // ---- The pass ----

    /// <summary>
    /// Round 10's pass, after the cued numbers and the ZIP codes after places: numbers first (phones, streets abroad), then
    /// what follows a street or a date, then identifiers that are none.
    /// </summary>
    private void MarkGaps10Places()
    {
        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            if (IsFree(i))
            {
                // Each rule called only where its first test on the number's length and neighbours can pass (the rule tests
                // them again): most numbers make no call.
                var length = _t[i].Length;
                _ = (length == 3 && IsPunct(i + 1, '^') && TryHl7AreaCode(i))
                    || (length == 4 && IsWord(i - 1) && TryLastFourOfPhone(i))
                    || (length <= 5 && _text[_t[i].Start] == '0' && TryPhoneAfterPhone(i))
                    || (length <= 4 && IsWord(i + 1) && TryForeignStreet(i))
                    || (length <= 4 && IsPunct(i + 1, ',') && TryNumberedCrossStreets(i))
                    || (length <= 2 && IsWord(i - 1) && TryPurok(i))
                    || (length >= 6 && TryHealthCardNumber(i))
                    || (length <= 5 && IsPunct(i - 1, ',') && TryPrefixStreetThenNumber(i));
            }
            else if (_kind[i] == PhiKind.Ssn)
            {
                TryOcrSsnGroups(i);
            }
        }

        // Every token of letters and digits is listed among the few (each rule here starts at one).
        for (var w = 0; w < _keyedCount; w++)
        {
            var i = _keyed[w];
            if (_t[i].Type == TokenType.Alnum && _t[i].Length == 5 && (_text[_t[i].Start] | 0x20) == 'x' && IsFree(i))
            {
                TryBareX(i);
            }
            else if (_t[i].Type == TokenType.Alnum && _t[i].Length == 3 && IsFree(i) && IsPunct(i - 1, ','))
            {
                TryEircode(i);
            }
            else if (_t[i].Type == TokenType.Alnum && _t[i].Length >= 6 && IsFree(i))
            {
                TryHealthCardNumber(i);
            }
        }

        // From marked token to marked token: most tokens are not marked.
        for (var i = NextMarked(0); i < Count; i = NextMarked(i + 1))
        {
            if (i + 1 < Count && _run[i + 1] == _run[i])
            {
                continue;
            }

            switch (_kind[i])
            {
                case PhiKind.Address:
                    MarkAddressTail(i);
                    break;
                case PhiKind.Date:
                    TryCityAfterDate(i);
                    break;
                default:
                    break;
            }
        }

        // Only the words listed among the few (after "from" or "in", or before a key's separator, among them): no other word
        // passes a first test here.
        for (var w = 0; w < _keyedCount; w++)
        {
            var i = _keyed[w];
            if (_t[i].Type != TokenType.Word)
            {
                continue;
            }

            if (i >= 1 && _t[i].Is(TokenShape.Lower) && _t[i - 1].Length is 2 or 4 && IsFree(i))
            {
                TryLowerCityAfterFrom(i);
            }
            else if (i + 2 < Count && _t[i + 1].Type == TokenType.Punct && _text[_t[i + 1].Start] is ':' or '"' or '\'' or '='
                && (Joined(i + 1) || _text[_t[i + 1].Start] == '='))
            {
                TryHealthPlanKey(i);
            }
        }
    }

    /// <summary>
    /// The last pass of all: identifier runs that are none, as the rules for uncued identifiers mark some after
    /// <see cref="MarkGaps10Places"/>.
    /// </summary>
    private void UnmarkGaps10Identifiers()
    {
        for (var i = NextMarked(0); i < Count; i = NextMarked(i + 1))
        {
            if (i + 1 == Count || _run[i + 1] != _run[i])
            {
                if (_kind[i] is PhiKind.HealthPlan or PhiKind.Id or PhiKind.Ssn)
                {
                    UnmarkFalseIdentifier(i);
                }
                else if (_kind[i] == PhiKind.Location)
                {
                    UnmarkTribe(i);
                }
            }
        }
    }

    /// <summary>
    /// "Tribal affiliation: Oglala Sioux", "Tribe: Cherokee": a nation named after its cue is a person's affiliation, not a
    /// place, although the place lists hold its name.
    /// </summary>
    private void UnmarkTribe(int last)
    {
        // Back over the cue's colon and up to two words of the nation's name before the place ("Oglala Sioux").
        var first = BoundedRunStart(last);
        var start = first;
        var p = first - 1;
        while (p > first - 5 && p >= 0 && !_t[p + 1].Is(TokenShape.LineBefore) && (IsPunct(p, ':') || IsPunct(p, '-') || (IsWord(p) && IsCapitalized(p) && start - p <= 2)))
        {
            if (IsWord(p) && (WordIs(p, "affiliation") || WordIs(p, "tribe") || WordIs(p, "tribal")))
            {
                break;
            }

            start = IsWord(p) ? p : start;
            p--;
        }

        if (WordIs(p, "affiliation") || WordIs(p, "tribe") || WordIs(p, "tribal"))
        {
            for (var k = start; k <= last; k++)
            {
                _run[k] = 0;
            }
        }
    }

    /// <summary>"SSN: 412 - 33 - 9O17": the groups after a first SSN group the cue rule took alone, read as OCR writes them.</summary>
    private void TryOcrSsnGroups(int i)
    {
        if (!IsNumber(i, 3, 3) || (i > 0 && _run[i - 1] == _run[i]) || (i + 1 < Count && _run[i + 1] == _run[i]))
        {
            return;
        }

        var end = DigitGroupsEnd(i, out var digits, out var groups, out _, out var sizes);
        if (end > i && digits == 9 && groups == 3 && sizes == 0x324 && !AnyMarked(i + 1, end))
        {
            Mark(i, end, PhiKind.Ssn);
        }
    }

    // ---- Health-plan numbers as values ----

    /// <summary>
    /// A health-plan number as the value of its key: <c>"policyNumber": "XKC4410923"</c>, <c>'member_id': 'W44190233'</c>,
    /// <c>cartaoSus: "700 5023 8817 4426"</c>, <c>subscriberId = "HMA88120441"</c>. The key names a payer's number (member,
    /// subscriber, policy, group, Medicaid, Medicare, insurance, SUS) and ends in an identifier's word; a value another rule
    /// marked as an identifier becomes a health-plan number.
    /// </summary>
    private void TryHealthPlanKey(int i)
    {
        var key = Span(i);
        if (key.Length < 2 || key.Length > 24)
        {
            return;
        }

        bool payer;
        if ((key.Equals("id", StringComparison.OrdinalIgnoreCase) || key.Equals("number", StringComparison.OrdinalIgnoreCase)
            || key.Equals("no", StringComparison.OrdinalIgnoreCase) || key.Equals("num", StringComparison.OrdinalIgnoreCase))
            && IsPunct(i - 1, '_') && Joined(i) && Joined(i - 1) && IsWord(i - 2))
        {
            payer = IsPayerWord(Span(i - 2));
        }
        else
        {
            // camelCase: the payer's word, then an identifier's word ("policyNumber", "memberId", "cartaoSus").
            var split = key.Length - 1;
            while (split > 0 && !char.IsUpper(key[split]))
            {
                split--;
            }

            if (split <= 0)
            {
                return;
            }

            var head = key[..split];
            var tail = key[split..];
            payer = (IsPayerWord(head) && (tail.Equals("Id", StringComparison.Ordinal) || tail.Equals("ID", StringComparison.Ordinal)
                    || tail.Equals("Number", StringComparison.Ordinal) || tail.Equals("No", StringComparison.Ordinal) || tail.Equals("Num", StringComparison.Ordinal)))
                || tail.Equals("Sus", StringComparison.Ordinal) || tail.Equals("SUS", StringComparison.Ordinal);
        }

        if (!payer)
        {
            return;
        }

        var j = i + 1;
        while (j < i + 5 && (IsPunct(j, ':') || IsPunct(j, '"') || IsPunct(j, '\'') || IsPunct(j, '=')))
        {
            j++;
        }

        if (!InRange(j) || _t[j].Type is not (TokenType.Number or TokenType.Alnum) || _t[j].Is(TokenShape.LineBefore))
        {
            return;
        }

        if (!IsFree(j))
        {
            // Another rule took the value as an identifier: it is a health-plan number.
            if (_kind[j] == PhiKind.Id && (j == 0 || _run[j - 1] != _run[j]))
            {
                for (var k = j; k < Count && _run[k] == _run[j]; k++)
                {
                    _kind[k] = PhiKind.HealthPlan;
                }
            }

            return;
        }

        var end = IdentifierEnd(j, out var digits, out _);
        while (end - j < 2 * Window && IsNumber(end + 1, 1, 8) && _t[end + 1].Is(TokenShape.SpaceBefore) && !_t[end + 1].Is(TokenShape.LineBefore) && IsFree(end + 1))
        {
            end = IdentifierEnd(end + 1, out var more, out _);
            digits += more;
        }

        if (digits >= 4 && !AnyMarked(j, end))
        {
            Mark(j, end, PhiKind.HealthPlan);
        }
    }

    private static readonly WordSet PayerWords =
        new("member", "subscriber", "policy", "group", "medicaid", "medicare", "insurance", "beneficiary", "plan", "payer", "insured", "coverage");

    private static bool IsPayerWord(ReadOnlySpan<char> word) => PayerWords.Contains(word);

    // ---- Phones ----

    /// <summary>"^PRN^PH^^1^206^5550133": the area code of an HL7 telephone, a component before the local number.</summary>
    private bool TryHl7AreaCode(int i)
    {
        if (!IsNumber(i, 3, 3) || !IsPunct(i + 1, '^') || !Joined(i + 1) || !Joined(i + 2) || !IsNumber(i + 2, 7, 7) || !IsPunct(i - 1, '^')
            || !(IsFree(i + 2) || _kind[i + 2] == PhiKind.Phone))
        {
            return false;
        }

        Mark(i, i + 2, PhiKind.Phone);
        return true;
    }

    /// <summary>"she says the 0126 number is her son's": a phone's last four, after a phone's cue.</summary>
    private bool TryLastFourOfPhone(int i)
    {
        if (!IsNumber(i, 4, 4) || !WordIs(i - 1, "the") || !(WordIs(i + 1, "number") || WordIs(i + 1, "one") || WordIs(i + 1, "line"))
            || !CueBefore(i - 1, PhiKind.Phone, Window))
        {
            return false;
        }

        Mark(i, i, PhiKind.Phone);
        return true;
    }

    /// <summary>
    /// "0917 555 0132 (husband), 0998 555 0165": a grouped number with a trunk 0 a few tokens after a phone on the same line.
    /// </summary>
    private bool TryPhoneAfterPhone(int i)
    {
        if (_text[_t[i].Start] != '0' || _t[i].Length > 5 || _t[i].Is(TokenShape.LineBefore))
        {
            return false;
        }

        var end = DigitGroupsEnd(i, out var digits, out var groups, out var ocr, out _);
        if (end < 0 || ocr || groups < 3 || digits is < 9 or > 12 || AnyMarked(i, end) || Has(end + 1, Lex.MeasureUnit))
        {
            return false;
        }

        for (var p = i - 1; p >= 0 && p >= i - Window; p--)
        {
            if (_run[p] != 0 && _kind[p] is PhiKind.Phone or PhiKind.Fax)
            {
                Mark(i, end, _kind[p]);
                return true;
            }

            if (_t[p + 1].Is(TokenShape.LineBefore))
            {
                break;
            }
        }

        return false;
    }

    /// <summary>"RN, 4N, x5512": an extension written with an x, four digits after it.</summary>
    private void TryBareX(int i)
    {
        var span = Span(i)[1..];
        if (span.IndexOfAnyExceptInRange('0', '9') >= 0 || IsNumber(i - 1) || IsPunct(i + 1, '/') || Has(i + 1, Lex.MeasureUnit)
            || (IsPunct(i - 1) && !(IsPunct(i - 1, ',') || IsPunct(i - 1, '(') || IsPunct(i - 1, ':'))))
        {
            return;
        }

        Mark(i, i, PhiKind.Phone);
    }

    // ---- Streets abroad ----

    /// <summary>Street words that come before the street's name in French, Italian and Iberian addresses.</summary>
    private bool IsForeignStreetWord(int j) =>
        IsWord(j) && _t[j].Length is >= 3 and <= 9
        && (WordIs(j, "rue") || WordIs(j, "avenue") || WordIs(j, "boulevard") || WordIs(j, "chemin") || WordIs(j, "impasse") || WordIs(j, "allée")
            || WordIs(j, "quai") || WordIs(j, "viale") || WordIs(j, "piazza") || WordIs(j, "calle") || WordIs(j, "rua")
            || WordIs(j, "avenida") || WordIs(j, "travessa") || WordIs(j, "rambla") || WordIs(j, "strada") || WordIs(j, "cours"));

    private bool IsNameParticle(int j) =>
        IsWord(j) && _t[j].Length <= 4 && (WordIs(j, "de") || WordIs(j, "des") || WordIs(j, "du") || WordIs(j, "la") || WordIs(j, "le")
            || WordIs(j, "del") || WordIs(j, "della") || WordIs(j, "da") || WordIs(j, "do") || WordIs(j, "dos") || WordIs(j, "das") || WordIs(j, "di"));

    /// <summary>"12 rue des Tanneurs", "4 via della Spiga": a house number, a street word in lower case, the street's name.</summary>
    private bool TryForeignStreet(int i)
    {
        if (!IsNumber(i, 1, 4) || !IsForeignStreetWord(i + 1) || !_t[i + 1].Is(TokenShape.Lower) || _t[i + 1].Is(TokenShape.LineBefore)
            || (IsPunct(i - 1, ':') && Joined(i)))
        {
            return false;
        }

        var j = i + 2;
        var end = -1;
        while (j < i + 2 + 5 && InRange(j) && !_t[j].Is(TokenShape.LineBefore) && IsFree(j))
        {
            if (IsWord(j) && IsCapitalized(j) && !_t[j].Is(TokenShape.Lower) && !Has(j, Lex.Month | Lex.Weekday | Lex.Title | Lex.Clinical))
            {
                end = j;
            }
            else if (!IsNameParticle(j) && !(IsPunct(j, '\'') && Joined(j)))
            {
                break;
            }

            j++;
        }

        if (end < 0)
        {
            return false;
        }

        // A unit before the house number: "204-55 rue Principale".
        var start = IsPunct(i - 1, '-') && Joined(i) && Joined(i - 1) && IsNumber(i - 2, 1, 4) && IsFree(i - 2) ? i - 2 : i;
        Mark(start, end, PhiKind.Address);
        return true;
    }

    /// <summary>
    /// "No. 22, 3rd Cross, 5th Main, Jayanagar 4th Block", "#118, 2nd Floor, Ragigudda Road": a numbered house, then at
    /// least two parts after commas, each with an ordinal or ending in a street word, in capitals.
    /// </summary>
    private bool TryNumberedCrossStreets(int i)
    {
        if (!IsNumber(i, 1, 4) || !IsPunct(i + 1, ','))
        {
            return false;
        }

        var start = IsPunct(i - 1, '#') && Joined(i) ? i - 1
            : IsPunct(i - 1, '.') && WordIs(i - 2, "no") && IsCapitalized(i - 2) ? i - 2
            : -1;
        if (start < 0)
        {
            return false;
        }

        var end = -1;
        var parts = 0;
        var j = i + 1;
        while (parts < 5 && IsPunct(j, ',') && InRange(j + 1) && !_t[j + 1].Is(TokenShape.LineBefore))
        {
            var k = j + 1;
            var ordinal = false;
            var last = -1;
            while (k < j + 5 && InRange(k) && IsFree(k) && !_t[k].Is(TokenShape.LineBefore))
            {
                if (_t[k].Type == TokenType.Alnum && IsOrdinalWord(k))
                {
                    ordinal = true;
                }
                else if (!(IsWord(k) && IsCapitalized(k) && !Has(k, Lex.Month | Lex.Weekday | Lex.Title | Lex.Clinical | Lex.Credential | Lex.State)))
                {
                    break;
                }

                last = k;
                k++;
            }

            if (last < 0 || !(ordinal || Has(last, Lex.StreetSuffix)))
            {
                break;
            }

            parts++;
            end = last;
            j = k;
        }

        if (parts < 2)
        {
            return false;
        }

        Mark(start, end, PhiKind.Address);
        return true;
    }

    // "3rd", "21st", "4th": digits and an ordinal suffix.
    private bool IsOrdinalWord(int k)
    {
        var span = Span(k);
        if (span.Length is < 3 or > 5)
        {
            return false;
        }

        var suffix = span[^2..];
        return span[..^2].IndexOfAnyExceptInRange('0', '9') < 0
            && (suffix.Equals("st", StringComparison.OrdinalIgnoreCase) || suffix.Equals("nd", StringComparison.OrdinalIgnoreCase)
                || suffix.Equals("rd", StringComparison.OrdinalIgnoreCase) || suffix.Equals("th", StringComparison.OrdinalIgnoreCase));
    }

    // ---- After a street ----

    /// <summary>
    /// The parts of an address after its street on the same line, each after a comma or a dash: cities and districts
    /// ("Hillcrest", "BTM Layout", "sacramento"), a county after "Co.", a state, and a postcode of four to six digits or an
    /// Eircode, which ends it ("…, Hamilton 3216", "…, Bengaluru – 560011", "…, H53 X7P2").
    /// </summary>
    private void MarkAddressTail(int street)
    {
        var j = street + 1;
        for (var parts = 0; parts < 6 && InRange(j) && !_t[j].Is(TokenShape.LineBefore); parts++)
        {
            var separated = IsPunct(j, ',') || IsPunct(j, '–') || (IsPunct(j, '-') && _t[j].Is(TokenShape.SpaceBefore));
            if (separated)
            {
                j++;
                if (!InRange(j) || _t[j].Is(TokenShape.LineBefore))
                {
                    return;
                }
            }

            // Parts already marked (a city, a county) are stepped over; a postcode ends the address.
            if (!IsFree(j))
            {
                if (_kind[j] is not (PhiKind.Location or PhiKind.Address))
                {
                    return;
                }

                var run = _run[j];
                while (InRange(j) && _run[j] == run)
                {
                    j++;
                }

                continue;
            }

            // "Co. Galway": the county was marked by its own rule, or is left.
            if (WordIs(j, "co") && IsPunct(j + 1, '.'))
            {
                j += 2;
                if (IsWord(j) && IsCapitalized(j))
                {
                    j++;
                }

                continue;
            }

            // A state or province between city and postcode: "…, Springfield, IL 62704", "…, Embrun ON K0A 1W1".
            if ((separated && IsWord(j) && IsCapitalized(j) && Has(j, Lex.State)) || (parts > 0 && IsWord(j) && _t[j].Is(TokenShape.Upper) && _t[j].Length == 2))
            {
                j++;
                continue;
            }

            // "Rua Doutor Amâncio de Carvalho, 417, apto 52": the house number after the street's name, and a unit.
            if (separated && parts == 0 && IsNumber(j, 1, 4) && IsPunct(j + 1, ',') && IsWord(BoundedRunStart(street)))
            {
                var unitEnd = IsUnitWord(j + 2) && IsNumber(j + 3, 1, 5) && !_t[j + 3].Is(TokenShape.LineBefore) ? j + 3 : j;
                if (unitEnd > j || !IsNumber(j + 2))
                {
                    Mark(street, unitEnd, PhiKind.Address);
                    j = unitEnd + 1;
                    continue;
                }
            }

            // "Brgy. Cau-ayan": a barangay's abbreviation before its name.
            if (separated && (WordIs(j, "brgy") || WordIs(j, "barangay")) && IsCapitalized(j))
            {
                j += IsPunct(j + 1, '.') ? 2 : 1;
                separated = true;
            }

            // A four-digit postcode only after a city ("Hamilton 3216"), and not a year after a comma ("…, Boston, 2019").
            if ((separated || parts > 0) && IsPostcodeAt(j, out var postcodeEnd)
                && !(IsNumber(j, 4, 4) && (parts == 0 || (separated && Value(j) is >= 1950 and < 2050))))
            {
                Mark(j, postcodeEnd, PhiKind.Zip);
                return;
            }

            // "…, São Paulo – CEP 04012-090", "…, PIN 560011": a postcode after its label in capitals.
            if (separated && IsWord(j) && _t[j].Is(TokenShape.Upper) && _t[j].Length <= 4 && IsNumber(j + 1, 4, 6) && IsFree(j + 1)
                && !_t[j + 1].Is(TokenShape.LineBefore))
            {
                var codeEnd = IsPunct(j + 2, '-') && Joined(j + 2) && Joined(j + 3) && IsNumber(j + 3, 3, 4) ? j + 3 : j + 1;
                Mark(j + 1, codeEnd, PhiKind.Zip);
                return;
            }

            if (!separated && parts > 0)
            {
                return;
            }

            var cityEnd = CityPartEnd(j, separated);
            if (cityEnd < 0)
            {
                return;
            }

            Mark(j, cityEnd, PhiKind.Location);
            j = cityEnd + 1;
        }
    }

    /// <summary>A postcode: four to six digits not followed by a unit or a time's colon, or an Eircode ("H53 X7P2").</summary>
    private bool IsPostcodeAt(int j, out int end)
    {
        end = j;
        if (IsNumber(j, 4, 6))
        {
            return !Has(j + 1, Lex.MeasureUnit) && !(IsPunct(j + 1, ':') && Joined(j + 1) && IsNumber(j + 2))
                && !(IsPunct(j + 1, '/') && Joined(j + 1)) && !(IsPunct(j + 1, '-') && Joined(j + 1));
        }

        if (!InRange(j + 1) || _t[j].Type != TokenType.Alnum || _t[j].Length != 3 || !char.IsAsciiLetterUpper(_text[_t[j].Start])
            || _t[j + 1].Type != TokenType.Alnum || _t[j + 1].Length != 4 || Joined(j + 1) || _t[j + 1].Is(TokenShape.LineBefore))
        {
            return false;
        }

        foreach (var c in Span(j + 1))
        {
            if (!(char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)))
            {
                return false;
            }
        }

        end = j + 1;
        return true;
    }

    /// <summary>
    /// The last word of a city or district part: up to three capitalized words (the first not an ordinary word alone),
    /// optionally a one- or two-digit number ("Zone 6"); or one listed place in lower case ("sacramento"). -1 when none.
    /// </summary>
    private int CityPartEnd(int j, bool separated)
    {
        if (IsWord(j) && _t[j].Is(TokenShape.Lower))
        {
            return !separated && _t[j].Length >= 4 && (L(j) & (Lex.Place | Lex.Common | Lex.Clinical)) == Lex.Place ? j : -1;
        }

        if (!separated || !IsPlaceWord(j))
        {
            return -1;
        }

        // A listed place of several words first: "Menomonee Falls", "Elk Grove Village".
        if (TryMultiWordPlace(j))
        {
            var last = j;
            while (last + 1 < Count && _run[last + 1] == _run[j])
            {
                last++;
            }

            return last;
        }

        // "Zone 6", "Sector 4": an ordinary word and a district's number.
        if (Has(j, Lex.Common) && !Has(j, Lex.Place | Lex.FirstName | Lex.Surname))
        {
            return IsNumber(j + 1, 1, 2) && !Joined(j + 1) && _t[j + 1].Start == _t[j].End + 1 && IsPunct(j + 2, ',') ? j + 1 : -1;
        }

        // "Cau-ayan": a name joined by a hyphen to a word in lower case.
        if (IsPunct(j + 1, '-') && Joined(j + 1) && Joined(j + 2) && IsWord(j + 2) && _t[j + 2].Is(TokenShape.Lower) && IsPunct(j + 3, ','))
        {
            return j + 2;
        }

        // More words at one space, a street word among them ("Mountain View", "Cedar Hill"), not an ordinary word in
        // capitals ("FREMONT IF THE"), and not before "County" (the county's rule takes it).
        var end = j;
        while (end < j + 2 && (IsPlaceWord(end + 1) || (IsWord(end + 1) && IsCapitalized(end + 1) && IsFree(end + 1) && Has(end + 1, Lex.StreetSuffix)))
            && _t[end + 1].Start == _t[end].End + 1 && !IsCountyWord(end + 1) && !(Has(end + 1, Lex.Common) && (_t[end + 1].Is(TokenShape.Upper) || !EndsPart(end + 1))))
        {
            end++;
        }

        if (IsCountyWord(end + 1))
        {
            return -1;
        }

        // A district's number: "Zone 6".
        if (IsNumber(end + 1, 1, 2) && !_t[end + 1].Is(TokenShape.LineBefore) && !Joined(end + 1) && (IsPunct(end + 2, ',') || !InRange(end + 2)))
        {
            end++;
        }

        return end;
    }

    private bool IsCountyWord(int j) => WordIs(j, "county") || WordIs(j, "parish") || WordIs(j, "borough") || WordIs(j, "township");

    // A part of an address ends at a comma, the end of the line, a state or a postcode: "BTM Layout, …", "Hillcrest
    // 3216", "Menomonee Falls WI".
    private bool EndsPart(int j) =>
        !InRange(j + 1) || _t[j + 1].Is(TokenShape.LineBefore) || IsPunct(j + 1, ',') || IsPostcodeAt(j + 1, out _)
        || (IsWord(j + 1) && IsCapitalized(j + 1) && (Has(j + 1, Lex.State) || (_t[j + 1].Is(TokenShape.Upper) && _t[j + 1].Length == 2)));

    private bool IsPlaceWord(int j) =>
        IsWord(j) && IsCapitalized(j) && IsFree(j) && !_t[j].Is(TokenShape.Lower) && _t[j].Length >= 2
        && !Has(j, Lex.Month | Lex.Weekday | Lex.Title | Lex.Credential | Lex.Clinical | Lex.NameLabel | Lex.Relation | Lex.Facility
            | Lex.State | Lex.IdentifierCue | Lex.StreetSuffix | Lex.UnitDesignator | Lex.Salutation | Lex.SignOff);

    /// <summary>"(April 25th, Savannah)", "03/02/2026 (Savannah)": a listed city in brackets right after a date.</summary>
    private void TryCityAfterDate(int date)
    {
        var j = IsPunct(date + 1, ',') ? date + 2 : IsPunct(date + 1, '(') ? date + 2 : -1;
        if (j < 0 || !IsPunct(j + 1, ')') || !IsWord(j) || !IsCapitalized(j) || !IsFree(j) || !Has(j, Lex.Place)
            || Has(j, Lex.Month | Lex.Weekday | Lex.Clinical | Lex.State))
        {
            return;
        }

        // With a comma the date itself is in the brackets: "(April 25th, Savannah)".
        if (IsPunct(date + 1, ','))
        {
            var p = date;
            while (p > date - Window && p > 0 && _run[p - 1] == _run[date])
            {
                p--;
            }

            if (!IsPunct(p - 1, '('))
            {
                return;
            }
        }

        Mark(j, j, PhiKind.Location);
    }

    /// <summary>"son flying in from anchorage tonight", "moved from sacramento": a listed city in lower case after "from" or "in".</summary>
    private void TryLowerCityAfterFrom(int i)
    {
        if (!(WordIs(i - 1, "from") || WordIs(i - 1, "in")) || _t[i].Length < 4)
        {
            return;
        }

        var lex = L(i);
        if ((lex & Lex.Place) == 0 || (lex & (Lex.Clinical | Lex.Month | Lex.Weekday | Lex.State | Lex.MeasureUnit)) != 0)
        {
            return;
        }

        // A place that is also a word ("anchorage", "mobile") only after travel: "in from", "back from", "flying in".
        if ((lex & Lex.Common) != 0 && !(WordIs(i - 1, "from") && (WordIs(i - 2, "in") || WordIs(i - 2, "back") || WordIs(i - 2, "flying")
            || WordIs(i - 2, "driving") || WordIs(i - 2, "moved") || WordIs(i - 2, "visiting"))))
        {
            return;
        }

        Mark(i, i, PhiKind.Location);
    }

    /// <summary>
    /// "Rua Doutor Amâncio de Carvalho, 417, apto 52", "Avenida Santos Dumont, 1188": a street word that comes first, the
    /// street's name in capitals, then the house number after a comma, and a unit.
    /// </summary>
    private bool TryPrefixStreetThenNumber(int i)
    {
        if (!IsNumber(i, 1, 5) || !IsPunct(i - 1, ',') || _t[i].Is(TokenShape.LineBefore))
        {
            return false;
        }

        var p = i - 2;
        var words = 0;
        while (p > i - 2 - Window && IsWord(p) && IsFree(p) && (IsCapitalized(p) || IsNameParticle(p)) && !_t[p + 1].Is(TokenShape.LineBefore))
        {
            if (words > 0 && IsCapitalized(p) && (WordIs(p, "rua") || WordIs(p, "avenida") || WordIs(p, "calle") || WordIs(p, "travessa")
                || WordIs(p, "alameda") || WordIs(p, "rue") || WordIs(p, "via") || WordIs(p, "viale") || WordIs(p, "carrera")))
            {
                var end = IsPunct(i + 1, ',') && IsUnitWord(i + 2) && IsNumber(i + 3, 1, 5) && !_t[i + 3].Is(TokenShape.LineBefore) ? i + 3 : i;
                Mark(p, end, PhiKind.Address);
                return true;
            }

            words++;
            p--;
        }

        return false;
    }

    // The run's first token, looked for no further back than two windows.
    private int BoundedRunStart(int k)
    {
        var first = k;
        while (first > 0 && first > k - 2 * Window && _run[first - 1] == _run[k])
        {
            first--;
        }

        return first;
    }

    private bool IsUnitWord(int j) =>
        IsWord(j) && (Has(j, Lex.UnitDesignator) || WordIs(j, "apto") || WordIs(j, "apt") || WordIs(j, "dpto") || WordIs(j, "depto")
            || WordIs(j, "piso") || WordIs(j, "casa") || WordIs(j, "bloco") || WordIs(j, "sala"));

    /// <summary>"Purok 3", "Sitio 2": the numbered zone of a Philippine barangay, written as a street.</summary>
    private bool TryPurok(int i)
    {
        if (!IsNumber(i, 1, 2) || !(WordIs(i - 1, "purok") || WordIs(i - 1, "sitio")) || !IsCapitalized(i - 1) || !IsFree(i - 1))
        {
            return false;
        }

        Mark(i - 1, i, PhiKind.Address);
        return true;
    }

    /// <summary>"GMS card 7713045K", "Medicaid card: 44810072": a number of six digits or more after a health card's name.</summary>
    private bool TryHealthCardNumber(int i)
    {
        // Most numbers are shorter than six characters, so they have fewer than six digits: no cue words are read for them.
        if (_t[i].Length < 6 || _t[i].Is(TokenShape.LineBefore))
        {
            return false;
        }

        var c = i - 1;
        while (c > i - 4 && (IsPunct(c, ':') || IsPunct(c, '#') || IsPunct(c, '.') || WordIs(c, "no") || WordIs(c, "number")))
        {
            c--;
        }

        if (!WordIs(c, "card") || _t[i].Is(TokenShape.LineBefore) || Digits(i) < 6 || IsMeasurement(i)
            || !(WordIs(c - 1, "health") || WordIs(c - 1, "medical") || WordIs(c - 1, "insurance") || WordIs(c - 1, "medicaid")
                || (IsWord(c - 1) && _t[c - 1].Is(TokenShape.Upper) && _t[c - 1].Length is >= 2 and <= 5 && !Has(c - 1, Lex.MeasureUnit))))
        {
            return false;
        }

        var end = IdentifierEnd(i, out _, out _);
        if (AnyMarked(i, end))
        {
            return false;
        }

        Mark(i, end, PhiKind.HealthPlan);
        return true;
    }

    /// <summary>
    /// "…, Co. Galway, H53 X7P2": an Eircode after a comma and a capitalized place: a letter and two digits, then four
    /// capitals and digits with both in them.
    /// </summary>
    private void TryEircode(int i)
    {
        if (!IsPostcodeAt(i, out var end) || end == i || !IsFree(end) || !IsWord(i - 2) || !IsCapitalized(i - 2)
            || !char.IsAsciiDigit(_text[_t[i].Start + 1]) || !char.IsAsciiDigit(_text[_t[i].Start + 2]))
        {
            return;
        }

        var span = Span(end);
        if (span.IndexOfAnyInRange('0', '9') < 0 || span.IndexOfAnyInRange('A', 'Z') < 0)
        {
            return;
        }

        Mark(i, end, PhiKind.Zip);
    }

    // ---- Identifiers that are none ----

    /// <summary>
    /// Unmarks an identifier run ending at <paramref name="last"/> that is none: a policy's section with fewer than four
    /// digits ("policy LAB-114"), a rate ("40-60cc/hr"); and the X mask before an SSN's last four ("XXX-XX-4317").
    /// </summary>
    private void UnmarkFalseIdentifier(int last)
    {
        var run = _run[last];
        var first = last;
        while (first > 0 && _run[first - 1] == run)
        {
            first--;
        }

        if (_kind[last] == PhiKind.Ssn)
        {
            var k = first;
            while (k < last && ((IsWord(k) && Span(k).Trim("Xx").Length == 0) || IsPunct(k, '-')))
            {
                _run[k] = 0;
                k++;
            }

            return;
        }

        var digits = 0;
        for (var k = first; k <= last; k++)
        {
            digits += _t[k].Type == TokenType.Punct ? 0 : Digits(k);
        }

        var rate = _t[last].Type == TokenType.Alnum && IsMeasurement(last) && IsPunct(last + 1, '/') && Joined(last + 1);
        var section = _kind[last] == PhiKind.HealthPlan && digits < 4 && IsWord(first) && _t[first].Is(TokenShape.Upper);
        if (rate || section)
        {
            for (var k = first; k <= last; k++)
            {
                _run[k] = 0;
            }
        }
    }
}
