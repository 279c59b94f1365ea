namespace XefAI.Data.Deidentification;

/// <summary>
/// Round 12 of places, plates and ages: a house number and a street name without a suffix on an address line that a
/// city, state and ZIP code follow ("812 Grand, Schofield WI 54476"), a house number before a street a rule took, a state
/// or farm road by its code ("off KY 7", "FM 511") and a county road's number, a creek, fork, lake or mountain a place
/// word leads to ("lives up Bear Creek", "camp on Round Lake"), a street by an ordinal or a name and a strong suffix
/// ("the 14th Ave clinic"), a town after a street ("near Olmito", "(St. Agatha)") or before its ZIP ("in Dearborn 48126"),
/// the state before a plate or licence a cue took ("CDL TX 40719926"), a plate after a vehicle word ("van WI 882-RKM"),
/// and an age over 89 in words in brackets after a date of birth ("6/2/1934 (ninety-two)").
/// </summary>
internal sealed partial class Scan
{
    /// <summary>Round 12's pass: each rule starts at a cheap test of a number or a capitalized word.</summary>
    private void MarkGaps12Places()
    {
        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            if (!IsFree(i) || _t[i].Length > 6)
            {
                continue;
            }

            if (i > 0 && _run[i - 1] != 0 && !_t[i].Is(TokenShape.LineBefore))
            {
                TryCountyRoadNumber12(i);
            }
            else if (InRange(i + 1) && _run[i + 1] != 0)
            {
                TryHouseNumberBeforeStreet12(i);
            }
            else if (StartsLine(i) || IsPunct(i - 1, ':'))
            {
                TryBareStreetLine12(i);
            }
        }

        var stateCodes = false;
        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            if (!IsFree(i))
            {
                continue;
            }

            var length = _t[i].Length;
            if (length == 2 && _t[i].Is(TokenShape.Upper))
            {
                // Every rule at a state's code wants a number, a plate or a marked identifier after it.
                if (InRange(i + 1) && (_t[i + 1].Type is TokenType.Number or TokenType.Alnum || _run[i + 1] != 0))
                {
                    stateCodes = true;
                    _ = TryStateBeforeIdentifier12(i) || TryStateRoad12(i) || TryPlateAfterVehicleWord12(i);
                }
            }
            else if (length >= 3)
            {
                // The first letter first: few capitalized words start a creek's or an avenue's name.
                switch (_text[_t[i].Start] | 0x20)
                {
                    case 'a' or 'b' when IsStrongSuffix12(i):
                        TryNamedStreet12(i);
                        break;
                    case 'c' or 'f' or 'h' or 'l' or 'm' or 'r' or 'g' or 'b' or 'k' when IsFeatureWord12(i):
                        TryNamedFeature12(i);
                        break;
                    default:
                        break;
                }
            }

