namespace XefAI.Data.Deidentification;

/// <content>
/// Round 27: a service vehicle named by its kind and number in parentheses or after "unit", with its agency's words
/// when they fill the parentheses ("(Medic 12)", "(KT Transit 2)", "unit Medic 7"); a plate of letters and a lettered group after "plate" or "tag" ("tag QJX 4R1"); an
/// identifier spelled in a dictation with letters and digit words after its cue ("posting s p two two eight one zero"),
/// and its corrected repeat; a ZIP code and a grid address spoken digit by digit; a Markdown table's "Age" column; a
/// JSON "county" value; a surname before a comma and a given name at the start of a table's cell ("| Fox, Mary |"); a
/// domain login ("CORP\jdoe") and a dotted login after its cue ("by lab.lis.print"); a serial after "S/N"; a town and
/// a ZIP code after a street or a box and a comma ("Box 12, Anytown 99999"); a yearly event whose name holds a particle
/// ("at the Lac du Bois Powwow") or that a date follows ("missed the Rice Celebration in August"); a county road's
/// letter ("Co Rd K"), a mile road and a mile marker ("Mile 5 Rd", "Mile Marker 40, US 1"), and a grid street with
/// its compass word ("8100 nw 12 ct", "E 640 Rd").
/// </content>
internal sealed partial class Scan
{
    // The kind of a service's vehicle written before its number ("Medic 12", "Rescue 3", "Transit 2").
    private static readonly WordSet UnitKinds27 = new("medic", "rescue", "engine", "ambulance", "squad", "ladder", "transit", "van", "shuttle");

    // Ordinary words that may open an agency's name before a unit ("Nation", "County", "Fire").
    private static readonly WordSet AgencyWords27 = new("nation", "county", "tribal", "tribe", "fire", "city", "area", "regional", "community", "district", "township", "parish");

    // Cues before an identifier a dictation spells with letters and digit words.
    private static readonly WordSet SpelledCues27 = new(
        "number", "accession", "posting", "plate", "tag", "serial", "mrn", "id", "confirmation", "authorization", "auth", "claim", "order",
        "reference", "specimen", "booking", "case", "correction");

    // Words before a login that is not an e-mail address: "printed by fdl.lis.print", "Scribe: scr.jdoe".
    private static readonly WordSet LoginCues27 = new("by", "user", "login", "logon", "username", "userid", "scribe", "operator", "author");

    // Words inside a yearly event's name between capitalised words ("Lac du Bois", "Honor the Earth").
    private static readonly WordSet EventParticles27 = new("du", "de", "des", "la", "le", "del", "of", "the", "and");

    // A grid street's compass word.
    private static readonly WordSet Compass27 = new("n", "s", "e", "w", "ne", "nw", "se", "sw");

    // A grid street's suffix after its number ("107 Ct", "870 Rd").
    private static readonly WordSet GridSuffixes27 = new("st", "ave", "ct", "ter", "pl", "dr", "rd", "way", "ln", "cir", "path", "road", "street", "avenue", "court", "terrace", "place", "drive", "lane");

    // Highways that may follow a mile marker after a comma ("Mile Marker 70, US 41").
    private static readonly WordSet Highways27 = new("us", "hwy", "highway", "sr", "route", "rte", "i");

    // Words of a number spoken in a grid address ("four thousand south").
    private static readonly WordSet NumberWords27 = new(
        "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
        "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand");

    // The compass words of a spoken grid address.
    private static readonly WordSet SpokenCompass27 = new("north", "south", "east", "west");

    /// <summary>Round 27's pass: walks of the numbers and the lettered tokens, each rule behind a cheap test of shape.</summary>
    private void MarkGaps27()
    {
        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            var length = _t[i].Length;
            if (length == 5 && _run[i] == 0)
            {
                TryZipAfterStreet27(i);
            }
            else if (length <= 3 && (IsPunct(i + 1, ')') || WordIs(i - 2, "unit")) && IsWord(i - 1) && _t[i - 1].Length is >= 3 and <= 9)
            {
                TryUnit27(i);
            }

            if (length <= 6 && _run[i] == 0 && IsWord(i + 1) && _t[i + 1].Length <= 2)
            {
                TryGridStreet27(i);
            }
        }

