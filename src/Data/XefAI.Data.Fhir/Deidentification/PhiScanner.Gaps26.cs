namespace XefAI.Data.Deidentification;

/// <content>
/// Round 26: a year and month written "2023-08" whose month cannot end a range of years; a yearly event named by one to
/// three capitalised words and its last word after a word of time and "the" ("at the Tanana Valley Fair", not "at the
/// Health Fair"), and a possessive day ("Pioneer's Day"); a holiday named by a word and a weekday ("Ash Wednesday",
/// "Good Friday"); an ambulance, van or bus unit's code ("unit MCA-4", "van TR-2", "Bus: #7") and an aircraft's tail
/// number after a flight word ("Life Flight N123AB"); an apartment's number after a street ("Elm Ave #4"), a numbered
/// street's ordinal, suffix and quadrant ("52nd Ave NW"), a road's number after its name ("Tribal Rd 12,"), a house
/// number, a compass letter and a street without its suffix before a comma ("18 N Main,"), a rural box after a label
/// and before a town ("Mailing: Box 12, Eagle Butte"); the rest of a compound surname after a word that starts such
/// names ("Many Horses", "Two Bulls"); a county in a FHIR address's "district"; an age from 90 after a label with
/// "age" in it ("Age at death: 95") or after "I am" at the end of a phrase ("I am 92."); the Islamic feasts written in
/// any case ("eid al adha", "arafat day"); and a second day after "and" in a date ("May 3 and 5, 2026"). A holiday's
/// weekend ("Labor Day weekend") and the weekday after a holiday's name ("Easter Sunday") are left: the corpora
/// disagree on them.
/// </content>
internal sealed partial class Scan
{
    // Words that name a holiday with the weekday after them.
    private static readonly WordSet WeekdayHolidays26 = new("ash", "easter", "good", "palm", "holy", "maundy", "shrove", "black", "cyber", "whit", "spy");

    // Words that bring a unit's code after "unit": an ambulance's, a fire or rescue service's, a transit van's.
    private static readonly WordSet UnitCues26 = new("ambulance", "ems", "medic", "medics", "rescue", "fire", "transport", "transit", "paramedic", "paramedics");

    // The kind of a service's vehicle named between its agency and its number ("JCEMS Medic 2", "Engine 5").
    private static readonly WordSet UnitKinds26 = new("medic", "engine", "rescue", "ambulance", "truck", "squad", "ladder", "rig");

    // Words before an aircraft's tail number ("Life Flight N123AB", "rotor-wing N44MD").
    private static readonly WordSet FlightCues26 = new("flight", "air", "medevac", "aircraft", "helicopter", "helo", "tail", "rotor", "wing", "airlift", "plane", "jet", "airplane");

    // Words that begin a compound surname of two words, written with a capital each ("Many Horses", "Iron Cloud").
    private static readonly WordSet CompoundStarts26 = new(
        "many", "two", "three", "four", "red", "thunder", "little", "iron", "black", "white", "running", "standing", "spotted", "walking",
        "yellow", "crazy", "lone", "kills", "chasing", "looking", "brings", "afraid", "bad", "good", "young", "old", "high", "charging", "swift", "tall", "plenty");

    // The suffixes that may follow a numbered street's ordinal ("76th St", "52nd Ave").
    private static readonly WordSet OrdinalStreetSuffixes26 = new("st", "street", "ave", "avenue", "rd", "road", "dr", "drive", "ln", "lane", "ct", "court", "pl", "place", "way", "blvd", "ter", "terrace", "cir", "circle");

    // Roads that take a number after their name ("County Rd 4", "Tribal Rd 40").
    private static readonly WordSet NumberedRoadEnds26 = new("rd", "road", "route", "rte", "hwy", "highway");

    /// <summary>Round 26's pass: walks of the numbers, the lettered tokens and the capitalised words, each rule behind a cheap test of shape.</summary>
    private void MarkGaps26()
    {
        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            if (_run[i] != 0)
            {
                continue;
            }

            var length = _t[i].Length;
            if (length == 4 && IsPunct(i + 1, '-'))
            {
                TryYearMonth26(i);
            }
            else if (length <= 5 && IsWord(i + 1) && _t[i + 1].Length == 1)
            {
                TryCompassMainStreet26(i);
            }
            else if (length is 2 or 3 && i > 1 && Value(i) is >= 90 and <= 125)
            {
                TryOldAge26(i);
            }
        }