            if (length >= 2 && IsFree(i) && MayStartTown12(i) && !Has(i, Lex.Month | Lex.Weekday | Lex.Title | Lex.Credential | Lex.Facility | Lex.Holiday))
            {
                _ = TryTownAfterStreet12(i) || TryTownBeforeZip12(i);
            }
        }

        _stateCodes12 = stateCodes;
        if (_ageWords12)
        {
            MarkAgeAfterBirthDate12();
        }
    }

    // Whether a state's code stood before a number, a plate or a marked identifier: the late pass needs one.
    private bool _stateCodes12;

    /// <summary>
    /// A town's rules start only after "(" or a word of the length and first letter of "in", "from", "near", "past",
    /// "outside" or "beyond".
    /// </summary>
    private bool MayStartTown12(int i)
    {
        var p = i - 1;
        if (p < 0)
        {
            return false;
        }

        var first = _text[_t[p].Start] | 0x20;
        return _t[p].Type == TokenType.Punct
            ? first == '('
            : _t[p].Type == TokenType.Word && _t[p].Length is 2 or 4 or 6 or 7 && first is 'i' or 'f' or 'n' or 'p' or 'o' or 'b';
    }

    // Set by the word pass when the text has "ninety" (any case): the age rule needs it.
    private bool _ageWords12;

    // ---- House numbers and streets without a suffix ----

    /// <summary>
    /// "812 Grand, Schofield WI 54476", "6450 Maple · Dearborn, Michigan 48126", "14 Depot        Jellico, TN 37762": a
    /// house number first on its line (or after "Address:"), a direction and up to three capitalized words, then a comma,
    /// a dot, a gap or the line's end, and a state and ZIP code within the next few tokens.
    /// </summary>
    private void TryBareStreetLine12(int i)
    {
        var j = i + 1;
        if (!InRange(j) || _t[j].Is(TokenShape.LineBefore) || Joined(j))
        {
            return;
        }

        if (_t[j].Length == 1 && IsWord(j) && Has(j, Lex.Direction))
        {
            j = IsPunct(j + 1, '.') && Joined(j + 1) ? j + 2 : j + 1;
        }

        var end = -1;
        for (var k = j; k < j + 3 && IsWord(k) && IsFree(k) && IsCapitalized(k) && !_t[k].Is(TokenShape.LineBefore); k++)
        {
            if (Has(k, Lex.Month | Lex.Weekday | Lex.Title | Lex.Credential | Lex.NameLabel | Lex.MeasureUnit | Lex.Facility | Lex.UnitDesignator))
            {
                return;
            }

            end = k;
            if (InRange(k + 1) && (_t[k + 1].Is(TokenShape.LineBefore) || _t[k + 1].Start - _t[k].End >= 3))
            {
                break;
            }
        }

        if (end < 0 || !(end + 1 >= Count || _t[end + 1].Is(TokenShape.LineBefore) || _t[end + 1].Start - _t[end].End >= 3
            || IsPunct(end + 1, ',') || IsPunct(end + 1, '·')) || !StateAndZipAfter12(end + 1))
        {
            return;
        }

        Mark(i, UnitEnd(end), PhiKind.Address);
    }

    /// <summary>A state (name or code) and a five-digit number or a marked ZIP code within eight tokens, over one line break at most.</summary>
    private bool StateAndZipAfter12(int from)
    {
        var lines = 0;
        for (var k = from; k < from + 8 && InRange(k); k++)
        {
            if (_t[k].Is(TokenShape.LineBefore) && k > from && ++lines > 1)
            {
                return false;
            }

            if (IsState(k))
            {
                var z = IsPunct(k + 1, ',') ? k + 2 : k + 1;
                return IsNumber(z, 5, 5) || (InRange(z) && _run[z] != 0 && _kind[z] == PhiKind.Zip);
            }
        }

        return false;
    }

    /// <summary>
    /// "1050 Lake Sumter Landing", "14 Depot   Jellico, TN": a house number first on its line, or after a colon, before a
    /// street a rule took, or before a place a rule took that a state and ZIP code follow (then a street).
    /// </summary>
    private void TryHouseNumberBeforeStreet12(int i)
    {
        var next = i + 1;
        if (_kind[next] is not (PhiKind.Address or PhiKind.Location) || Joined(next) || _t[next].Is(TokenShape.LineBefore) || !IsWord(next)
            || !IsCapitalized(next) || (i > 0 && _run[i - 1] == _run[next]) || !(StartsLine(i) || IsPunct(i - 1, ':')))
        {
            return;
        }

        var run = _run[next];
        if (_kind[next] == PhiKind.Location)
        {
            var end = next;
            while (InRange(end + 1) && _run[end + 1] == run)
            {
                end++;
            }

            if (!StateAndZipAfter12(end + 1))
            {
                return;
            }

            for (var k = next; k <= end; k++)
            {
                _kind[k] = PhiKind.Address;
            }
        }

        _kind[i] = PhiKind.Address;
        _run[i] = run;
    }

    /// <summary>"County Road 45", "Township Rd 12": the number a rule that took the road's name left.</summary>
    private void TryCountyRoadNumber12(int i)
    {
        var road = i - 1;
        if (_kind[road] != PhiKind.Address || _t[i].Is(TokenShape.LineBefore) || Joined(i) || _t[i].Length > 4
            || !(WordIs(road, "road") || WordIs(road, "rd")) || !(WordIs(road - 1, "county") || WordIs(road - 1, "township"))
            || (InRange(i + 1) && Joined(i + 1) && !IsPunct(i + 1)))
        {
            return;
        }

        _kind[i] = PhiKind.Address;
        _run[i] = _run[road];
    }

    /// <summary>
    /// "off KY 7", "near FM 511", "on SR 40": a state's code or a farm, county or state road's before a number of up to four
    /// digits, after a word of place.
    /// </summary>
    private bool TryStateRoad12(int i)
    {
        var number = i + 1;
        if (!IsNumber(number, 1, 4) || Joined(number) || _t[number].Is(TokenShape.LineBefore) || !IsFree(number)
            || (InRange(number + 1) && Joined(number + 1) && !IsPunct(number + 1))
            || !(WordIs(i, "fm") || WordIs(i, "rm") || WordIs(i, "sr") || WordIs(i, "cr") || IsStateCode(i))
            || WordIs(i, "or") || Has(i, Lex.Credential | Lex.Title))
        {
            return false;
        }

        var b = WordBefore(i, 2);
        if (b < 0 || !IsPlaceWord12(b))
        {
            return false;
        }

        var after = WordAfter(number, 1);
        if (after >= 0 && Has(after, Lex.MeasureUnit))
        {
            return false;
        }

        Mark(i, number, PhiKind.Address);
        return true;
    }

    /// <summary>The words before a road or a place named without its number: "off", "up", "on", "near", "past", "along".</summary>
    private bool IsPlaceWord12(int b) =>
        WordIs(b, "off") || WordIs(b, "on") || WordIs(b, "up") || WordIs(b, "onto") || WordIs(b, "along") || WordIs(b, "near")
        || WordIs(b, "past") || WordIs(b, "via") || WordIs(b, "over") || WordIs(b, "across") || WordIs(b, "down");

    // ---- Creeks, lakes and mountains ----

    private bool IsFeatureWord12(int i) =>
        WordIs(i, "creek") || WordIs(i, "fork") || WordIs(i, "hollow") || WordIs(i, "holler") || WordIs(i, "lake") || WordIs(i, "mountain")
        || WordIs(i, "ridge") || WordIs(i, "gap") || WordIs(i, "branch") || WordIs(i, "knob") || WordIs(i, "bayou");

    /// <summary>
    /// "lives up Rockhouse Creek", "camp on Round Lake", "over Black Mountain": one or two capitalized words and a creek,
    /// fork, hollow, lake, mountain or ridge after a word of place on the same line.
    /// </summary>
    private void TryNamedFeature12(int i)
    {
        var first = i - 1;
        if (!IsFeatureName12(first))
        {
            return;
        }

        if (IsFeatureName12(first - 1) && !IsPlaceWord12(first - 1))
        {
            first--;
        }

        var b = first - 1;
        if (!IsWord(b) || !IsPlaceWord12(b) || _t[first].Is(TokenShape.LineBefore))
        {
            return;
        }

        Mark(first, i, PhiKind.Address);
    }

    private bool IsFeatureName12(int k) =>
        IsWord(k) && IsFree(k) && IsCapitalized(k) && !_t[k].Is(TokenShape.LineBefore) && _t[k].Length >= 3
        && !Has(k, Lex.Month | Lex.Weekday | Lex.Title | Lex.Credential | Lex.NameLabel | Lex.Relation | Lex.Holiday | Lex.MeasureUnit | Lex.Facility);

    // ---- Streets by a strong suffix ----

    private bool IsStrongSuffix12(int i) =>
        WordIs(i, "ave") || WordIs(i, "avenue") || WordIs(i, "blvd") || WordIs(i, "boulevard");

    /// <summary>
    /// "the 22nd Ave clinic", "mosque on\nCedar Ave", "from Payne Ave": an avenue or boulevard after an ordinal or a
    /// capitalized word on its line; a name a rule took as a person or a place becomes the street's.
    /// </summary>
    private void TryNamedStreet12(int i)
    {
        var p = i - 1;
        if (!InRange(p) || _t[i].Is(TokenShape.LineBefore) || Joined(i))
        {
            return;
        }

        var end = IsPunct(i + 1, '.') && Joined(i + 1) ? i + 1 : i;
        if (_t[p].Type == TokenType.Alnum && IsOrdinalWord(p) && IsFree(p))
        {
            Mark(p, end, PhiKind.Address);
            return;
        }

        if (!IsWord(p) || !IsCapitalized(p) || _t[p].Length < 3 || Has(p, Lex.Month | Lex.Weekday | Lex.Title | Lex.Credential | Lex.Facility))
        {
            return;
        }

        if (IsFree(p))
        {
            Mark(p, end, PhiKind.Address);
            return;
        }

        if (_kind[p] is not (PhiKind.Name or PhiKind.Location) || (InRange(p - 1) && _run[p - 1] == _run[p]))
        {
            return;
        }

        var run = _run[p];
        _kind[p] = PhiKind.Address;
        for (var k = i; k <= end; k++)
        {
            _kind[k] = PhiKind.Address;
            _run[k] = run;
        }
    }

    // ---- Towns ----

    /// <summary>
    /// "off FM 511 near Olmito", "up Pond Fork past Bim", "on Long Lake (St. Agatha)": a town right after a street, after
    /// "near", "past", "outside" or "beyond", or in brackets.
    /// </summary>
    private bool TryTownAfterStreet12(int i)
    {
        var p = i - 1;
        if (!InRange(p - 1))
        {
            return false;
        }

        int street;
        if (IsPunct(p, '('))
        {
            street = p - 1;
        }
        else if (WordIs(p, "near") || WordIs(p, "past") || WordIs(p, "outside") || WordIs(p, "beyond"))
        {
            street = p - 1;
        }
        else
        {
            return false;
        }

        if (_run[street] == 0 || _kind[street] != PhiKind.Address)
        {
            return false;
        }

        var end = TownEnd12(i);
        if (end < 0 || (IsPunct(p, '(') && !IsPunct(end + 1, ')')))
        {
            return false;
        }

        Mark(i, end, PhiKind.Location);
        return true;
    }

    /// <summary>
    /// The last token of a town's name from <paramref name="i"/>: "St." or "Fort" and a name, or one or two capitalized
    /// words that are not clinical; -1 when none.
    /// </summary>
    private int TownEnd12(int i)
    {
        if ((WordIs(i, "st") || WordIs(i, "ste")) && IsPunct(i + 1, '.') && Joined(i + 1) && IsTownWord12(i + 2))
        {
            return i + 2;
        }

        if (!IsTownWord12(i) || Has(i, Lex.Clinical))
        {
            return -1;
        }

        return IsTownWord12(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore) && !Has(i + 1, Lex.Clinical) ? i + 1 : i;
    }

    private bool IsTownWord12(int k) =>
        IsWord(k) && IsFree(k) && IsCapitalized(k) && _t[k].Length >= 3 && !Has(k, Lex.Month | Lex.Weekday | Lex.Title | Lex.Credential
            | Lex.NameLabel | Lex.Relation | Lex.Holiday | Lex.MeasureUnit | Lex.Facility | Lex.StreetSuffix);

    /// <summary>"Lives with her son in Dearborn 48126.": a town after "in" or "from" and its ZIP code, at a sentence's end.</summary>
    private bool TryTownBeforeZip12(int i)
    {
        var b = i - 1;
        if (!(WordIs(b, "in") || WordIs(b, "from")))
        {
            return false;
        }

        var end = TownEnd12(i);
        if (end < 0 || (end == i && Has(i, Lex.Common)))
        {
            return false;
        }

        // "from St. Paul", "in Ste. Genevieve": a saint's town, not a saint's hospital ("St. Luke's", "St. Mary Medical").
        if (end == i + 2 && !IsPunct(end + 1, '\'') && !Has(end + 1, Lex.Facility) && !(IsWord(end + 1) && IsCapitalized(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore)
            && (WordIs(end + 1, "hospital") || WordIs(end + 1, "medical") || WordIs(end + 1, "clinic") || WordIs(end + 1, "church") || WordIs(end + 1, "school"))))
        {
            Mark(i, end, PhiKind.Location);
            return true;
        }

        var zip = end + 1;
        if (!IsNumber(zip, 5, 5) || !IsFree(zip) || _t[zip].Is(TokenShape.LineBefore)
            || !(zip + 1 >= Count || _t[zip + 1].Is(TokenShape.LineBefore) || IsPunct(zip + 1, '.') || IsPunct(zip + 1, ',') || IsPunct(zip + 1, ';')))
        {
            return false;
        }

        Mark(i, end, PhiKind.Location);
        MarkZip(zip);
        return true;
    }

    // ---- Plates and licences ----

    /// <summary>
    /// After every identifier rule: the state's code before a plate or licence a later rule took ("CDL TX 40719926"). Only
    /// a capitalized two-letter word is looked at.
    /// </summary>
    private void MarkGaps12StatesBeforeIdentifiers()
    {
        if (!_stateCodes12)
        {
            return;
        }

        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            if (_t[i].Length == 2 && IsFree(i) && InRange(i + 1) && _run[i + 1] != 0 && _t[i].Is(TokenShape.Upper))
            {
                _ = TryStateBeforeIdentifier12(i);
            }
        }
    }

    /// <summary>"CDL TX 40719926", "plate FL EMS-3318": a state's code before the plate or licence a cue took.</summary>
    private bool TryStateBeforeIdentifier12(int i)
    {
        var next = i + 1;
        if (!InRange(next) || _run[next] == 0 || _kind[next] is not (PhiKind.Vehicle or PhiKind.License or PhiKind.Id) || _t[next].Is(TokenShape.LineBefore)
            || Joined(next) || (L(i) & Lex.State) == 0 || Has(i, Lex.Credential | Lex.Title))
        {
            return false;
        }

        // A number taken as an identifier only after a driving licence's word: "CDL TX 40719926". (The corpora disagree on
        // whether a plate's state is part of the plate, so a plate taken as an identifier is left as it is.)
        var b = WordBefore(i, 2);
        if (_kind[next] == PhiKind.Id && !(b >= 0 && !_t[i].Is(TokenShape.LineBefore) && (WordIs(b, "cdl") || WordIs(b, "dl")
            || WordIs(b, "license") || WordIs(b, "licence") || WordIs(b, "lic"))))
        {
            return false;
        }

        _kind[i] = _kind[next];
        _run[i] = _run[next];
        return true;
    }

    /// <summary>
    /// "Pt's van (daughter's) WI 882-RKM", "their car (ME 7720 XK)", "truck, AL 4BD7713": a state's code and a plate with
    /// digits and letters within a few tokens after a vehicle word on the same line.
    /// </summary>
    private bool TryPlateAfterVehicleWord12(int i)
    {
        var j = i + 1;
        if (!InRange(j) || Joined(j) || _t[j].Is(TokenShape.LineBefore) || !IsFree(j) || _t[j].Type is not (TokenType.Number or TokenType.Alnum))
        {
            return false;
        }

        var end = j;
        var letters = _t[j].Type == TokenType.Alnum;
        if (IsPunct(j + 1, '-') && Joined(j + 1) && Joined(j + 2) && InRange(j + 2) && _t[j + 2].Type is TokenType.Number or TokenType.Alnum or TokenType.Word
            && _t[j + 2].Length <= 4 && !_t[j + 2].Is(TokenShape.Lower))
        {
            end = j + 2;
            letters |= _t[j + 2].Type != TokenType.Number;
        }
        else if (_t[j].Type == TokenType.Number && IsWord(j + 1) && !Joined(j + 1) && _t[j + 1].Length is 2 or 3 && _t[j + 1].Is(TokenShape.Upper)
            && !_t[j + 1].Is(TokenShape.LineBefore) && !Has(j + 1, Lex.State))
        {
            end = j + 1;
            letters = true;
        }

        if (!letters || _t[end].End - _t[j].Start > 10 || (L(i) & Lex.State) == 0 || Has(i, Lex.Credential | Lex.Title) || !VehicleWordBefore12(i))
        {
            return false;
        }

        Mark(i, end, PhiKind.Vehicle);
        return true;
    }

    /// <summary>A vehicle word ("car", "van", "truck", "plate", "tag") within six tokens before <paramref name="i"/> on its line.</summary>
    private bool VehicleWordBefore12(int i)
    {
        for (var p = i - 1; p >= 0 && p >= i - 6; p--)
        {
            if (WordIs(p, "car") || WordIs(p, "van") || WordIs(p, "truck") || WordIs(p, "suv") || WordIs(p, "pickup") || WordIs(p, "plate")
                || WordIs(p, "plates") || WordIs(p, "tag") || WordIs(p, "vehicle") || WordIs(p, "minivan"))
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

    // ---- Ages ----

    /// <summary>"DOB 6/2/1934 (ninety-two)": an age over 89 in words in brackets right after a date.</summary>
    private void MarkAgeAfterBirthDate12()
    {
        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if (_t[i].Length != 6 || !IsFree(i) || !IsPunct(i - 1, '(') || !InRange(i - 2) || _run[i - 2] == 0 || _kind[i - 2] != PhiKind.Date)
            {
                continue;
            }

            var end = AgeWordsEnd(i);
            if (end >= 0 && IsPunct(end + 1, ')') && !AnyMarked(i, end))
            {
                Mark(i, end, PhiKind.Age);
            }
        }
    }
}
