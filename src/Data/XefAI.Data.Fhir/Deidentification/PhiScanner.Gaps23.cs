namespace XefAI.Data.Deidentification;

/// <summary>
/// Round 23: shapes the earlier rounds leave. A town of one or two words before a state's postal code after a comma
/// ("…Hospital, Cavalier ND") or before a state's name ("Clinic - Lincoln, Nebraska"); a ZIP code on the line after its
/// state or after a town a later rule took; a county after the word "county" ("county Swain") or before "CO" after an
/// address; an aircraft's registration after "aircraft" or "tail" and a plate before its state in brackets; a saint's
/// day ("St. John's Day") and a feast ("Feast of San Esteban", "Feast Day"); and "Patient Brown called", a surname that
/// is also a word, right after "Patient", "Pt" or a title at the start of a sentence.
/// </summary>
internal sealed partial class Scan
{
    // Postal codes that are also credentials, clinical abbreviations or ordinary words in capitals: no town is read before them.
    private static readonly WordSet AmbiguousStateCodes23 = new(
        [
            "md", "do", "pa", "or", "in", "me", "ok", "hi", "de", "la", "ct", "ms", "ma", "co", "id", "ne", "al", "oh", "mt", "ga", "ca",
            "mi", "ia", "ar", "sc", "sd", "dc", "vt", "pr", "gu",
        ]);

    // Words before a town and the name of its state.
    private static readonly WordSet TownStateCues23 = new(["in", "from", "near", "to", "at", "of"]);

    // "Patient Education was given": words that follow "Patient" as a heading, not a surname.
    private static readonly WordSet PatientCompounds23 = new(
    [
        "education", "care", "portal", "information", "instructions", "safety", "name", "status", "identification", "transport",
        "advocate", "services", "experience", "satisfaction", "navigator", "family", "history", "account", "access", "relations",
        "representative", "consent", "rights", "belongings", "teaching", "position", "weight", "height", "goals", "preference",
    ]);

    // A home's unit after its street ("14 Canal, Apt 3"), not a ward's ("5 West, Rm 512").
    private static readonly WordSet HomeUnits23 = new(["apt", "apartment", "ste", "suite", "lot", "trlr", "trailer", "spc", "space"]);

    // Kinship words the relations list lacks, used before a name ("Aunty Moana", "Nana Rose").
    private static readonly string[] KinWords23 = ["aunty", "auntie", "granny", "gran", "nana", "papa", "mama", "grammy", "gramps", "tutu", "kuya", "ate"];

    // The last word of a yearly event's name ("Crow Fair", "Pioneer Days", "Gwich'in Gathering").
    private static readonly WordSet EventEnds23 = new(
        ["fair", "days", "gathering", "festival", "fest", "powwow", "rodeo", "celebration", "homecoming", "feast", "reunion", "jubilee"]);

    // Words after "St. X's Day" that make it a place or a service ("St. Luke's Day Surgery").
    private static readonly WordSet DayServiceWords23 = new(["surgery", "unit", "care", "program", "programme", "center", "centre", "hospital", "clinic", "school", "treatment", "hospice"]);

    /// <summary>Round 23's pass: walks of the capitalised words, the numbers and the words, each rule behind a cheap test of length and first letter.</summary>
    private void MarkGaps23()
    {
        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            var length = _t[i].Length;
            var first = (char)(_text[_t[i].Start] | 0x20);
            if (length == 2 && _t[i].Is(TokenShape.Upper))
            {
                if (first == 'c' && WordIs(i, "co"))
                {
                    TryCountyBeforeCo23(i);
                }
                else if (_run[i] == 0 && Has(i, Lex.Credential))
                {
                    TryInitialSurnameBeforeCredential23(i);
                }
                else
                {
                    TryTownBeforeStateCode23(i);
                }
            }
            else if (length >= 4 && Has(i, Lex.State) && IsPunct(i - 1, ',') && !_t[i].Is(TokenShape.Upper))
            {
                TryTownBeforeStateName23(i);
            }
            else if (first == 'f' && length == 5 && WordIs(i, "feast"))
            {
                TryFeast23(i);
            }
            else if (IsPunct(i + 1, '(') && length >= 3 && IsWrittenCapital13(i)
                && (_run[i] == 0 || (_kind[i] == PhiKind.Name && (WordIs(i - 1, "la") || WordIs(i - 1, "el")))))
            {
                _ = TryDayBeforeBracketedDate23(i, i + 1) || (_run[i] == 0 && TryNameBeforeBracket23(i));
            }
            else if (length == 3 && IsWord(i + 1) && _t[i + 1].Is(TokenShape.Lower) && IsPunct(i + 2, '(') && (WordIs(i, "day") || WordIs(i, "eve")))
            {
                // "Rizal Day program (Dec 30)".
                TryDayBeforeBracketedDate23(i, i + 2);
            }
            else if (length <= 5 && _t[i].Is(TokenShape.Upper) && _run[i] == 0 && Has(i, Lex.Credential) && !IsPunct(i - 1, '('))
            {
                TryInitialSurnameBeforeCredential23(i);
            }
            else if (length >= 4 && _run[i] == 0 && IsPunct(i + 1, ':') && Joined(i + 1) && IsWrittenCapital13(i) && StartsLine(i))
            {
                TrySpeakerSurname23(i);
            }
            else if ((IsPunct(i - 1, '"') || IsPunct(i - 1, '“')) && IsWord(i + 1) && (IsPunct(i + 2, '"') || IsPunct(i + 2, '”')) && IsWrittenCapital13(i)
                && IsWrittenCapital13(i + 1))
            {
                TryQuotedNickname23(i);
            }
            else if ((first is 'p' or 'm') && length <= 7 && StartsSentence(i)
                && (WordIs(i, "patient") || WordIs(i, "pt") || WordIs(i, "mr") || WordIs(i, "mrs") || WordIs(i, "ms")))
            {
                TryPatientSurname23(i);
            }
        }