        for (var w = 0; w < _letteredCount; w++)
        {
            var i = _lettered[w];
            var t = _t[i];
            if (t.Type == TokenType.Alnum)
            {
                if (_run[i] == 0 && t.Length is >= 4 and <= 7 && _text[t.Start] == 'N')
                {
                    TryTailNumber26(i);
                }
                else if (t.Length is >= 3 and <= 5 && IsWord(i + 1))
                {
                    TryOrdinalStreet26(i);
                }

                continue;
            }

            var first = (char)(_text[t.Start] | 0x20);
            if (t.Length is 3 or 4 && first is 'u' or 'v' or 'b' && (WordIs(i, "unit") || WordIs(i, "van") || WordIs(i, "bus")))
            {
                TryUnitCode26(i);
            }
            else if (t.Length == 8 && first == 'd' && WordIs(i, "district"))
            {
                TryFhirDistrict26(i);
            }
            else if (_run[i] == 0 && ((t.Length == 3 && first == 'e' && WordIs(i, "eid")) || (t.Length == 6 && first == 'a' && WordIs(i, "arafat"))))
            {
                TryIslamicFeast26(i);
            }
            else if (t.Length == 3 && first == 'a' && _run[i] == 0 && WordIs(i, "and") && IsNumber(i - 1, 1, 2) && _run[i - 1] != 0)
            {
                TrySecondDay26(i);
            }
        }

        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            var length = _t[i].Length;
            if (length >= 3 && length <= 9 && IsWrittenCapital13(i) && Has(i, Lex.Weekday))
            {
                TryWeekdayHoliday26(i);
            }

            if (length is >= 3 and <= 11 && IsWordOf(i, EventEnds23))
            {
                TryEventAfterThe26(i);
            }
            else if (length == 3 && WordIs(i, "day"))
            {
                TryPossessiveDay26(i);
            }
            else if (length == 3 && WordIs(i, "box"))
            {
                TryRuralBox26(i);
            }

            if (_run[i] != 0 && _kind[i] is PhiKind.Name && length is >= 3 and <= 8 && CompoundStarts26.Contains(Span(i)))
            {
                TryCompoundSurname26(i);
            }

