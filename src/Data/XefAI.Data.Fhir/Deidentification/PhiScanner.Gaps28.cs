namespace XefAI.Data.Deidentification;

/// <content>
/// Round 28: a vehicle's registration letters other than a state's before a plate a rule took ("reg SN 4471 KP") and a
/// boat's registration near its cue ("boat (MI 2207 KD)"); a bus or van by its number ("bus 7", "van SR-T-207") and an
/// EMS unit's lettered number ("EMS unit M-7"); a member id after a state Medicaid programme's or a plan's name
/// ("AHCCCS A10933482", "IEHP # IE 4471 09283") and a group number after "Group" or a JSON "groupNumber"; an asset or a
/// station's tag ("Cart asset TIHP-TC-07") and a numeric serial after "s/n"; an age from 90 after "she's" or after a
/// name and "now"; a surname after a quoted nickname ("Dot" Chocktoot) and a list of surnames after "Nurses:"; a
/// surname between a name and its credential; a hyphenated surname with its initial before a credential; a highway
/// written "US-50"; a hyphenated street name after a house number; "Mt" or "Ft" and "L'" before a town a rule took; a
/// ZIP code after a street and a comma on the next line.
/// </content>
internal sealed partial class Scan
{
    // State Medicaid programmes and plans whose name is written before the member's id instead of "Medicaid".
    private static readonly WordSet PlanNames28 = new(
        "ahcccs", "iehp", "masshealth", "tenncare", "soonercare", "badgercare", "kancare", "mainecare", "husky", "peachcare", "familycare", "healthnet",
        "denalikare", "medi", "caloptima", "ambetter", "champva", "tricare");

    // Words that announce a vehicle's registration just before its letters.
    private static readonly WordSet RegistrationCues28 = new("plate", "plates", "tag", "reg", "registration", "registered", "lic");

    // Words near a boat's registration ("his boat ... (MI 2207 KD)").
    private static readonly WordSet BoatCues28 = new("boat", "vessel", "skiff", "hull", "reg", "registration", "registered", "snowmachine", "snowmobile", "atv", "jetski");

    // Vehicles a service or a school runs, known by a number.
    private static readonly WordSet NumberedVehicles28 = new("bus", "van", "shuttle");

    // The services whose "unit" is an ambulance or an engine.
    private static readonly WordSet UnitServices28 = new("ems", "ambulance", "fire", "rescue", "medic", "als", "bls", "sheriff", "police", "transport");

    // Words before an asset's tag.
    private static readonly WordSet AssetCues28 = new("asset", "cart");

    // Words after a bus's number that make it a line or a stop, not a vehicle ("the bus 9 stop").
    private static readonly WordSet BusLines28 = new("stop", "stops", "line", "route", "station", "shelter", "pass");

    // Labels of a list of staff known by surname ("Nurses: Kiogima, Reynolds").
    private static readonly WordSet StaffLists28 = new("nurses", "rns", "techs", "technologists", "therapists", "scrubs", "circulators", "assistants");

    // Abbreviations opening a town's name ("Mt Vernon", "Ft Thomas").
    private static readonly WordSet TownPrefixes28 = new("mt", "ft", "pt");