        // One walk over the words and the tokens of letters and digits.
        for (var w = 0; w < _letteredCount; w++)
        {
            var i = _lettered[w];
            var length = _t[i].Length;
            if ((_lex[i] & Lex.IdentifierCue) != 0)
            {
                if (InRange(i + 1) && _run[i + 1] == 0)
                {
                    TryCodeAfterCue23(i);
                }

                continue;
            }

            if (_t[i].Type == TokenType.Alnum)
            {
                if (length is >= 5 and <= 8 && _run[i] == 0 && IsPunct(i + 1, '('))
                {
                    TryPlateBeforeState23(i);
                }
                else if (length is >= 3 and <= 5 && _run[i] == 0 && IsWord(i - 1) && _t[i - 1].Length == 1)
                {
                    TryNumberedOrdinalStreet23(i);
                }

                continue;
            }

            var first = (char)(_text[_t[i].Start] | 0x20);
            if (length == 3 && first == 'd' && WordIs(i, "day"))
            {
                TrySaintsDay23(i);
            }
            else if ((length == 4 && first == 'w' && WordIs(i, "week")) || (length == 7 && first == 'w' && WordIs(i, "weekend")))
            {
                TryEventWeek23(i);
            }
            else if (length == 6 && first == 'c' && IsWord(i + 1) && WordIs(i, "county"))
            {
                TryCountyAfterCue23(i);
            }
            else if ((length == 8 && first == 'a' && WordIs(i, "aircraft")) || (length == 4 && first == 't' && WordIs(i, "tail")))
            {
                TryTailNumber23(i);
            }
        }

        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            if (_t[i].Length == 5 && _run[i] == 0)
            {
                TryZipAfterPlace23(i);
            }
            else if (_t[i].Length <= 5 && _run[i] == 0 && IsWord(i + 1) && IsPunct(i + 2, ','))
            {
                TryStreetBeforeUnit23(i);
            }
        }
    }

    /// <summary>A word that may be part of a town's name: capitalised, not taken by a rule other than a place's, and no list's clinical, title or calendar word.</summary>
    private bool IsTownWord23(int j) =>
        IsWord(j) && _t[j].Is(TokenShape.Capitalized | TokenShape.Upper) && (_run[j] == 0 || _kind[j] == PhiKind.Location)
        && !Has(j, Lex.Clinical | Lex.Title | Lex.Credential | Lex.Month | Lex.Weekday | Lex.Facility | Lex.State | Lex.StreetSuffix | Lex.NameLabel);

    /// <summary>
    /// "…Memorial Hospital, Cavalier ND", "…school, Twin Buttes ND;": one or two capitalised words between a comma (or the
    /// start of a line) and a state's postal code that ends its line or phrase. Codes that are also credentials or clinical
    /// abbreviations ("MD", "PA", "CT", "MS") are left.
    /// </summary>
    private void TryTownBeforeStateCode23(int s)
    {
        if (!IsState(s) || IsWordOf(s, AmbiguousStateCodes23) || _t[s].Is(TokenShape.LineBefore))
        {
            return;
        }

        // The code ends its phrase: a line break, a stop, a semicolon, a bracket, or a ZIP code.
        var n = s + 1;
        if (InRange(n) && !_t[n].Is(TokenShape.LineBefore)
            && !(IsPunct(n, ';') || IsPunct(n, ',') || IsPunct(n, ')') || IsPunct(n, '.') || IsNumber(n, 5, 5) || _t[n].Start - _t[s].End >= 3))
        {
            return;
        }

        // One word after a comma or first on its line, or two ("Twin Buttes") likewise.
        var end = s - 1;
        if (!IsTownWord23(end) || Joined(s))
        {
            return;
        }

        int start;
        if (!_t[end].Is(TokenShape.LineBefore) && IsTownWord23(end - 1) && !Joined(end) && (StartsLine(end - 1) || IsPunct(end - 2, ',')))
        {
            start = end - 1;
        }
        else if (StartsLine(end) || IsPunct(end - 1, ','))
        {
            start = end;
        }
        else
        {
            return;
        }

        for (var k = start; k <= end; k++)
        {
            if (_run[k] == 0)
            {
                Mark(k, k, PhiKind.Location);
            }
        }
    }

    /// <summary>"Clinic - Lincoln, Nebraska", "born in Cavalier, North Dakota": a town before a comma and its state's name.</summary>
    private void TryTownBeforeStateName23(int s)
    {
        // "North Dakota": the state's first word.
        var comma = s - 1;
        var town = comma - 1;
        if (!IsTownWord23(town) || _run[town] != 0 || (Has(town, Lex.Common) && !Has(town, Lex.Place)))
        {
            return;
        }

        var p = town - 1;
        var cued = StartsLine(town) || IsPunct(p, '-') || IsPunct(p, '–') || IsPunct(p, '|') || IsPunct(p, '(')
            || (IsWord(p) && _t[p].Is(TokenShape.Lower) && IsWordOf(p, TownStateCues23));
        if (cued)
        {
            Mark(town, town, PhiKind.Location);
        }
    }

    /// <summary>"Wilber NE 68465        SALINE CO": a county's name before "CO" ending an address's line.</summary>
    private void TryCountyBeforeCo23(int co)
    {
        var name = co - 1;
        if (!IsWord(name) || !IsFree(name) || !_t[name].Is(TokenShape.Upper | TokenShape.Capitalized) || _t[co].Is(TokenShape.LineBefore))
        {
            return;
        }

        var after = co + 1;
        if (IsPunct(after, '.') && Joined(after))
        {
            after++;
        }

        if (InRange(after) && !_t[after].Is(TokenShape.LineBefore))
        {
            return;
        }

        // After an address: a ZIP code, a state or a town a rule took just before.
        var p = name - 1;
        if (InRange(p) && _run[p] != 0 && (_kind[p] is PhiKind.Zip or PhiKind.Location or PhiKind.Address) && !_t[name].Is(TokenShape.LineBefore))
        {
            Mark(name, name, PhiKind.Location);
        }
    }

    /// <summary>"county Swain.", "County: Dunn": a county's name after the word, when the place list knows it as one.</summary>
    private void TryCountyAfterCue23(int cue)
    {
        var name = cue + 1;
        if (IsPunct(name, ':'))
        {
            name++;
        }

        if (!IsWord(name) || !IsFree(name) || _t[name].Is(TokenShape.LineBefore) || !_t[name].Is(TokenShape.Capitalized | TokenShape.Upper)
            || !Has(name, Lex.Place) || Has(name, Lex.Clinical | Lex.Facility | Lex.StreetSuffix | Lex.Title))
        {
            return;
        }

        // "County Road 9", "County Line Rd": the word starts a street or a name of something else.
        if (IsWord(name + 1) && _t[name + 1].Is(TokenShape.Capitalized) && !_t[name + 1].Is(TokenShape.LineBefore))
        {
            return;
        }

        Mark(name, name, PhiKind.Location);
    }

    /// <summary>"aircraft N431GF", "tail # N72KA": a US aircraft's registration, N and one to five digits and up to two letters.</summary>
    private void TryTailNumber23(int cue)
    {
        var i = cue + 1;
        while (i < cue + 4 && (IsPunct(i, '#') || IsPunct(i, ':') || WordIs(i, "number") || WordIs(i, "no")))
        {
            i++;
        }

        if (!InRange(i) || _t[i].Type != TokenType.Alnum || !IsFree(i) || _t[i].Length is < 3 or > 6 || _text[_t[i].Start] is not ('N' or 'n'))
        {
            return;
        }

        var span = Span(i)[1..];
        var digits = 0;
        while (digits < span.Length && char.IsAsciiDigit(span[digits]))
        {
            digits++;
        }

        if (digits is >= 1 and <= 5 && span[0] != '0' && span.Length - digits <= 2 && !span[digits..].ContainsAnyExceptInRange('A', 'Z'))
        {
            Mark(i, i, PhiKind.Vehicle);
        }
    }

    /// <summary>"drives 8KJM421 (CA)": letters and digits in capitals before a state's postal code in brackets.</summary>
    private void TryPlateBeforeState23(int i)
    {
        if (!IsState(i + 2) || _t[i + 2].Length != 2 || !IsPunct(i + 3, ')') || !_t[i].Is(TokenShape.Upper))
        {
            return;
        }

        var span = Span(i);
        if (span.IndexOfAnyInRange('A', 'Z') >= 0 && span.IndexOfAnyInRange('0', '9') >= 0 && !span.ContainsAnyExceptInRange('0', 'Z'))
        {
            Mark(i, i, PhiKind.Vehicle);
        }
    }

    /// <summary>"Cherokee NC\n28719", "Oakland 94601": five digits after a state's code (on the line after it too) or after a town a rule took.</summary>
    private void TryZipAfterPlace23(int i)
    {
        if (Continues(i, before: false) || Continues(i, before: true) || (IsWord(i + 1) && Joined(i + 1)) || IsPunct(i + 1, '%')
            || (IsWord(i + 1) && Has(i + 1, Lex.MeasureUnit)))
        {
            return;
        }

        var p = IsPunct(i - 1, ',') || IsPunct(i - 1, '^') ? i - 2 : i - 1;
        if (!InRange(p) || (_t[i].Is(TokenShape.LineBefore) && p != i - 1))
        {
            return;
        }

        // "…22nd, Oakland 94601": a town the place list knows, after a comma, before the ZIP.
        if (!_t[i].Is(TokenShape.LineBefore) && p == i - 1 && IsWord(p) && _run[p] == 0 && IsWrittenCapital13(p) && IsPunct(p - 1, ',')
            && Has(p, Lex.Place) && !Has(p, Lex.Common | Lex.Clinical | Lex.Month | Lex.Weekday))
        {
            Mark(p, p, PhiKind.Location);
            MarkZip(i);
            return;
        }

        if ((IsWord(p) && IsState(p) && _t[p].Length == 2 && !IsWordOf(p, AmbiguousStateCodes23) && (_run[p] == 0 || _kind[p] == PhiKind.Location))
            || (!_t[i].Is(TokenShape.LineBefore) && _run[p] != 0 && _kind[p] == PhiKind.Location && IsWord(p)))
        {
            MarkZip(i);
        }
    }

    /// <summary>"Feast of San Esteban", "Feast Day dances": a feast named after "Feast of" or as "Feast Day".</summary>
    private void TryFeast23(int i)
    {
        if (!_t[i].Is(TokenShape.Capitalized) || _t[i].Is(TokenShape.Upper))
        {
            return;
        }

        if (WordIs(i + 1, "day") && _t[i + 1].Is(TokenShape.Capitalized) && IsFree(i) && IsFree(i + 1))
        {
            Mark(i, i + 1, PhiKind.Date);
            return;
        }

        if (!WordIs(i + 1, "of") || !IsWord(i + 2) || !IsWrittenCapital13(i + 2) || _t[i + 2].Is(TokenShape.LineBefore))
        {
            return;
        }

        var end = i + 2;
        while (end < i + 5 && IsWord(end + 1) && IsWrittenCapital13(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore) && !Joined(end + 1))
        {
            end++;
        }

        if (!AnyMarked(i, i + 1))
        {
            // A saint's name a name rule took goes into the feast.
            Mark(i, end, PhiKind.Date);
        }
    }

    /// <summary>"on St. John's Day", "saint maroun's day": a saint's day.</summary>
    private void TrySaintsDay23(int day)
    {
        // day ← s ← ' ← name
        if (!WordIs(day - 1, "s") || !Joined(day - 1) || !(IsPunct(day - 2, '\'') || IsPunct(day - 2, '’')) || !Joined(day - 2) || !IsWord(day - 3))
        {
            return;
        }

        var name = day - 3;
        var saint = name - 1;
        if (IsPunct(saint, '.') && Joined(saint))
        {
            saint--;
        }

        if (!(WordIs(saint, "st") || WordIs(saint, "saint") || WordIs(saint, "ste")) || _t[day].Is(TokenShape.LineBefore))
        {
            return;
        }

        // The name is written as the day is: capitalised with "Day", or all in lower case in a dictation.
        var upper = _t[day].Is(TokenShape.Capitalized);
        if (upper ? !IsCapitalized(name) : !_t[name].Is(TokenShape.Lower))
        {
            return;
        }

        var next = WordAfter(day, 1);
        if (next >= 0 && (IsWordOf(next, DayServiceWords23) || Has(next, Lex.Facility)))
        {
            return;
        }

        // Runs a name rule took inside go into the day.
        for (var k = saint; k <= day; k++)
        {
            if (_run[k] != 0 && _kind[k] is not (PhiKind.Name or PhiKind.Date or PhiKind.Location))
            {
                return;
            }
        }

        Mark(saint, day, PhiKind.Date);
    }

    /// <summary>
    /// "Patient Brown called", "Pt. Young states", "Mrs. Hill reports": at the start of a sentence, a capitalised surname
    /// that is also a word, between "Patient", "Pt" or a title and a verb that has a person as its subject.
    /// </summary>
    private void TryPatientSurname23(int cue)
    {
        var w = cue + 1;
        if (IsPunct(w, '.') && Joined(w))
        {
            w++;
        }

        if (!IsWord(w) || !IsFree(w) || !IsWrittenCapital13(w) || _t[w].Is(TokenShape.LineBefore) || _t[w].Length < 3)
        {
            return;
        }

        var verb = w + 1;
        if (!IsWord(verb) || !_t[verb].Is(TokenShape.Lower) || !Has(verb, Lex.NameVerb) || _t[verb].Is(TokenShape.LineBefore))
        {
            return;
        }

        if (!Has(w, Lex.Surname) || Has(w, Lex.Clinical | Lex.Title | Lex.Credential | Lex.Month | Lex.Weekday | Lex.Facility | Lex.State)
            || IsWordOf(w, PatientCompounds23))
        {
            return;
        }

        Mark(w, w, PhiKind.Name);
    }

    /// <summary>
    /// "Tuffy (patient's nickname)", "Marketa (RN, Wilber Clinic)": a capitalised word before a bracket that calls it a
    /// nickname, or that gives a nurse's or doctor's credential after a word no list knows as an ordinary one.
    /// </summary>
    private bool TryNameBeforeBracket23(int i)
    {
        var j = i + 2;
        if (!IsWord(j) || _t[j].Is(TokenShape.LineBefore))
        {
            return false;
        }

        // A credential's bracket names a person only if no list knows the word as an ordinary one; a nickname's says so itself.
        bool named;
        if (Has(j, Lex.Credential) && _t[j].Is(TokenShape.Upper) && (IsPunct(j + 1, ',') || IsPunct(j + 1, ')')))
        {
            named = !Has(i, Lex.Common);
        }
        else
        {
            // "(nickname)", "(patient's nickname)", "(her nickname)".
            if ((WordIs(j, "patient") || WordIs(j, "pt")) && IsPunct(j + 1, '\'') && WordIs(j + 2, "s"))
            {
                j += 3;
            }
            else if (WordIs(j, "his") || WordIs(j, "her") || WordIs(j, "their") || WordIs(j, "family"))
            {
                j++;
            }

            named = WordIs(j, "nickname") || WordIs(j, "nick");
        }

        if (named && !Has(i, Lex.Clinical | Lex.Title | Lex.Facility | Lex.Month | Lex.Weekday | Lex.State | Lex.NameLabel | Lex.Credential))
        {
            Mark(i, i, PhiKind.Name);
            return true;
        }

        return false;
    }

    /// <summary>
    /// "Thompson: How have the nights been?": a transcript's speaker label that is a listed surname, when it labels another
    /// line of the text too or is a name elsewhere in it.
    /// </summary>
    private void TrySpeakerSurname23(int i)
    {
        if (!Has(i, Lex.Surname) || Has(i, Lex.Clinical | Lex.Title | Lex.NameLabel | Lex.Month | Lex.Weekday | Lex.Facility | Lex.State | Lex.Credential)
            || !InRange(i + 2) || _t[i + 2].Is(TokenShape.LineBefore))
        {
            return;
        }

        // A surname that is also a word ("Pain:", "Thompson" of the Thompson test) labels a speaker only when a rule took
        // the same word as a name elsewhere ("Rosalie Thompson, LCSW"); another surname when it labels another line too.
        var ordinary = Has(i, Lex.Common);
        var span = Span(i);
        for (var c = 0; c < _capCount; c++)
        {
            var k = _caps[c];
            if (k == i || _t[k].Length != span.Length || !Span(k).SequenceEqual(span))
            {
                continue;
            }

            if (ordinary ? _run[k] != 0 && _kind[k] == PhiKind.Name : StartsLine(k) && IsPunct(k + 1, ':') && Joined(k + 1))
            {
                Mark(i, i, PhiKind.Name);
                if (_run[k] == 0)
                {
                    Mark(k, k, PhiKind.Name);
                }

                return;
            }
        }
    }

    /// <summary>
    /// “Grandma Lolly”, “Lola Pacing”, “Uncle Sonny”: two capitalised words alone in quotes, one of which a rule took
    /// as a name: the other is part of the name the family uses.
    /// </summary>
    private void TryQuotedNickname23(int i)
    {
        var j = i + 1;
        var nameFirst = _run[i] != 0 && _kind[i] == PhiKind.Name && _run[j] == 0;
        var nameSecond = _run[j] != 0 && _kind[j] == PhiKind.Name && _run[i] == 0;
        if (!nameFirst && !nameSecond)
        {
            return;
        }

        // A kinship word stays outside the name ("Uncle" of "Uncle Gage"), as titles do.
        var other = nameFirst ? j : i;
        if (!Has(other, Lex.Clinical | Lex.Title | Lex.Facility | Lex.Month | Lex.Weekday | Lex.State | Lex.Credential | Lex.Place | Lex.Relation)
            && !IsWordOf(other, KinWords23))
        {
            Mark(other, other, PhiKind.Name);
        }
    }

    /// <summary>
    /// An HL7 IN1 segment. Its first seven fields are the plan's and the payer's (ids, name, address, contact); the later
    /// ones are the insured's and the policy's, whose places senders fill loosely, so they are read by their shape: a code
    /// with a digit is a plan number, eight digits a birth date, a field of name components a name, and a field that opens
    /// with a house number an address (street^other^city^state^ZIP).
    /// </summary>
    private void MarkInsuranceSegment23(int i, int end)
    {
        var field = 0;
        var component = 0;
        var addressField = false;
        for (var j = i + 1; j <= end; j++)
        {
            if (IsPunct(j, '|'))
            {
                field++;
                component = 0;
                addressField = IsNumber(j + 1) && IsWord(j + 2);
                continue;
            }

            if (IsPunct(j, '^'))
            {
                component++;
                continue;
            }

            if (field < 8 || !IsFree(j) || _t[j].Type == TokenType.Punct)
            {
                continue;
            }

            if (addressField)
            {
                if (component <= 2)
                {
                    MarkComponent(j, end, component == 2 ? PhiKind.Location : PhiKind.Address, out j);
                }
                else if (component == 4 && IsNumber(j, 5, 5))
                {
                    MarkZip(j);
                }
            }
            else if (component == 0 && IsNumber(j, 8, 8) && (IsPunct(j + 1, '|') || j == end) && _text[_t[j].Start] is '1' or '2')
            {
                Mark(j, j, PhiKind.Date);
            }
            else if (IsWord(j) && component <= 2 && (IsPunct(j + 1, '^') || (component > 0 && IsPunct(j - 1, '^'))) && !IsInsuranceCode23(j))
            {
                Mark(j, j, PhiKind.Name);
            }
            else if (component == 0 && HasDigitInComponent23(j, end))
            {
                // "GRP 10442": a label before the number stays.
                while (IsWord(j) && !Joined(j + 1) && j < end && !IsPunct(j + 1, '^') && !IsPunct(j + 1, '|'))
                {
                    j++;
                }

                MarkComponent(j, end, PhiKind.HealthPlan, out j);
            }
        }
    }

    /// <summary>A word in capitals of three letters or fewer before a '|' or '^': a code of the segment (SEL, PPO), not a name.</summary>
    private bool IsInsuranceCode23(int j) => _t[j].Length <= 3 && _t[j].Is(TokenShape.Upper) && IsPunct(j + 1, '|');

    /// <summary>Whether the component from <paramref name="j"/> to the next '^' or '|' holds a digit.</summary>
    private bool HasDigitInComponent23(int j, int end)
    {
        for (var k = j; k <= end && !IsPunct(k, '^') && !IsPunct(k, '|'); k++)
        {
            if (_t[k].Type is TokenType.Number or TokenType.Alnum)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// "Group: BHP-ACO-44", "(ID\nINT-337)", "ref\nAK-ME-26-2217": after an identifier's cue, a code in capitals of letters and
    /// digits joined by hyphens, on the cue's line or, when the line was wrapped after the cue, the next. Cues that are
    /// ordinary words, and phone, fax and ZIP cues (which their formats find), are left.
    /// </summary>
    private void TryCodeAfterCue23(int cue)
    {
        // The value's shape first (most cues in prose come before a lower-case word), the lists after.
        var j = cue + 1;
        if ((IsPunct(j, '#') || IsPunct(j, ':')) && !_t[j].Is(TokenShape.LineBefore))
        {
            j++;
        }

        var wrapped = InRange(j) && _t[j].Is(TokenShape.LineBefore);
        if (!InRange(j) || !IsFree(j) || _t[j].Type == TokenType.Punct || (IsWord(j) && !_t[j].Is(TokenShape.Upper)) || (!wrapped && Joined(j))
            || (!wrapped && !(IsPunct(j + 1, '-') && Joined(j + 1))))
        {
            return;
        }

        if (!_lexicon.TryGetIdentifierCue(Span(cue), out var kind) || kind is PhiKind.Phone or PhiKind.Fax or PhiKind.Zip)
        {
            return;
        }

        var weak = IsWeakCue(cue) && !WordIs(cue, "id") && !WordIs(cue, "ref");

        var end = j;
        var digits = _t[j].Type != TokenType.Word;
        var parts = 1;
        while (IsPunct(end + 1, '-') && Joined(end + 1) && InRange(end + 2) && Joined(end + 2) && _t[end + 2].Type != TokenType.Punct && IsFree(end + 2)
            && !(IsWord(end + 2) && !_t[end + 2].Is(TokenShape.Upper)))
        {
            end += 2;
            parts++;
            digits |= _t[end].Type != TokenType.Word;
        }

        // On the cue's line a code of three parts or more ("policy LAB-114" is a document's); after the line break, a code
        // of two parts not after a cue that is an ordinary word, nor a clinical word's ("COVID-19").
        if ((weak && wrapped) || (!wrapped && parts < 3))
        {
            return;
        }

        if (parts == 2 && IsWord(j) && Has(j, Lex.Clinical))
        {
            return;
        }

        var length = _t[end].End - _t[j].Start;
        if (!digits || length < 4 || (!wrapped && (end == j || length < 6)) || (end == j && IsNumber(j) && length < 5) || (IsWord(end + 1) && Has(end + 1, Lex.MeasureUnit))
            || (IsPunct(end + 1, '.') && IsNumber(end + 2) && Joined(end + 2)))
        {
            return;
        }

        Mark(j, end, kind);
    }

    /// <summary>
    /// "Rizal Day program (Dec 30)", "la Purísima (12/7)": a named day whose date follows it in brackets. The name is a word
    /// no list knows (with "la", "el" or "the" before it), or a capitalised word before "Day" or "Eve".
    /// </summary>
    private bool TryDayBeforeBracketedDate23(int i, int open)
    {
        // The bracket holds a date a rule took, and nothing else.
        var d = open + 1;
        if (!InRange(d) || _run[d] == 0 || _kind[d] != PhiKind.Date)
        {
            return false;
        }

        var e = d;
        while (InRange(e + 1) && _run[e + 1] == _run[d])
        {
            e++;
        }

        if (!IsPunct(e + 1, ')'))
        {
            return false;
        }

        var start = i;
        if (open != i + 1 && !(WordIs(i, "day") || WordIs(i, "eve")))
        {
            return false;
        }

        if ((WordIs(i, "day") || WordIs(i, "eve")) && IsWord(i - 1) && IsWrittenCapital13(i - 1) && IsNameOrPlaceOrFree23(i - 1) && !_t[i].Is(TokenShape.LineBefore)
            && !Has(i - 1, Lex.Clinical | Lex.Facility | Lex.Title | Lex.Month | Lex.Weekday))
        {
            start = i - 1;
        }
        else if ((L(i) & (Lex.Common | Lex.Clinical | Lex.Title | Lex.Month | Lex.Weekday | Lex.Facility | Lex.State | Lex.Credential | Lex.NameLabel)) != 0
            || _t[i].Length < 4)
        {
            return false;
        }
        else if ((WordIs(i - 1, "la") || WordIs(i - 1, "el") || WordIs(i - 1, "the")) && !_t[i].Is(TokenShape.LineBefore) && IsFree(i - 1))
        {
            start = i - 1;
        }

        Mark(start, i, PhiKind.Date);
        return true;
    }

    /// <summary>"Crow Fair week", "Pioneer Days weekend": a yearly event's name of capitalised words before "week".</summary>
    private void TryEventWeek23(int week)
    {
        var end = week - 1;
        if (!IsWord(end) || !IsWrittenCapital13(end) || !IsNameOrPlaceOrFree23(end) || !IsWordOf(end, EventEnds23) || _t[week].Is(TokenShape.LineBefore))
        {
            return;
        }

        var start = end;
        while (start > end - 3 && IsWord(start - 1) && IsWrittenCapital13(start - 1) && IsNameOrPlaceOrFree23(start - 1) && !_t[start].Is(TokenShape.LineBefore)
            && !Has(start - 1, Lex.Clinical | Lex.Facility | Lex.Title | Lex.Month | Lex.Weekday | Lex.State) && !StartsSentence(start - 1))
        {
            start--;
        }

        if (start < end)
        {
            Mark(start, end, PhiKind.Date);
        }
    }

    /// <summary>"SIGNATURE: I. FRANK MD", "J. Ortiz, RN": an initial and a surname before a credential in capitals.</summary>
    private void TryInitialSurnameBeforeCredential23(int cred)
    {
        var w = cred - 1;
        if (IsPunct(w, ','))
        {
            w--;
        }

        if (!IsWord(w) || !IsFree(w) || !_t[w].Is(TokenShape.Capitalized | TokenShape.Upper) || _t[w].Length < 2 || _t[cred].Is(TokenShape.LineBefore)
            || Has(w, Lex.Clinical | Lex.Facility | Lex.Title | Lex.Credential | Lex.Month | Lex.Weekday | Lex.State))
        {
            return;
        }

        var initial = w - 2;
        if (!IsPunct(w - 1, '.') || !Joined(w - 1) || !IsWord(initial) || _t[initial].Length != 1 || !_t[initial].Is(TokenShape.Upper) || !IsFree(initial)
            || _t[w].Is(TokenShape.LineBefore))
        {
            return;
        }

        Mark(initial, w, PhiKind.Name);
    }

    /// <summary>A token no rule took, or one a name or place rule took (a saint's, a town's name inside an event's).</summary>
    private bool IsNameOrPlaceOrFree23(int k) => _run[k] == 0 || _kind[k] is PhiKind.Name or PhiKind.Location;

    /// <summary>"2417 E 22nd": a house number, a compass letter and a numbered street without its suffix (with it when it follows).</summary>
    private void TryNumberedOrdinalStreet23(int i)
    {
        var span = Span(i);
        var digits = 0;
        while (digits < span.Length && char.IsAsciiDigit(span[digits]))
        {
            digits++;
        }

        var suffix = span[digits..];
        if (digits == 0 || digits > 3 || !(suffix.Equals("st", StringComparison.OrdinalIgnoreCase) || suffix.Equals("nd", StringComparison.OrdinalIgnoreCase)
            || suffix.Equals("rd", StringComparison.OrdinalIgnoreCase) || suffix.Equals("th", StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        var compass = i - 1;
        var house = i - 2;
        if (!_t[compass].Is(TokenShape.Upper) || _text[_t[compass].Start] is not ('N' or 'S' or 'E' or 'W') || !IsNumber(house, 1, 5) || !IsFree(house)
            || !IsFree(compass) || _t[compass].Is(TokenShape.LineBefore) || _t[i].Is(TokenShape.LineBefore) || Continues(house, before: true))
        {
            return;
        }

        // "4 W 3rd floor", "2 E 5th grade": a floor or a grade, not a street.
        var end = i;
        var next = WordAfter(i, 1);
        if (next >= 0 && (WordIs(next, "floor") || WordIs(next, "fl") || WordIs(next, "grade") || WordIs(next, "percentile")))
        {
            return;
        }

        if (next == i + 1 && Has(next, Lex.StreetSuffix) && IsFree(next))
        {
            end = next;
        }

        Mark(house, end, PhiKind.Address);
    }

    /// <summary>"14 Canal, Apt 3": a house number and one capitalised word before a comma and a home's unit and its number.</summary>
    private void TryStreetBeforeUnit23(int i)
    {
        var name = i + 1;
        var unit = i + 3;
        if (!IsWrittenCapital13(name) || !IsFree(name) || _t[name].Is(TokenShape.LineBefore) || Continues(i, before: true) || IsPunct(i - 1, '.')
            || !IsWord(unit) || !IsWordOf(unit, HomeUnits23) || !IsCapitalized(unit)
            || Has(name, Lex.Clinical | Lex.MeasureUnit | Lex.Month | Lex.Weekday | Lex.Title | Lex.Facility | Lex.Direction))
        {
            return;
        }

        var number = IsPunct(unit + 1, '#') || IsPunct(unit + 1, '.') ? unit + 2 : unit + 1;
        if (InRange(number) && _t[number].Type is TokenType.Number or TokenType.Alnum && !_t[number].Is(TokenShape.LineBefore))
        {
            Mark(i, name, PhiKind.Address);
        }
    }
}