        for (var w = 0; w < _letteredCount; w++)
        {
            var i = _lettered[w];
            var t = _t[i];
            if (t.Type != TokenType.Word)
            {
                if (IsPunct(i + 1, '\\'))
                {
                    TryDomainLogin27(i);
                }

                continue;
            }

            var first = (char)(_text[t.Start] | 0x20);
            if (IsPunct(i + 1, '\\'))
            {
                TryDomainLogin27(i);
            }
            else if (IsPunct(i + 1, '.') && t.Is(TokenShape.Lower) && t.Length >= 2 && Joined(i + 1))
            {
                TryDottedLogin27(i);
            }

            if (t.Length == 1)
            {
                if (first == 'n' && IsPunct(i - 1, '/'))
                {
                    TrySerialAfterSn27(i);
                }

                continue;
            }

            // Spelled runs are of short words: three after the cue before the list is asked.
            if (t.Length is >= 2 and <= 13 && IsWord(i + 1) && _t[i + 1].Length <= 5 && IsWord(i + 2) && _t[i + 2].Length <= 5 && IsWord(i + 3) && _t[i + 3].Length <= 5
                && SpelledCues27.Contains(Span(i)))
            {
                TrySpelledIdentifier27(i);
            }

            if (t.Length is 3 or 5 && first is 't' or 'p' && (WordIs(i, "tag") || WordIs(i, "plate")))
            {
                TryLetteredPlate27(i);
            }

            if (t.Length is 4 or 5 && first is 'n' or 's' or 'e' or 'w' && IsWordOf(i - 1, SpokenDigits) && SpokenCompass27.Contains(Span(i)))
            {
                TrySpokenGridAddress27(i);
            }
            else if (t.Length == 3 && first == 'a' && IsPunct(i - 1, '|') && IsPunct(i + 1, '|') && WordIs(i, "age"))
            {
                TryAgeColumn27(i);
            }

            if (t.Length == 6 && first == 'c' && WordIs(i, "county"))
            {
                TryFhirDistrict26(i);
            }
            else if (t.Length is >= 4 and <= 14 && IsWord(i + 1) && _t[i + 1].Length is >= 3 and <= 5 && _t[i + 1].Is(TokenShape.Lower)
                && (_text[_t[i + 1].Start] is 'z' or 'o' or 't' or 'f' or 's' or 'e' or 'n') && IsWordOf(i + 1, SpokenDigits) && (L(i) & Lex.State) != 0)
            {
                TrySpokenZip27(i);
            }

            if (_t[i].Is(TokenShape.Lower))
            {
                continue;
            }

            if (t.Length is 2 or 4 && first == 'r' && (WordIs(i, "rd") || WordIs(i, "road")))
            {
                TryCountyRoadLetter27(i);
            }
            else if (t.Length == 4 && first == 'm' && WordIs(i, "mile"))
            {
                TryMileRoad27(i);
            }
            else if (t.Length is >= 3 and <= 11 && IsWord(i - 1) && !_t[i - 1].Is(TokenShape.Lower) && (_run[i] == 0 || _kind[i] == PhiKind.Date) && IsWrittenCapital13(i)
                && IsWordOf(i, EventEnds23))
            {
                TryEvent27(i);
            }

            if (t.Length >= 3 && _run[i] == 0 && IsPunct(i + 1, ',') && IsPunct(i - 1, '|'))
            {
                TrySurnameFirst27(i);
            }
        }
    }

    /// <summary>"(Medic 12)", "(KT Transit 2)", "unit Medic 7": a service vehicle's kind and number, with its agency's words when they fill the parentheses.</summary>
    private void TryUnit27(int number)
    {
        var kind = number - 1;
        if (!IsWordOf(kind, UnitKinds27) || !(IsWrittenCapital13(kind) || _t[kind].Is(TokenShape.Upper)) || Joined(number) || _t[number].Is(TokenShape.LineBefore)
            || (_run[number] != 0 && _kind[number] != PhiKind.Vehicle))
        {
            return;
        }

        // Not a measure, a time, a ratio or a decimal: "Rescue 2 mg", "Engine 3:15", "Van 2/3".
        var after = number + 1;
        if (Joined(after) && !(IsPunct(after, ')') || IsPunct(after, ',') || IsPunct(after, ';') || (IsPunct(after, '.') && !IsNumber(after + 1))))
        {
            return;
        }

        if (IsWord(after) && !_t[after].Is(TokenShape.LineBefore) && Has(after, Lex.MeasureUnit))
        {
            return;
        }

        var start = kind;
        while (start > kind - 3 && !_t[start].Is(TokenShape.LineBefore) && IsWord(start - 1) && IsAgencyWord27(start - 1))
        {
            start--;
        }

        // In parentheses, with its agency's words when they fill them ("EMS (Medic 12)", "(Harlan Rescue 2)"), or after
        // "unit" ("EMS unit Medic 7"): a kind and a number elsewhere may be anything.
        var closed = IsPunct(number + 1, ')');
        if (!(closed && IsPunct(start - 1, '(')))
        {
            if (!(closed && IsPunct(kind - 1, '(')) && !WordIs(kind - 1, "unit"))
            {
                return;
            }

            start = kind;
        }

        Mark(start, number, PhiKind.Vehicle);
    }

    private bool IsAgencyWord27(int k)
    {
        if (_t[k].Is(TokenShape.Upper))
        {
            return _t[k].Length <= 5 && (L(k) & (Lex.Clinical | Lex.Title | Lex.State | Lex.Month | Lex.Weekday | Lex.MeasureUnit)) == 0;
        }

        if (!IsWrittenCapital13(k) || Has(k, Lex.Clinical | Lex.Title | Lex.Month | Lex.Weekday | Lex.Credential | Lex.NameLabel))
        {
            return false;
        }

        // A town or county a rule took ("Harlan"), or a word of an agency's name ("Nation", "County"); not any capitalised word.
        return _run[k] != 0 ? _kind[k] is PhiKind.Location : AgencyWords27.Contains(Span(k));
    }

    /// <summary>"tag QJX 4R1", "plate ABC 4D2": a plate's letters and a group of digits and letters after its cue.</summary>
    private void TryLetteredPlate27(int cue)
    {
        var letters = cue + 1;
        var group = cue + 2;
        if (!IsWord(letters) || !_t[letters].Is(TokenShape.Upper) || _t[letters].Length is < 2 or > 4 || _t[letters].Is(TokenShape.LineBefore)
            || !InRange(group) || _t[group].Type != TokenType.Alnum || _t[group].Length is < 2 or > 5 || Joined(group) || _t[group].Is(TokenShape.LineBefore)
            || AnyMarked(letters, group) || (L(letters) & (Lex.Clinical | Lex.Common | Lex.State | Lex.MeasureUnit)) != 0)
        {
            return;
        }

        foreach (var c in Span(group))
        {
            if (char.IsAsciiLetterLower(c))
            {
                return;
            }
        }

        if (Joined(group + 1) && !IsPunct(group + 1))
        {
            return;
        }

        Mark(letters, group, PhiKind.Vehicle);
    }

    /// <summary>
    /// "posting s p two two eight one zero", "plate eight seven x r m": letters and digit words spelled after an identifier's
    /// cue, of the cue's kind (or of the part a rule already took); after "correction", of the run it corrects.
    /// </summary>
    private void TrySpelledIdentifier27(int cue)
    {
        var start = cue + 1;
        while (IsPunct(start, ':') || IsPunct(start, '#') || WordIs(start, "is") || WordIs(start, "number"))
        {
            start++;
        }

        var end = start - 1;
        var letters = 0;
        var digits = 0;
        while (end - start < 16 && IsWord(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore))
        {
            if (_t[end + 1].Length == 1 && char.IsAsciiLetter(_text[_t[end + 1].Start]))
            {
                letters++;
            }
            else if (IsWordOf(end + 1, SpokenDigits))
            {
                digits++;
            }
            else
            {
                break;
            }

            end++;
        }

        if (letters == 0 || digits < 2 || letters + digits < 5)
        {
            return;
        }

        PhiKind? kind = null;
        for (var k = start; k <= end; k++)
        {
            if (_run[k] != 0)
            {
                kind = _kind[k];
                break;
            }
        }

        if (kind is null)
        {
            if (WordIs(cue, "correction"))
            {
                // "plate eight seven x r m no correction eight seven x r n": the kind of the run just corrected.
                var p = cue - 1;
                while (p > cue - 4 && IsWord(p) && _run[p] == 0)
                {
                    p--;
                }

                if (!InRange(p) || _run[p] == 0)
                {
                    return;
                }

                kind = _kind[p];
            }
            else
            {
                kind = WordIs(cue, "plate") || WordIs(cue, "tag") ? PhiKind.Vehicle
                    : WordIs(cue, "serial") ? PhiKind.Device
                    : WordIs(cue, "mrn") ? PhiKind.Mrn
                    : PhiKind.Id;
            }
        }

        Mark(start, end, kind.Value);
    }

    /// <summary>"six six four zero east four thousand south": a house number spoken digit by digit and a grid street's number between compass words.</summary>
    private void TrySpokenGridAddress27(int compass)
    {
        var start = compass;
        while (start > compass - 6 && IsWordOf(start - 1, SpokenDigits) && IsFree(start - 1) && !_t[start].Is(TokenShape.LineBefore))
        {
            start--;
        }

        var end = compass;
        while (end < compass + 5 && IsWordOf(end + 1, NumberWords27) && IsFree(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore))
        {
            end++;
        }

        if (compass - start < 3 || end == compass || !IsWordOf(end + 1, SpokenCompass27) || !IsFree(compass) || _t[end + 1].Is(TokenShape.LineBefore))
        {
            return;
        }

        Mark(start, end + 1, PhiKind.Address);
    }

    /// <summary>A Markdown table's "Age" column: the ages from 90 in its rows.</summary>
    private void TryAgeColumn27(int header)
    {
        var column = 0;
        var k = header - 1;
        for (; k >= 0 && !StartsLine(k + 1); k--)
        {
            column += IsPunct(k, '|') ? 1 : 0;
        }

        var pipes = 0;
        for (var j = header + 1; j < Count; j++)
        {
            if (StartsLine(j))
            {
                if (!IsPunct(j, '|'))
                {
                    return;
                }

                pipes = 0;
            }

            if (!IsPunct(j, '|'))
            {
                continue;
            }

            pipes++;
            if (pipes == column && IsNumber(j + 1, 2, 3) && IsPunct(j + 2, '|') && Value(j + 1) is >= 90 and <= 125 && IsFree(j + 1))
            {
                Mark(j + 1, j + 1, PhiKind.Age);
            }
        }
    }

    /// <summary>"roosevelt utah eight four zero six six": five digit words spoken after a state.</summary>
    private void TrySpokenZip27(int state)
    {
        var first = state + 1;
        var k = first;
        while (k < first + 6 && IsWordOf(k, SpokenDigits) && IsFree(k) && !_t[k].Is(TokenShape.LineBefore))
        {
            k++;
        }

        if (k - first != 5)
        {
            return;
        }

        Mark(first, k - 1, PhiKind.Zip);
    }

    /// <summary>"| Fox, Mary |" at the start of a table's cell: a surname before a given name a rule took.</summary>
    private void TrySurnameFirst27(int i)
    {
        var given = i + 2;
        if (!IsWord(given) || _run[given] == 0 || _kind[given] != PhiKind.Name || _t[given].Is(TokenShape.LineBefore) || !IsCapitalized(given)
            || !IsWrittenCapital13(i) || Has(i, Lex.Clinical | Lex.Title | Lex.NameLabel | Lex.Facility | Lex.Month | Lex.Weekday | Lex.State | Lex.IdentifierCue | Lex.Credential | Lex.Relation))
        {
            return;
        }

        // The name ends its cell or its line: "Hi, John, how are you" is a greeting.
        var end = given;
        while (InRange(end + 1) && _run[end + 1] == _run[given])
        {
            end++;
        }

        var next = end + 1;
        if (InRange(next) && !StartsLine(next) && !IsPunct(next, '|') && _t[next].Start - _t[end].End < 2)
        {
            return;
        }

        Mark(i, i, PhiKind.Name);
    }

    /// <summary>"CORP\jdoe", "lab-api\\svc_export": a domain's login, one backslash (or an escaped one) between its parts.</summary>
    private void TryDomainLogin27(int i)
    {
        var start = i;
        while (start > i - 6 && Joined(start) && IsPunct(start - 1, '-') && Joined(start - 1) && InRange(start - 2) && _t[start - 2].Type is TokenType.Word or TokenType.Alnum)
        {
            start -= 2;
        }

        // A path's part ("C:\Users") or a part after another backslash is not a domain; nor is a lower-case folder
        // ("reports\daily"): a domain is written in capitals ("CORP") or is a service's hyphenated name ("rx-sync-job").
        if ((Joined(start) && !IsPunct(start - 1, '"') && !IsPunct(start - 1, '\'')) || (start == i && !_t[i].Is(TokenShape.Upper)))
        {
            return;
        }

        var j = i + 2;
        if (IsPunct(j, '\\') && Joined(j))
        {
            j++;
        }

        if (!Joined(j) || !InRange(j) || _t[j].Type is not (TokenType.Word or TokenType.Alnum) || _t[j].Length < 2)
        {
            return;
        }

        var end = j;
        while (end < j + 8 && Joined(end + 1) && (IsPunct(end + 1, '.') || IsPunct(end + 1, '_') || IsPunct(end + 1, '-')) && Joined(end + 2)
            && InRange(end + 2) && _t[end + 2].Type is TokenType.Word or TokenType.Alnum or TokenType.Number)
        {
            end += 2;
        }

        // Not a further folder, nor the quoted local part of an e-mail address ("john\\doe"@example.com).
        if ((IsPunct(end + 1, '\\') && Joined(end + 1)) || (Joined(end + 1) && IsPunct(end + 1, '"') && IsPunct(end + 2, '@')))
        {
            return;
        }

        for (var k = start; k <= end; k++)
        {
            if (_run[k] != 0 && _kind[k] is not (PhiKind.Id or PhiKind.Name))
            {
                return;
            }
        }

        Mark(start, end, PhiKind.Id);
    }

    /// <summary>"printed by fdl.lis.print", "Scribe: scr.jdoe2": a dotted login after its cue, each part of two letters or more.</summary>
    private void TryDottedLogin27(int i)
    {
        var cue = i - 1;
        if (IsPunct(cue, ':'))
        {
            cue--;
        }

        if ((Joined(i) && !IsPunct(i - 1, ':')) || !IsWordOf(cue, LoginCues27) || !IsFree(i))
        {
            return;
        }

        var end = i;
        while (end < i + 8 && IsPunct(end + 1, '.') && Joined(end + 1) && Joined(end + 2) && InRange(end + 2)
            && _t[end + 2].Type is TokenType.Word or TokenType.Alnum && _t[end + 2].Length >= 2 && !_t[end + 2].Is(TokenShape.Upper) && !_t[end + 2].Is(TokenShape.Capitalized))
        {
            end += 2;
        }

        if (end == i || (Joined(end + 1) && (IsPunct(end + 1, '@') || IsPunct(end + 1, '/'))) || AnyMarked(i, end))
        {
            return;
        }

        Mark(i, end, PhiKind.Id);
    }

    /// <summary>"S/N 108842", "S/N: 1884-07": a serial after "S/N".</summary>
    private void TrySerialAfterSn27(int n)
    {
        if (!_t[n].Is(TokenShape.Upper) || !Joined(n) || !Joined(n - 1) || !WordIs(n - 2, "s") || !_t[n - 2].Is(TokenShape.Upper))
        {
            return;
        }

        var j = n + 1;
        if (IsPunct(j, ':') || IsPunct(j, '#'))
        {
            j++;
        }

        if (!InRange(j) || _t[j].Type is not (TokenType.Number or TokenType.Alnum) || _t[j].Is(TokenShape.LineBefore) || (_run[j] != 0 && _kind[j] is PhiKind.Device or PhiKind.Id))
        {
            return;
        }

        var end = j;
        while (end < j + 6 && IsPunct(end + 1, '-') && Joined(end + 1) && Joined(end + 2) && InRange(end + 2) && _t[end + 2].Type is TokenType.Number or TokenType.Alnum)
        {
            end += 2;
        }

        Mark(j, end, PhiKind.Device);
    }

    /// <summary>"Box 91, Nulato 99765", "8100 nw 12 ct, doral 33100": a town and its ZIP code after a street (or a box) and a comma.</summary>
    private void TryZipAfterStreet27(int zip)
    {
        if (Joined(zip) || (Joined(zip + 1) && !IsPunct(zip + 1)) || (IsPunct(zip + 1, '-') && IsNumber(zip + 2)) || _t[zip].Is(TokenShape.LineBefore))
        {
            return;
        }

        var last = zip - 1;
        if (IsWord(last) && _t[last].Is(TokenShape.Upper) && _t[last].Length == 2 && Has(last, Lex.State))
        {
            last--;
        }

        var first = last;
        while (first > last - 3 && IsWord(first) && !_t[first].Is(TokenShape.LineBefore) && IsTownWord27(first))
        {
            first--;
        }

        var comma = first;
        first++;
        if (first > last || !IsPunct(comma, ',') || _t[first].Is(TokenShape.LineBefore))
        {
            return;
        }

        var street = comma - 1;
        var box = IsNumber(street, 1, 5) && WordIs(street - 1, "box") && (_run[street] == 0 || _kind[street] == PhiKind.Address);
        if (!box && !(InRange(street) && _run[street] != 0 && _kind[street] == PhiKind.Address))
        {
            return;
        }

        if (box && _run[street] == 0)
        {
            Mark(street - 1, street, PhiKind.Address);
        }

        if (AnyFree25(first, last))
        {
            Mark(first, last, PhiKind.Location);
        }

        Mark(zip, zip, PhiKind.Zip);
    }

    private bool IsTownWord27(int k)
    {
        if (_run[k] != 0)
        {
            return _kind[k] == PhiKind.Location;
        }

        var lex = L(k);
        if ((lex & (Lex.Clinical | Lex.Title | Lex.Month | Lex.Weekday | Lex.MeasureUnit | Lex.IdentifierCue)) != 0)
        {
            return false;
        }

        return IsCapitalized(k) || (lex & Lex.Place) != 0 || (lex & Lex.Common) == 0;
    }

    /// <summary>
    /// "at the Lac du Bois Powwow": a yearly event's name holding a particle, after a word of time and "the"; "missed the Rice
    /// Celebration in August": an event's name after "the" that a date follows.
    /// </summary>
    private void TryEvent27(int end)
    {
        if (_t[end].Is(TokenShape.LineBefore))
        {
            return;
        }

        var start = end;
        var particles = 0;
        while (start > end - 5 && IsWord(start - 1) && !_t[start].Is(TokenShape.LineBefore))
        {
            var p = start - 1;
            if (IsWrittenCapital13(p) && (IsNameOrPlaceOrFree23(p) || (_run[end] != 0 && _run[p] == _run[end])) && !Has(p, Lex.Clinical | Lex.Facility | Lex.Title | Lex.Month | Lex.Weekday | Lex.State))
            {
                start--;
            }
            else if (_t[p].Is(TokenShape.Lower) && IsWordOf(p, EventParticles27) && IsWord(p - 1) && IsWrittenCapital13(p - 1))
            {
                start--;
                particles++;
            }
            else
            {
                break;
            }
        }

        // A particle does not open the name.
        while (start < end && !IsWrittenCapital13(start))
        {
            start++;
        }

        if (start == end || !WordIs(start - 1, "the") || !AnyFree25(start, end))
        {
            return;
        }

        var timed = IsWordOf(start - 2, FestivalCues20) || IsDatePreposition(start - 2);
        var dated = (WordIs(end + 1, "in") || WordIs(end + 1, "on")) && InRange(end + 2) && _run[end + 2] != 0 && _kind[end + 2] == PhiKind.Date;
        if (!(dated || (timed && particles > 0)))
        {
            return;
        }

        // "the Ute Mountain Fair grounds" is the fair; "the Feast Hall" is a place.
        if (IsWord(end + 1) && IsCapitalized(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore))
        {
            return;
        }

        Mark(start, end, PhiKind.Date);
    }

    /// <summary>"Co Rd K", "County Road JJ", "Co Rd 12": a county road's letters or number.</summary>
    private void TryCountyRoadLetter27(int road)
    {
        var county = road - 1;
        var code = road + 1;
        if (!(WordIs(county, "co") || WordIs(county, "county")) || !IsCapitalized(county) || !IsCapitalized(road) || !InRange(code) || Joined(code)
            || _t[code].Is(TokenShape.LineBefore) || !IsFree(code) || (AnyMarked(county, road) && !(_kind[county] == PhiKind.Address && _run[road] == _run[county])))
        {
            return;
        }

        var letters = IsWord(code) && _t[code].Is(TokenShape.Upper) && _t[code].Length <= 2;
        if (!letters && !IsNumber(code, 1, 4))
        {
            return;
        }

        if (Joined(code + 1) && !IsPunct(code + 1))
        {
            return;
        }

        Mark(county, code, PhiKind.Address);
    }

    /// <summary>"Mile 7 Rd", "Mile Marker 70, US 41": a mile road and a mile marker, with the highway after it.</summary>
    private void TryMileRoad27(int mile)
    {
        if (!IsWrittenCapital13(mile) || _run[mile] != 0)
        {
            return;
        }

        if (IsNumber(mile + 1, 1, 3) && IsWord(mile + 2) && IsCapitalized(mile + 2) && (WordIs(mile + 2, "rd") || WordIs(mile + 2, "road") || WordIs(mile + 2, "line"))
            && !Joined(mile + 1) && IsFree(mile + 1))
        {
            Mark(mile, mile + 2, PhiKind.Address);
            return;
        }

        var marker = mile + 1;
        var number = mile + 2;
        if (!WordIs(marker, "marker") || !IsCapitalized(marker) || !IsNumber(number, 1, 4) || Joined(number) || (Joined(number + 1) && !IsPunct(number + 1)))
        {
            return;
        }

        var end = number;
        if (IsPunct(end + 1, ',') && IsWordOf(end + 2, Highways27) && _t[end + 2].Is(TokenShape.Upper | TokenShape.Capitalized) && IsNumber(end + 3, 1, 3)
            && !_t[end + 2].Is(TokenShape.LineBefore))
        {
            end += 3;
        }

        Mark(mile, end, PhiKind.Address);
    }

    /// <summary>"8233 nw 107 ct", "E 870 Rd": a grid street's compass word, number and suffix, with or without a house number.</summary>
    private void TryGridStreet27(int i)
    {
        // "E 870 Rd": the compass word before the number and no house number.
        if (IsWord(i - 1) && _t[i - 1].Is(TokenShape.Upper) && _t[i - 1].Length <= 2 && Compass27.Contains(Span(i - 1)) && !Joined(i) && IsFree(i - 1)
            && IsGridSuffix27(i + 1) && IsCapitalized(i + 1) && !IsNumber(i - 2))
        {
            Mark(i - 1, i + 1, PhiKind.Address);
            return;
        }

        var compass = i + 1;
        var number = i + 2;
        if (_t[i].Length < 2 || !InRange(number) || _t[number].Type is not (TokenType.Number or TokenType.Alnum) || !Compass27.Contains(Span(compass)) || Joined(compass) || _t[compass].Is(TokenShape.LineBefore) || !IsFree(compass)
            || !InRange(number) || Joined(number) || !(IsNumber(number, 1, 3) || (_t[number].Type == TokenType.Alnum && IsOrdinal26(number)))
            || !IsGridSuffix27(number + 1))
        {
            return;
        }

        Mark(i, number + 1, PhiKind.Address);
    }

    private bool IsGridSuffix27(int k) =>
        IsWord(k) && !Joined(k) && !_t[k].Is(TokenShape.LineBefore) && GridSuffixes27.Contains(Span(k)) && (!Joined(k + 1) || IsPunct(k + 1));
}