    /// <summary>Round 28's pass: one walk of the words and one of the numbers, each rule behind a test of length and first letter.</summary>
    private void MarkGaps28()
    {
        for (var w = 0; w < _letteredCount; w++)
        {
            var i = _lettered[w];
            var t = _t[i];
            if (t.Type != TokenType.Word || t.Length > 12)
            {
                continue;
            }

            var first = (char)(_text[t.Start] | 0x20);
            switch (t.Length)
            {
                case 1:
                    if (first == 'l' && IsPunct(i + 1, '\'') && Joined(i + 1) && Joined(i + 2) && InRange(i + 2) && _run[i + 2] != 0 && _kind[i + 2] == PhiKind.Location && IsFree(i))
                    {
                        Mark(i, i + 1, PhiKind.Location);
                    }
                    else if (first == 'n' && IsPunct(i - 1, '/') && Joined(i) && Joined(i - 1) && WordIs(i - 2, "s"))
                    {
                        TryNumericSerial28(i);
                    }

                    break;
                case 2 or 3:
                    if (t.Is(TokenShape.Upper) && IsFree(i) && InRange(i + 1) && _run[i + 1] != 0 && _kind[i + 1] is PhiKind.Vehicle or PhiKind.Id && !Joined(i + 1))
                    {
                        TryRegistrationLetters28(i);
                    }
                    else if (first is 'b' or 'v' && IsWordOf(i, NumberedVehicles28))
                    {
                        TryNumberedVehicle28(i);
                    }
                    else if (first is 'm' or 'f' or 'p' && IsCapitalized(i) && IsWordOf(i, TownPrefixes28))
                    {
                        TryTownPrefix28(i);
                    }
                    else if (first == 'u' && t.Length == 2 && t.Is(TokenShape.Upper) && IsPunct(i + 1, '-') && Joined(i + 1) && IsNumber(i + 2, 1, 3) && Joined(i + 2))
                    {
                        TryDashedHighway28(i);
                    }
                    else if (first == 'r' && t.Length == 3 && IsPunct(i + 1, ':') && WordIs(i, "rns"))
                    {
                        TryStaffList28(i);
                    }

                    break;
                case 4:
                    if (first == 'u' && WordIs(i, "unit"))
                    {
                        TryLetteredUnit28(i);
                    }
                    else if (first == 'c' && WordIs(i, "cart"))
                    {
                        TryAssetTag28(i);
                    }

                    break;
                default:
                    break;
            }

            if (t.Length >= 3)
            {
                if (first is 'a' or 'i' or 'm' or 't' or 's' or 'b' or 'k' or 'h' or 'p' or 'f' or 'd' or 'c' && IsWordOf(i, PlanNames28))
                {
                    TryPlanMemberId28(i);
                }
                else if (first == 'g' && (WordIs(i, "group") || WordIs(i, "groupnumber") || WordIs(i, "groupid")))
                {
                    TryGroupNumber28(i);
                }
                else if (first == 'a' && t.Length == 5 && IsWordOf(i, AssetCues28))
                {
                    TryAssetTag28(i);
                }
                else if (first is 'n' or 't' or 's' or 'c' or 'a' && t.Length >= 5 && IsPunct(i + 1, ':') && IsCapitalized(i) && IsWordOf(i, StaffLists28))
                {
                    TryStaffList28(i);
                }
                else if (first == 'n' && t.Length == 3 && WordIs(i, "now") && IsPunct(i - 1, ','))
                {
                    TryAgeAfterNameAndNow28(i);
                }
            }

            if (t.Is(TokenShape.Capitalized) && IsFree(i) && !t.Is(TokenShape.LineBefore))
            {
                if (IsPunct(i - 1, '"') && !Joined(i) && InRange(i - 2) && _run[i - 2] != 0 && _kind[i - 2] == PhiKind.Name && IsPunct(i - 3, '"'))
                {
                    TrySurnameAfterNickname28(i);
                }
                else if (InRange(i - 1) && _run[i - 1] != 0 && _kind[i - 1] == PhiKind.Name && IsPunct(i + 1, ',') && Has(i + 2, Lex.Credential) && !Has(i + 2, Lex.State))
                {
                    TrySurnameBeforeCredential28(i);
                }
            }

            if (t.Length == 1 && t.Is(TokenShape.Upper) && IsPunct(i + 1, '.') && StartsLine(i) && IsWord(i + 2) && IsPunct(i + 3, '-') && Joined(i + 3))
            {
                TryHyphenatedSignature28(i);
            }
        }

        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            var length = _t[i].Length;
            if (length <= 4 && IsWord(i - 1) && _t[i - 1].Length == 2 && _t[i - 1].Is(TokenShape.Upper) && IsWord(i + 1) && _t[i + 1].Length <= 2 && _t[i + 1].Is(TokenShape.Upper))
            {
                TryBoatRegistration28(i);
            }
            else if (length == 5 && IsPunct(i - 1, ',') && _t[i].Is(TokenShape.LineBefore) && IsFree(i) && InRange(i - 2) && _run[i - 2] != 0 && _kind[i - 2] == PhiKind.Address)
            {
                if (!Joined(i + 1) || IsPunct(i + 1, ')') || IsPunct(i + 1, ',') || IsPunct(i + 1, '.'))
                {
                    Mark(i, i, PhiKind.Zip);
                }
            }
            else if (length <= 6 && IsWord(i + 1) && IsCapitalized(i + 1) && IsPunct(i + 2, '-') && Joined(i + 2))
            {
                TryHyphenatedStreet28(i);
            }

            if (length is 2 or 3 && _text[_t[i].Start] is '9' or '1' && IsWord(i - 1) && _t[i - 1].Length <= 4)
            {
                TryAgeAfterContraction28(i);
            }
        }
    }

    /// <summary>"AK reg SN 4471 KP": the letters a registration opens with, other than a state's, before the plate a rule took.</summary>
    private void TryRegistrationLetters28(int i)
    {
        var cue = i - 1;
        if (IsPunct(cue, ':') || IsPunct(cue, '#'))
        {
            cue--;
        }

        // A state's code stays outside, as the corpora label a plate ("plate RI GV-4471"); a prefix that is none is the plate's ("SN 4471 KP").
        if (!IsWordOf(cue, RegistrationCues28) || (L(i) & (Lex.Clinical | Lex.MeasureUnit | Lex.State)) != 0)
        {
            return;
        }

        // The plate itself may have been taken as an identifier of no kind ("plate TX RMW-3318"): it is the vehicle's.
        var end = i + 1;
        while (end + 1 < Count && _run[end + 1] == _run[i + 1])
        {
            end++;
        }

        Mark(i, _kind[i + 1] == PhiKind.Vehicle ? i : end, PhiKind.Vehicle);
    }

    /// <summary>"(MI 2207 KD)" near "boat", "reg SN 4471 KP": a boat's or a snowmachine's registration, letters, digits and letters.</summary>
    private void TryBoatRegistration28(int number)
    {
        var letters = number - 1;
        var suffix = number + 1;
        if (Joined(number) || Joined(suffix) || (Joined(suffix + 1) && !IsPunct(suffix + 1)) || (IsWord(suffix + 1) && !_t[suffix + 1].Is(TokenShape.LineBefore) && _t[suffix + 1].Is(TokenShape.Upper))
            || _t[number].Is(TokenShape.LineBefore) || _t[suffix].Is(TokenShape.LineBefore) || AnyMarked(letters, letters)
            || (L(letters) & (Lex.Clinical | Lex.MeasureUnit)) != 0 || (L(suffix) & (Lex.Clinical | Lex.MeasureUnit)) != 0)
        {
            return;
        }

        for (var k = letters - 1; k >= 0 && k >= letters - 10; k--)
        {
            if (IsWordOf(k, BoatCues28))
            {
                Mark(letters, suffix, PhiKind.Vehicle);
                return;
            }
        }
    }

    /// <summary>"bus 7", "Bus: 11", "van SR-T-207": a school's or a service's vehicle by its number.</summary>
    private void TryNumberedVehicle28(int cue)
    {
        var j = cue + 1;
        if (IsPunct(j, ':') || IsPunct(j, '#'))
        {
            j++;
        }

        if (!InRange(j) || !IsFree(j) || _t[j].Is(TokenShape.LineBefore) || (Joined(j) && !IsPunct(j - 1, ':') && !IsPunct(j - 1, '#')))
        {
            return;
        }

        var end = j;
        if (IsNumber(j, 1, 4))
        {
            // Not a count or a measure: "bus 2 times", "van 3 days".
            if ((Joined(j + 1) && !(IsPunct(j + 1, ')') || IsPunct(j + 1, ',') || IsPunct(j + 1, ';') || (IsPunct(j + 1, '.') && !IsNumber(j + 2))))
                || (IsWord(j + 1) && !_t[j + 1].Is(TokenShape.LineBefore) && (Has(j + 1, Lex.MeasureUnit) || WordIs(j + 1, "times") || WordIs(j + 1, "x") || WordIs(j + 1, "of") || IsWordOf(j + 1, BusLines28))))
            {
                return;
            }
        }
        else if (IsWord(j) && _t[j].Is(TokenShape.Upper) && _t[j].Length <= 4 && IsPunct(j + 1, '-') && Joined(j + 1))
        {
            var digits = false;
            while (end < j + 8 && IsPunct(end + 1, '-') && Joined(end + 1) && Joined(end + 2) && InRange(end + 2)
                && (IsNumber(end + 2) || _t[end + 2].Type == TokenType.Alnum || (IsWord(end + 2) && _t[end + 2].Is(TokenShape.Upper))))
            {
                end += 2;
                digits |= _t[end].Type != TokenType.Word;
            }

            if (!digits || (Joined(end + 1) && !IsPunct(end + 1)))
            {
                return;
            }
        }
        else
        {
            return;
        }

        Mark(j, end, PhiKind.Vehicle);
    }

    /// <summary>"EMS unit M-7", "ambulance unit A12": a service's unit by letters and a number.</summary>
    private void TryLetteredUnit28(int unit)
    {
        var j = unit + 1;
        if (!IsWordOf(unit - 1, UnitServices28) || !InRange(j) || (_run[j] != 0 && _kind[j] != PhiKind.Id) || _t[j].Is(TokenShape.LineBefore) || Joined(j))
        {
            return;
        }

        var end = j;
        if (IsWord(j) && _t[j].Is(TokenShape.Upper) && _t[j].Length <= 3 && IsPunct(j + 1, '-') && Joined(j + 1) && Joined(j + 2) && IsNumber(j + 2, 1, 4))
        {
            end = j + 2;
        }
        else if (!(_t[j].Type == TokenType.Alnum && _t[j].Length <= 6 && char.IsAsciiLetterUpper(_text[_t[j].Start])))
        {
            return;
        }

        if (Joined(end + 1) && !IsPunct(end + 1))
        {
            return;
        }

        Mark(j, end, PhiKind.Vehicle);
    }

    /// <summary>"AHCCCS A10933482", "IEHP # IE 4471 09283": a member id after a programme's or a plan's name.</summary>
    private void TryPlanMemberId28(int cue)
    {
        var j = cue + 1;

        // "Medi-Cal": the programme's second half.
        if (WordIs(cue, "medi"))
        {
            if (!IsPunct(j, '-') || !WordIs(j + 1, "cal"))
            {
                return;
            }

            j += 2;
        }

        while (j < cue + 6 && InRange(j) && !_t[j].Is(TokenShape.LineBefore)
            && (IsPunct(j, ':') || IsPunct(j, '#') || WordIs(j, "id") || WordIs(j, "no") || WordIs(j, "number") || WordIs(j, "member") || WordIs(j, "is")))
        {
            j++;
        }

        // A member id may have been taken as an identifier of no kind: it is the plan's.
        if (!InRange(j) || !IsFreeOrId28(j) || _t[j].Is(TokenShape.LineBefore))
        {
            return;
        }

        var digits = 0;
        var end = j - 1;
        while (end < j + 8 && InRange(end + 1) && IsFreeOrId28(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore))
        {
            var k = end + 1;
            if (_t[k].Type is TokenType.Number or TokenType.Alnum)
            {
                foreach (var c in Span(k))
                {
                    digits += char.IsAsciiDigit(c) ? 1 : 0;
                }
            }
            else if (!(k == j && IsWord(k) && _t[k].Is(TokenShape.Upper) && _t[k].Length <= 2 && IsNumber(k + 1)))
            {
                break;
            }

            end = k;
            if (IsPunct(end + 1, '-') && Joined(end + 1) && Joined(end + 2) && InRange(end + 2) && _t[end + 2].Type is TokenType.Number or TokenType.Alnum)
            {
                end++;
            }
            else if (Joined(end + 1) || !IsNumber(end + 1))
            {
                break;
            }
        }

        if (digits < 6 || end < j)
        {
            return;
        }

        Mark(j, end, PhiKind.HealthPlan);
    }

    private bool IsFreeOrId28(int k) => _run[k] == 0 || _kind[k] == PhiKind.Id;

    /// <summary>"Group: NVMCD01", "groupNumber": "WYN-EMP-01": a plan's group number after its cue.</summary>
    private void TryGroupNumber28(int cue)
    {
        var j = cue + 1;
        var json = !WordIs(cue, "group");
        while (j < cue + 5 && InRange(j) && !_t[j].Is(TokenShape.LineBefore) && (IsPunct(j, ':') || IsPunct(j, '#') || (json && IsPunct(j, '"')) || (!json && (WordIs(j, "number") || WordIs(j, "no")))))
        {
            j++;
        }

        if (j == cue + 1 || !InRange(j) || !IsFree(j) || _t[j].Is(TokenShape.LineBefore) || _t[j].Type == TokenType.Number)
        {
            return;
        }

        var end = j;
        var digits = CountDigits28(j);
        var letters = _t[j].Type != TokenType.Number;
        while (end < j + 8 && IsPunct(end + 1, '-') && Joined(end + 1) && Joined(end + 2) && InRange(end + 2) && _t[end + 2].Type != TokenType.Punct)
        {
            end += 2;
            digits += CountDigits28(end);
            letters |= _t[end].Type != TokenType.Number;
        }

        if (digits < 2 || !letters || (_t[j].Type == TokenType.Word && end == j) || (Joined(end + 1) && !IsPunct(end + 1)))
        {
            return;
        }

        // Letters alone must be upper case: "Group: NVMCD01", not "group: Tuesdays 2".
        for (var k = j; k <= end; k += 2)
        {
            if (IsWord(k) && !_t[k].Is(TokenShape.Upper))
            {
                return;
            }
        }

        Mark(j, end, PhiKind.HealthPlan);
    }

    private int CountDigits28(int k)
    {
        var digits = 0;
        foreach (var c in Span(k))
        {
            digits += char.IsAsciiDigit(c) ? 1 : 0;
        }

        return digits;
    }

    /// <summary>"Cart asset TIHP-TC-07", "Reading station NMH-RAD-WS3": a device's asset tag of letters and digits in dashed parts.</summary>
    private void TryAssetTag28(int cue)
    {
        var j = cue + 1;
        if (IsPunct(j, ':') || IsPunct(j, '#'))
        {
            j++;
        }

        if (!InRange(j) || !IsFree(j) || _t[j].Is(TokenShape.LineBefore) || !(_t[j].Is(TokenShape.Upper) && _t[j].Type != TokenType.Number))
        {
            return;
        }

        var end = j;
        var parts = 1;
        var digits = _t[j].Type == TokenType.Alnum;
        while (end < j + 8 && IsPunct(end + 1, '-') && Joined(end + 1) && Joined(end + 2) && InRange(end + 2)
            && (IsNumber(end + 2) || _t[end + 2].Is(TokenShape.Upper)))
        {
            end += 2;
            parts++;
            digits |= _t[end].Type != TokenType.Word;
        }

        // An asset tag may have two parts ("asset TAG-4411"); a station's or a cart's needs three, as a unit's "ICU-2" is no device.
        if (parts < (WordIs(cue, "asset") ? 2 : 3) || !digits || (Joined(end + 1) && !IsPunct(end + 1)))
        {
            return;
        }

        Mark(j, end, PhiKind.Device);
    }

    /// <summary>"s/n 108844": a serial of digits alone after a lower-case "s/n".</summary>
    private void TryNumericSerial28(int n)
    {
        var j = n + 1;
        if (IsPunct(j, ':') || IsPunct(j, '#'))
        {
            j++;
        }

        if (!IsNumber(j, 5, 14) || (_run[j] != 0 && _kind[j] != PhiKind.Id) || _t[j].Is(TokenShape.LineBefore) || (Joined(j + 1) && !IsPunct(j + 1)) || (IsPunct(j + 1, '.') && IsNumber(j + 2)))
        {
            return;
        }

        Mark(j, j, PhiKind.Device);
    }

    /// <summary>"she's 93", "shes 93": a number from 90 to 120 after "she's" or "he's", not a measure.</summary>
    private void TryAgeAfterContraction28(int number)
    {
        if (!IsFree(number) || Joined(number))
        {
            return;
        }

        var p = number - 1;
        var pronoun = WordIs(p, "shes") || WordIs(p, "hes")
            || (WordIs(p, "s") && (IsPunct(p - 1, '\'') || IsPunct(p - 1, '’')) && Joined(p) && Joined(p - 1) && (WordIs(p - 2, "she") || WordIs(p - 2, "he")));
        if (!pronoun)
        {
            return;
        }

        var value = Value(number);
        if (value is < 90 or > 120 || (Joined(number + 1) && !(IsPunct(number + 1, ')') || IsPunct(number + 1, ',') || IsPunct(number + 1, ';') || (IsPunct(number + 1, '.') && !IsNumber(number + 2))))
            || (IsWord(number + 1) && !_t[number + 1].Is(TokenShape.LineBefore) && (Has(number + 1, Lex.MeasureUnit) || WordIs(number + 1, "percent"))))
        {
            return;
        }

        Mark(number, number, PhiKind.Age);
    }

    /// <summary>"aunt "Tootsie" Tewee, now 91,": an age from 90 after a name, a comma and "now".</summary>
    private void TryAgeAfterNameAndNow28(int now)
    {
        var number = now + 1;
        var name = now - 2;
        if (!IsNumber(number, 2, 3) || !IsFree(number) || !InRange(name) || _run[name] == 0 || _kind[name] != PhiKind.Name || _t[number].Is(TokenShape.LineBefore))
        {
            return;
        }

        var value = Value(number);
        if (value is < 90 or > 120 || (Joined(number + 1) && !(IsPunct(number + 1, ')') || IsPunct(number + 1, ',') || IsPunct(number + 1, ';') || (IsPunct(number + 1, '.') && !IsNumber(number + 2))))
            || (IsWord(number + 1) && !_t[number + 1].Is(TokenShape.LineBefore) && Has(number + 1, Lex.MeasureUnit)))
        {
            return;
        }

        Mark(number, number, PhiKind.Age);
    }

    /// <summary>"Nurses: Kiogima, Reynolds": the surnames a plural staff label lists.</summary>
    private void TryStaffList28(int label)
    {
        // Two names at least, so that "Nurses: Please call" is left alone.
        var j = label + 2;
        var end = j - 2;
        while (j < label + 12 && IsWord(j) && !_t[j].Is(TokenShape.LineBefore) && IsWrittenCapital13(j)
            && (L(j) & (Lex.Clinical | Lex.Title | Lex.Credential | Lex.NameLabel | Lex.Month | Lex.Weekday | Lex.Facility)) == 0)
        {
            end = j;
            if (!IsPunct(j + 1, ',') && !WordIs(j + 1, "and"))
            {
                break;
            }

            j += 2;
        }

        if (end < label + 4)
        {
            return;
        }

        for (var k = label + 2; k <= end; k += 2)
        {
            if (IsFree(k))
            {
                Mark(k, k, PhiKind.Name);
            }
        }
    }

    /// <summary>Wife "Dot" Chocktoot: a surname after a quoted nickname a rule took.</summary>
    private void TrySurnameAfterNickname28(int i)
    {
        // One space after the quote, and not a field's label after a quoted nickname in a header ("BUCK"   Rm 214-B, "Stan"  Preferred: Stan).
        if (_t[i].Start != _t[i - 1].Start + 2 || IsPunct(i + 1, ':') || IsPunct(i + 1, '#') || IsNumber(i + 1) || (L(i) & (Lex.Clinical | Lex.Title | Lex.Credential | Lex.NameLabel | Lex.Month | Lex.Weekday | Lex.Facility | Lex.State | Lex.Holiday)) != 0)
        {
            return;
        }

        Mark(i, i, PhiKind.Name);
    }

    /// <summary>"by Rae Lynn Bighorn, RT(R)": the last word of a name a rule took in part, before a comma and a credential.</summary>
    private void TrySurnameBeforeCredential28(int i)
    {
        // "MA" after a comma is a state as often as a credential ("Worcester County, MA"), so the credential may not be a state's code.
        if ((L(i) & (Lex.Clinical | Lex.Common | Lex.Title | Lex.Credential | Lex.NameLabel | Lex.Month | Lex.Weekday | Lex.Facility | Lex.State)) != 0 || Joined(i))
        {
            return;
        }

        Mark(i, i, PhiKind.Name);
    }

    /// <summary>"N. Ellis-Park, MD" opening a line: an initial and a hyphenated surname before a credential.</summary>
    private void TryHyphenatedSignature28(int initial)
    {
        var first = initial + 2;
        var second = initial + 4;
        if (!IsWrittenCapital13(first) || !Joined(second) || !IsWord(second) || !IsWrittenCapital13(second) || !IsPunct(second + 1, ',') || !Has(second + 2, Lex.Credential)
            || (L(first) & (Lex.Clinical | Lex.Title)) != 0)
        {
            return;
        }

        Mark(initial, second, PhiKind.Name);
    }

    /// <summary>"US-50": a US highway written with a hyphen.</summary>
    private void TryDashedHighway28(int us)
    {
        var number = us + 2;
        if (!WordIs(us, "us") || !IsFree(number) || (Joined(number + 1) && !IsPunct(number + 1)) || (IsPunct(number + 1, '.') && IsNumber(number + 2)))
        {
            return;
        }

        Mark(us, number, PhiKind.Address);
    }

    /// <summary>"6125 Ford-Wellpinit Rd": a house number and a hyphenated street name before its suffix.</summary>
    private void TryHyphenatedStreet28(int number)
    {
        var first = number + 1;
        var second = number + 3;
        var suffix = number + 4;
        if (Joined(number) || !IsWord(second) || !Joined(second) || !IsCapitalized(second) || !IsWord(suffix) || Joined(suffix)
            || !HasStreetSuffixFlag(suffix) || !IsCapitalized(suffix) || _t[first].Is(TokenShape.LineBefore) || _t[suffix].Is(TokenShape.LineBefore)
            || (_run[number] != 0 && _kind[number] != PhiKind.Address) || (L(first) & (Lex.Clinical | Lex.MeasureUnit)) != 0)
        {
            return;
        }

        Mark(number, suffix, PhiKind.Address);
    }

    /// <summary>"Mt Vernon", "Ft. Thomas": the abbreviation before a town a rule took.</summary>
    private void TryTownPrefix28(int prefix)
    {
        var town = IsPunct(prefix + 1, '.') ? prefix + 2 : prefix + 1;
        if (!IsFree(prefix) || !InRange(town) || _run[town] == 0 || _kind[town] != PhiKind.Location || _t[town].Is(TokenShape.LineBefore) || Joined(town))
        {
            return;
        }

        Mark(prefix, town - 1, PhiKind.Location);
    }
}