            if (_run[i] != 0 && _kind[i] is PhiKind.Address && Has(i, Lex.StreetSuffix))
            {
                TryStreetTail26(i);
            }
            else if (_run[i] == 0 && length is >= 2 and <= 9 && Has(i, Lex.StreetSuffix) && NamedRoadSuffixes25.Contains(Span(i)))
            {
                TryStreetRest26(i);
            }
        }
    }

    /// <summary>"2023-08", "exam 2019-06": a year and a month no range of years can be, since the month is not after the year's last two digits.</summary>
    private void TryYearMonth26(int i)
    {

        var month = i + 2;
        var year = Value(i);
        if (year is < 1900 or > 2099 || !Joined(i + 1) || !IsNumber(month, 2, 2) || !Joined(month) || !IsFree(month))
        {
            return;
        }

        var m = Value(month);
        if (m is < 1 or > 12 || m > year % 100)
        {
            return;
        }

        // Not inside a longer date, a version or a code: nothing joined before, no separator and digit joined after.
        if (i > 0 && Joined(i) && !(IsPunct(i - 1, '"') || IsPunct(i - 1, '(') || IsPunct(i - 1, ',') || IsPunct(i - 1, '[') || IsPunct(i - 1, '>')))
        {
            return;
        }

        var after = month + 1;
        if (Joined(after) && (IsPunct(after, '-') || IsPunct(after, '/') || IsPunct(after, '.') || IsPunct(after, ':')) && InRange(after + 1) && Joined(after + 1)
            && _t[after + 1].Type is TokenType.Number or TokenType.Alnum)
        {
            return;
        }

        if (Joined(after) && !IsPunct(after))
        {
            return;
        }

        Mark(i, month, PhiKind.Date);
    }

    /// <summary>"at the Tanana Valley Fair", "after the Pine Cone Festival": one to three capitalised words and a yearly event's last word after a word of time and "the".</summary>
    private void TryEventAfterThe26(int end)
    {

        if (!IsWrittenCapital13(end) || !IsNameOrPlaceOrFree23(end) || _t[end].Is(TokenShape.LineBefore))
        {
            return;
        }

        var start = end;
        while (start > end - 3 && IsWord(start - 1) && IsWrittenCapital13(start - 1) && IsNameOrPlaceOrFree23(start - 1) && !_t[start].Is(TokenShape.LineBefore)
            && !Has(start - 1, Lex.Clinical | Lex.Facility | Lex.Title | Lex.Month | Lex.Weekday | Lex.State))
        {
            start--;
        }

        // "the Fourth of July Rodeo": the event's last word after a holiday a rule took.
        if (start == end && _run[end] == 0 && InRange(end - 1) && _run[end - 1] != 0 && _kind[end - 1] == PhiKind.Date && IsWord(end - 1))
        {

            Extend26(end, end, end - 1);
            return;
        }

        // As round 22's festivals: a word of time before "the" ("at", "after", "during"…), so "the Wellness Festival flyer"
        // stays a kind of event.
        var before = WordBefore(start - 1, 1);
        if (before < 0 || !(IsWordOf(before, FestivalCues20) || IsDatePreposition(before)))
        {
            return;
        }

        // "the Health Fair", "the County Fair": one ordinary word names a kind of event, not one held on its day.
        if (start == end - 1 && _run[start] == 0 && (L(start) & Lex.Common) != 0 && (L(start) & (Lex.Name | Lex.Place)) == 0)
        {
            return;
        }


        if (start == end || !WordIs(start - 1, "the") || _t[start].Is(TokenShape.LineBefore) || !AnyFree25(start, end))
        {
            return;
        }

        // "the County Fair grounds" is still the fair; "the Fair Haven" or "the Feast Hall" is a place.
        if (IsWord(end + 1) && IsCapitalized(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore))
        {
            return;
        }

        Mark(start, end, PhiKind.Date);
    }

    /// <summary>"at Founder's Day (May 3)": a capitalised word's possessive and "Day", not a service's name after it ("Day Surgery").</summary>
    private void TryPossessiveDay26(int day)
    {

        var s = day - 1;
        var word = day - 3;
        if (!IsWrittenCapital13(day) || !WordIs(s, "s") || !IsPunct(day - 2, '\'') || !Joined(s) || !Joined(day - 2) || !IsWord(word)
            || !IsWrittenCapital13(word) || !IsNameOrPlaceOrFree23(word) || !IsFree(day) || _t[word].Length < 4
            || Has(word, Lex.Clinical | Lex.Facility | Lex.Title | Lex.Month | Lex.Weekday))
        {
            return;
        }

        if (IsWord(day + 1) && !_t[day + 1].Is(TokenShape.LineBefore) && (IsCapitalized(day + 1) || DayServiceWords23.Contains(Span(day + 1))))
        {
            return;
        }

        // A saint's day is another rule's; "St. Luke's Day" stays with it.
        var before = word - 1;
        if (IsPunct(before, '.') && (WordIs(before - 1, "st") || WordIs(before - 1, "saint")))
        {
            return;
        }

        Mark(word, day, PhiKind.Date);
    }

    /// <summary>"Ash Wednesday", "Good Friday", "Easter Monday": a holiday named by a word and its weekday.</summary>
    private void TryWeekdayHoliday26(int day)
    {

        var w = day - 1;
        if (!IsWord(w) || !IsWrittenCapital13(w) || _t[day].Is(TokenShape.LineBefore) || !WeekdayHolidays26.Contains(Span(w)))
        {
            return;
        }

        // "Easter" a rule took alone stays so: the corpora disagree on the weekday after a holiday's name.
        if (_run[w] != 0 || !IsFree(day))
        {
            return;
        }

        Mark(w, day, PhiKind.Date);
    }

    /// <summary>
    /// "Ambulance unit MCA-4", "van TR-2", "Bus: #7", "unit KCEMS Medic 3": a service vehicle's code after "unit" (with
    /// an ambulance, fire or transit word before it), "van" or "bus".
    /// </summary>
    private void TryUnitCode26(int i)
    {

        var bus = WordIs(i, "bus");
        var unit = WordIs(i, "unit");
        var k = i + 1;
        if (IsPunct(k, ':'))
        {
            k++;
        }

        var hash = IsPunct(k, '#');
        if (hash)
        {
            k++;
        }

        if (!InRange(k) || !IsFree(k) || _t[k].Is(TokenShape.LineBefore))
        {
            return;
        }

        if (bus)
        {
            if (IsNumber(k, 1, 4) && (hash || IsPunct(i + 1, ':')) && !(IsWord(k + 1) && Joined(k + 1)))
            {
                Mark(hash ? k - 1 : k, k, PhiKind.Vehicle);
            }

            return;
        }

        if (unit && !HasUnitCue26(i))
        {
            return;
        }

        // "KCEMS Medic 3": an agency in capitals, the vehicle's kind and its number.
        if (unit && IsWord(k) && _t[k].Is(TokenShape.Upper) && _t[k].Length is >= 2 and <= 8 && IsWordOf(k + 1, UnitKinds26) && IsNumber(k + 2, 1, 3)
            && !_t[k + 2].Is(TokenShape.LineBefore))
        {
            Mark(k, k + 2, PhiKind.Vehicle);
            return;
        }

        // "MCA-4", "TR-12B": two to six capitals, a hyphen and a number.
        if (IsWord(k) && _t[k].Is(TokenShape.Upper) && _t[k].Length is >= 2 and <= 6 && IsPunct(k + 1, '-') && Joined(k + 1) && Joined(k + 2)
            && InRange(k + 2) && _t[k + 2].Type is TokenType.Number or TokenType.Alnum && _t[k + 2].Length <= 4 && EndsCode26(k + 3))
        {
            Mark(k, k + 2, PhiKind.Vehicle);
        }
    }

    private bool HasUnitCue26(int i)
    {
        for (var k = i - 1; k >= 0 && k >= i - 6; k--)
        {
            if (IsWord(k) && UnitCues26.Contains(Span(k)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"Life Flight N208QX", "rotor-wing N44MD": a US aircraft registration (N, a digit other than 0, up to five characters) after a flight word.</summary>
    private void TryTailNumber26(int i)
    {

        var span = Span(i);
        if (span[1] is < '1' or > '9')
        {
            return;
        }

        var k = 2;
        while (k < span.Length && char.IsAsciiDigit(span[k]))
        {
            k++;
        }

        var letters = span.Length - k;
        if (letters > 2 || (letters == 0 && span.Length < 5))
        {
            return;
        }

        for (var j = k; j < span.Length; j++)
        {
            if (!char.IsAsciiLetterUpper(span[j]))
            {
                return;
            }
        }

        if ((Joined(i) && !IsPunct(i - 1, '(')) || (Joined(i + 1) && !IsPunct(i + 1)))
        {
            return;
        }

        for (var p = i - 1; p >= 0 && p >= i - 6; p--)
        {
            if (IsWord(p) && FlightCues26.Contains(Span(p)))
            {
                Mark(i, i, PhiKind.Vehicle);
                return;
            }
        }
    }

    /// <summary>"76th St SE", "52nd Ave NW": a numbered street's ordinal, its suffix and a quadrant after it, with or without a house number.</summary>
    private void TryOrdinalStreet26(int i)
    {

        var suffix = i + 1;
        if (!IsOrdinal26(i) || !IsWord(suffix) || (!IsWrittenCapital13(suffix) && !_t[suffix].Is(TokenShape.Upper)) || _t[suffix].Is(TokenShape.LineBefore)
            || !OrdinalStreetSuffixes26.Contains(Span(suffix)) || (_run[suffix] != 0 && _run[suffix] != _run[i]))
        {
            return;
        }

        var quadrant = suffix + 1;
        if (IsPunct(quadrant, '.') && Joined(quadrant))
        {
            quadrant++;
        }

        if (!IsWord(quadrant) || !_t[quadrant].Is(TokenShape.Upper) || _t[quadrant].Length != 2 || !Has(quadrant, Lex.Direction) || _t[quadrant].Is(TokenShape.LineBefore)
            || !IsFree(quadrant))
        {
            return;
        }

        // A rule took the street already ("88th Ave"): its quadrant joins it.
        if (_run[i] != 0)
        {
            if (_kind[i] == PhiKind.Address && _run[suffix] == _run[i])
            {
                Extend26(suffix + 1, quadrant, i);
            }

            return;
        }

        var start = IsNumber(i - 1, 1, 6) && !_t[i].Is(TokenShape.LineBefore) && IsFree(i - 1) ? i - 1 : i;
        Mark(start, quadrant, PhiKind.Address);
    }

    /// <summary>"304 S Main, Wagner", "12 E Broadway\n": a house number, a compass letter and one capitalised word before a comma or the line's end.</summary>
    private void TryCompassMainStreet26(int i)
    {

        var compass = i + 1;
        var street = compass + 1;
        if (Joined(compass) || !_t[compass].Is(TokenShape.Upper) || (_text[_t[compass].Start] is not ('N' or 'S' or 'E' or 'W')) || _t[compass].Is(TokenShape.LineBefore)
            || !IsWord(street) || !IsWrittenCapital13(street) || _t[street].Length < 4 || _t[street].Is(TokenShape.LineBefore) || !IsFree(street) || !IsFree(compass))
        {
            return;
        }

        if (Has(street, Lex.Clinical | Lex.MeasureUnit | Lex.Month | Lex.Weekday | Lex.Title | Lex.Facility | Lex.State))
        {
            return;
        }

        var after = street + 1;
        if (!(IsPunct(after, ',') || (IsPunct(after, '"') && Joined(after)) || !InRange(after) || _t[after].Is(TokenShape.LineBefore)))
        {
            return;
        }

        Mark(i, street, PhiKind.Address);
    }

    /// <summary>"Box 61, Marty, SD", "Address: Box 7": a rural box's number before a town and a comma, or after a label.</summary>
    private void TryRuralBox26(int box)
    {

        var number = box + 1;
        if (!IsFree(box) || !IsNumber(number, 1, 5) || Joined(number) || _t[number].Is(TokenShape.LineBefore) || !IsFree(number))
        {
            return;
        }

        var labelled = IsPunct(box - 1, ':') && IsWord(box - 2);
        var town = IsPunct(number + 1, ',') && IsWord(number + 2) && IsCapitalized(number + 2) && !Has(number + 2, Lex.Clinical | Lex.Title | Lex.Month | Lex.Weekday);
        if (labelled && town)
        {
            Mark(box, number, PhiKind.Address);
        }
    }

    /// <summary>"Lorraine Many Horses", "Red Boy": the second word of a compound surname after a word a name rule took that begins such names.</summary>
    private void TryCompoundSurname26(int i)
    {

        var next = i + 1;
        if (!IsWord(next) || !IsWrittenCapital13(next) || !IsWrittenCapital13(i) || !IsFree(next) || _t[next].Is(TokenShape.LineBefore) || _t[next].Length < 3
            || Has(next, Lex.Clinical | Lex.Facility | Lex.Title | Lex.Credential | Lex.Month | Lex.Weekday | Lex.State | Lex.StreetSuffix | Lex.EponymNoun | Lex.MeasureUnit))
        {
            return;
        }

        _kind[next] = PhiKind.Name;
        _run[next] = _run[i];
    }

    /// <summary>
    /// "Elm Ave #4", "Tribal Rd 40,", "Red Cap Rd": after a street a rule took, an apartment's number, a road's number
    /// before a comma, or the words of the street up to its suffix.
    /// </summary>
    private void TryStreetTail26(int i)
    {

        var run = _run[i];
        if (InRange(i + 1) && _run[i + 1] == run)
        {
            return;
        }

        var k = i + 1;
        if (IsPunct(k, '#') && IsNumber(k + 1, 1, 5) && Joined(k + 1) && !_t[k].Is(TokenShape.LineBefore) && IsFree(k + 1) && EndsCode26(k + 2))
        {
            Extend26(k, k + 1, i);
            return;
        }

        if (IsNumber(k, 1, 4) && IsFree(k) && !_t[k].Is(TokenShape.LineBefore) && NumberedRoadEnds26.Contains(Span(i)) && IsPunct(k + 1, ',') && Joined(k + 1))
        {
            Extend26(k, k, i);
        }
    }

    /// <summary>"64 Red Cap Rd": a road's suffix and the one or two capitalised words before it, after the start of a street a rule took.</summary>
    private void TryStreetRest26(int suffix)
    {
        if (_t[suffix].Is(TokenShape.LineBefore) || (IsWord(suffix + 1) && IsCapitalized(suffix + 1) && !_t[suffix + 1].Is(TokenShape.LineBefore)))
        {
            return;
        }

        var k = suffix - 1;
        while (k >= suffix - 2 && IsWord(k) && IsFree(k) && IsWrittenCapital13(k) && !_t[k + 1].Is(TokenShape.LineBefore)
            && !Has(k, Lex.Title | Lex.Credential | Lex.Month | Lex.Weekday | Lex.Facility | Lex.NameLabel))
        {
            k--;
        }

        if (k == suffix - 1 || !InRange(k) || _run[k] == 0 || _kind[k] != PhiKind.Address || _t[k + 1].Is(TokenShape.LineBefore))
        {
            return;
        }

        Extend26(k + 1, suffix, k);
    }

    /// <summary>
    /// "Age at death: 95", "Age (yrs): 91", "I am 92.", "she is 97," : a number from 90 after a label with "age" in it, or
    /// after "I am" or a person's "is" at the end of a phrase.
    /// </summary>
    private void TryOldAge26(int i)
    {
        var after = i + 1;
        if (Joined(after) && !(IsPunct(after, '.') || IsPunct(after, ',') || IsPunct(after, ';') || IsPunct(after, '!')))
        {
            return;
        }

        if (IsPunct(i - 1, ':'))
        {
            for (var k = i - 2; k >= 0 && k >= i - 5 && !_t[k + 1].Is(TokenShape.LineBefore); k--)
            {
                if (WordIs(k, "age"))
                {
                    Mark(i, i, PhiKind.Age);
                    return;
                }
            }

            return;
        }

        var verb = i - 1;
        var person = i - 2;
        var ends = !InRange(after) || _t[after].Is(TokenShape.LineBefore)
            || ((IsPunct(after, '.') || IsPunct(after, ',') || IsPunct(after, ';') || IsPunct(after, '!')) && !IsNumber(after + 1));
        if (!ends || _t[i].Is(TokenShape.LineBefore) || _t[verb].Is(TokenShape.LineBefore))
        {
            return;
        }

        if ((WordIs(verb, "am") && WordIs(person, "i")) || (WordIs(verb, "is") && (WordIs(person, "she") || WordIs(person, "he") || Has(person, Lex.Relation))))
        {
            Mark(i, i, PhiKind.Age);
        }
    }

    /// <summary>"eid al adha", "Eid ul-Fitr", "eid", "arafat day", "the Day of Arafat": the feasts of the Islamic year, written in any case.</summary>
    private void TryIslamicFeast26(int i)
    {
        if (WordIs(i, "arafat"))
        {
            if (WordIs(i + 1, "day") && !_t[i + 1].Is(TokenShape.LineBefore))
            {
                Mark(i, i + 1, PhiKind.Date);
            }
            else if (WordIs(i - 1, "of") && WordIs(i - 2, "day") && IsFree(i - 2))
            {
                Mark(i - 2, i, PhiKind.Date);
            }

            return;
        }

        var k = i + 1;
        var end = i;
        if ((WordIs(k, "al") || WordIs(k, "ul") || WordIs(k, "el")) && !_t[k].Is(TokenShape.LineBefore))
        {
            var name = IsPunct(k + 1, '-') && Joined(k + 1) ? k + 2 : k + 1;
            if (WordIs(name, "adha") || WordIs(name, "fitr") || WordIs(name, "azha") || WordIs(name, "kabir") || WordIs(name, "saghir"))
            {
                end = name;
            }
        }
        else if (IsPunct(k, '-') && Joined(k) && (WordIs(k + 1, "ul") || WordIs(k + 1, "al")) && IsPunct(k + 2, '-'))
        {
            var name = k + 3;
            if (WordIs(name, "adha") || WordIs(name, "fitr") || WordIs(name, "azha"))
            {
                end = name;
            }
        }

        // "eid" alone in lower case is left: it may be a typing slip; "Eid" alone is the feast.
        if (AnyMarked(i, end) || (end == i && !IsWrittenCapital13(i)))
        {
            return;
        }

        Mark(i, end, PhiKind.Date);
    }

    /// <summary>"August 19 and 21, 2026": a second day after "and" joins the date a rule took, with the year after it.</summary>
    private void TrySecondDay26(int and)
    {
        var day = and + 1;
        if (!IsNumber(day, 1, 2) || !IsFree(day) || Value(day) is < 1 or > 31 || _t[day].Is(TokenShape.LineBefore) || _kind[and - 1] != PhiKind.Date)
        {
            return;
        }

        // The day ends the phrase or a year follows it: not "May 4 and 12 patients".
        var next = day + 1;
        if (InRange(next) && !_t[next].Is(TokenShape.LineBefore) && !IsPunct(next, ',') && !IsPunct(next, '.') && !IsPunct(next, ';') && !IsPunct(next, ')')
            && !(IsNumber(next, 4, 4) && !Joined(next)))
        {
            return;
        }

        // The month before the first day: "August 19".
        var run = _run[and - 1];
        var start = and - 1;
        while (start > 0 && _run[start - 1] == run)
        {
            start--;
        }

        if (!IsWord(start) || !Has(start, Lex.Month))
        {
            return;
        }

        var end = day;
        if (IsPunct(day + 1, ',') && IsNumber(day + 2, 4, 4) && Value(day + 2) is >= 1900 and <= 2099 && IsFree(day + 2) && !_t[day + 2].Is(TokenShape.LineBefore))
        {
            end = day + 2;
        }
        else if (IsNumber(day + 1, 4, 4) && Value(day + 1) is >= 1900 and <= 2099 && IsFree(day + 1))
        {
            end = day + 1;
        }

        Extend26(and, end, and - 1);
    }

    /// <summary>"15890 Main Rd ... "district": "Apache"": the county of a FHIR address, the JSON value after the key "district".</summary>
    private void TryFhirDistrict26(int i)
    {

        if (!IsPunct(i - 1, '"') || !IsPunct(i + 1, '"') || !IsPunct(i + 2, ':') || !IsPunct(i + 3, '"'))
        {
            return;
        }

        var first = i + 4;
        var last = first;
        while (IsWord(last + 1) && !IsPunct(last + 1, '"') && last < first + 3)
        {
            last++;
        }

        if (!IsWord(first) || !IsPunct(last + 1, '"') || !IsCapitalized(first) || AnyMarked(first, last))
        {
            return;
        }

        Mark(first, last, PhiKind.Location);
    }

    /// <summary>"7th", "76th", "151st": one to three digits and an ordinal's letters.</summary>
    private bool IsOrdinal26(int i)
    {
        var span = Span(i);
        var digits = span.Length - 2;
        if (digits is < 1 or > 3 || !char.IsAsciiDigit(span[0]) || span[..digits].ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        var suffix = span[digits..];
        return suffix.Equals("st", StringComparison.OrdinalIgnoreCase) || suffix.Equals("nd", StringComparison.OrdinalIgnoreCase)
            || suffix.Equals("rd", StringComparison.OrdinalIgnoreCase) || suffix.Equals("th", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Nothing joined at <paramref name="i"/>, or a phrase's closing punctuation (", ; . )") not followed by more of a code.</summary>
    private bool EndsCode26(int i) =>
        !Joined(i) || ((IsPunct(i, ',') || IsPunct(i, ';') || IsPunct(i, '.') || IsPunct(i, ')')) && !(Joined(i + 1) && !IsPunct(i + 1)));

    private void Extend26(int from, int to, int of)
    {
        for (var k = from; k <= to; k++)
        {
            _kind[k] = _kind[of];
            _run[k] = _run[of];
        }
    }
}
