namespace XefAI.Data.Deidentification;

/// <content>
/// Round 11 of places and identifiers: house numbers the street rules did not take ("94-1044 Kaiwi St" as Hawaiian
/// addresses are written, "200 E. 115th St" with a full stop after the direction), a street named without its number after
/// "on" or "off" whose name holds an ordinal, a direction with a full stop or a word the clinical lists hold ("on N. Vine
/// St", "off 71st St", "on Holy Neck Rd"), a state highway ("on MT-24") or a reservation route ("on BIA Route 4"), a Puerto
/// Rico kilometre address ("Carr. 2 Km 14.7"), an urbanización before its street, a house number after "#" that a street
/// left, and an aircraft's tail number after "tail".
/// </content>
internal sealed partial class Scan
{
    /// <summary>Round 11's pass over the numbers and words: each rule starts at a cheap test of its first token.</summary>
    private void MarkGaps11Places()
    {
        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            if (!IsFree(i))
            {
                continue;
            }

            if (IsPunct(i - 1, '#') && Joined(i))
            {
                TryHouseNumberAfterStreet11B(i);
            }
            else if (i > 0 && _run[i - 1] != 0 && _kind[i - 1] == PhiKind.Address && !_t[i].Is(TokenShape.LineBefore) && IsNumber(i, 1, 4)
                && (WordIs(i - 1, "route") || WordIs(i - 1, "rt") || WordIs(i - 1, "hwy") || WordIs(i - 1, "highway")) && !(InRange(i + 1) && Joined(i + 1) && !IsPunct(i + 1)))
            {
                // "BIA Route 4": the route's number a rule that took its name left.
                _kind[i] = PhiKind.Address;
                _run[i] = _run[i - 1];
            }
            else if (_t[i].Length <= 6 && !(IsPunct(i - 1) && Joined(i)))
            {
                _ = TryHyphenHouseNumber11B(i) || TryDottedDirectionStreet11B(i);
            }
        }

        // The short words starting with one of these letters are listed among the few.
        for (var w = 0; w < _keyedCount; w++)
        {
            var i = _keyed[w];
            var length = _t[i].Length;
            if (_t[i].Type != TokenType.Word || length > 5 || !IsFree(i))
            {
                continue;
            }

            var first = _text[_t[i].Start] | 0x20;
            if (first == 'o' && (WordIs(i, "on") || WordIs(i, "off") || WordIs(i, "onto")))
            {
                TryStreetAfterOn11B(i);
            }
            else if (first == 't' && length == 4 && WordIs(i, "tail"))
            {
                TryTailNumber11B(i);
            }
            else if (first == 'c' && length == 4 && WordIs(i, "carr") && IsCapitalized(i))
            {
                TryKilometreAddress11B(i);
            }
            else if (first == 'u' && length == 3 && WordIs(i, "urb") && IsCapitalized(i))
            {
                TryUrbanizacion11B(i);
            }
        }
    }

    /// <summary>
    /// The last token of a street's name and suffix from <paramref name="j"/>: up to four capitalized words or ordinals
    /// ("Kaiwi", "115th"), a word the clinical lists hold only after the first ("Holy Neck"), then a suffix that is not loose
    /// (or "Dr" with no capitalized word after it), with its full stop; -1 when none ends there.
    /// </summary>
    private int StreetNameEnd11B(int j)
    {
        var names = 0;
        for (var k = j; k < j + 5 && InRange(k) && IsFree(k) && !_t[k].Is(TokenShape.LineBefore); k++)
        {
            if (names > 0 && IsWord(k) && IsCapitalized(k) && Has(k, Lex.StreetSuffix))
            {
                if (IsLooseSuffix(k) && !(WordIs(k, "dr") && !IsCapitalized(IsPunct(k + 1, '.') ? k + 2 : k + 1)))
                {
                    return -1;
                }

                return IsPunct(k + 1, '.') && Joined(k + 1) ? k + 1 : k;
            }

            var name = (_t[k].Type == TokenType.Alnum && IsOrdinalWord(k))
                || (IsWord(k) && IsCapitalized(k) && !Has(k, Lex.Month | Lex.Weekday | Lex.Title | Lex.Credential | Lex.NameLabel | Lex.Relation
                    | Lex.Holiday | Lex.MeasureUnit | Lex.Facility) && (names > 0 || !Has(k, Lex.Clinical)));
            if (!name)
            {
                return -1;
            }

            names++;
        }

        return -1;
    }

    /// <summary>"94-1044 Kaiwi St, Apt 2B": a Hawaiian house number, a district's two digits and the lot's, before a street.</summary>
    private bool TryHyphenHouseNumber11B(int i)
    {
        if (!IsNumber(i, 1, 2) || !IsPunct(i + 1, '-') || !Joined(i + 1) || !IsNumber(i + 2, 2, 4) || !Joined(i + 2) || !IsFree(i + 2)
            || !InRange(i + 3) || _t[i + 3].Is(TokenShape.LineBefore))
        {
            return false;
        }

        var end = StreetNameEnd11B(i + 3);
        if (end < 0)
        {
            return false;
        }

        Mark(i, UnitEnd(end), PhiKind.Address);
        return true;
    }

    /// <summary>"200 E. 115th St, Suite 4", "41 W. Elm Ave": a house number, a direction with its full stop, then the street.</summary>
    private bool TryDottedDirectionStreet11B(int i)
    {
        var d = i + 1;
        if (!IsWord(d) || _t[d].Length > 2 || !_t[d].Is(TokenShape.Upper) || !Has(d, Lex.Direction) || !IsPunct(d + 1, '.') || !Joined(d + 1)
            || _t[d].Is(TokenShape.LineBefore) || !IsFree(d) || !InRange(d + 2) || _t[d + 2].Is(TokenShape.LineBefore))
        {
            return false;
        }

        var end = StreetNameEnd11B(d + 2);
        if (end < 0)
        {
            return false;
        }

        Mark(i, UnitEnd(end), PhiKind.Address);
        return true;
    }

    /// <summary>
    /// "on N. Vine St", "off 71st St", "on Holy Neck Rd", "on Airline Dr", "on MT-24", "on BIA Route 4": a street named without
    /// its number after "on", "off" or "onto".
    /// </summary>
    private bool TryStreetAfterOn11B(int i)
    {
        var j = i + 1;
        if (!InRange(j) || _t[j].Is(TokenShape.LineBefore) || !IsFree(j) || !_t[j].Is(TokenShape.Capitalized | TokenShape.Upper) && _t[j].Type != TokenType.Alnum)
        {
            return false;
        }

        // "MT-24", "SR-99": a state's letters, a hyphen and the highway's number.
        if (IsWord(j) && _t[j].Length == 2 && _t[j].Is(TokenShape.Upper) && IsPunct(j + 1, '-') && Joined(j + 1) && IsNumber(j + 2, 1, 3) && Joined(j + 2)
            && (Has(j, Lex.State) || WordIs(j, "sr")) && !(InRange(j + 3) && Joined(j + 3) && !IsPunct(j + 3)))
        {
            Mark(j, j + 2, PhiKind.Address);
            return true;
        }

        // "BIA Route 4", "IHS Route 12": an agency's letters before a route.
        if (IsWord(j) && _t[j].Is(TokenShape.Upper) && _t[j].Length is 2 or 3 && RouteEnd(j + 1) is var route and >= 0 && IsFree(route))
        {
            Mark(j, route, PhiKind.Address);
            return true;
        }

        var name = j;
        if (IsWord(j) && _t[j].Length <= 2 && _t[j].Is(TokenShape.Upper) && Has(j, Lex.Direction) && IsPunct(j + 1, '.') && Joined(j + 1))
        {
            name = j + 2;
        }

        var end = StreetNameEnd11B(name);
        return end >= 0 && MarkStreet11B(j, end);
    }

    private bool MarkStreet11B(int from, int end)
    {
        if (AnyMarked(from, end))
        {
            return false;
        }

        Mark(from, end, PhiKind.Address);
        return true;
    }

    /// <summary>"Carr. 2 Km 14.7", "Carr 172 km 3.1": a Puerto Rico road and the kilometre on it.</summary>
    private bool TryKilometreAddress11B(int i)
    {
        var n = IsPunct(i + 1, '.') && Joined(i + 1) ? i + 2 : i + 1;
        if (!IsNumber(n, 1, 3) || _t[n].Is(TokenShape.LineBefore) || !WordIs(n + 1, "km") || !IsNumber(n + 2, 1, 3) || !IsFree(n + 2))
        {
            return false;
        }

        var end = IsPunct(n + 3, '.') && Joined(n + 3) && IsNumber(n + 4, 1, 2) && Joined(n + 4) ? n + 4 : n + 2;
        return MarkStreet11B(i, end);
    }

    /// <summary>"URB. LAS LOMAS, CALLE 9 #12": an urbanización's name before the street a rule took.</summary>
    private bool TryUrbanizacion11B(int i)
    {
        var k = IsPunct(i + 1, '.') && Joined(i + 1) ? i + 2 : i + 1;
        var last = -1;
        while (k < i + 6 && IsWord(k) && IsCapitalized(k) && IsFree(k) && !_t[k].Is(TokenShape.LineBefore))
        {
            last = k++;
        }

        if (last < 0)
        {
            return false;
        }

        if (IsPunct(k, ',') && (WordIs(k + 1, "calle") || WordIs(k + 1, "avenida")) && IsFree(k + 1) && !_t[k + 1].Is(TokenShape.LineBefore))
        {
            // "URB. LAS LOMAS, CALLE 9 #12": the street after it, its name or number, and the house number.
            var end = k + 1;
            for (var m = k + 2; m < k + 6 && InRange(m) && IsFree(m) && !_t[m].Is(TokenShape.LineBefore) && ((IsWord(m) && IsCapitalized(m)) || IsNumber(m, 1, 5)); m++)
            {
                end = m;
            }

            end = IsPunct(end + 1, '#') && IsNumber(end + 2, 1, 5) && Joined(end + 2) ? end + 2 : end;
            return end > k + 1 && MarkStreet11B(i, end);
        }

        if (IsPunct(k, ',') && InRange(k + 1) && !IsFree(k + 1) && _kind[k + 1] == PhiKind.Address)
        {
            var end = RunEnd11B(k + 1);
            _runs++;
            for (var t = i; t <= end; t++)
            {
                _kind[t] = PhiKind.Address;
                _run[t] = _runs;
            }

            return true;
        }

        return MarkStreet11B(i, last);
    }

    /// <summary>The last token of the marked run that holds <paramref name="i"/>.</summary>
    private int RunEnd11B(int i)
    {
        var end = i;
        while (end + 1 < Count && _run[end + 1] == _run[i])
        {
            end++;
        }

        return end;
    }

    /// <summary>"Calle Betances #14": the house number after "#" that the street before it left.</summary>
    private void TryHouseNumberAfterStreet11B(int i)
    {
        var hash = i - 1;
        if (hash < 1 || Joined(hash) || _t[hash].Is(TokenShape.LineBefore) || _run[hash - 1] == 0 || _kind[hash - 1] != PhiKind.Address
            || (InRange(i + 1) && Joined(i + 1) && !IsPunct(i + 1)))
        {
            return;
        }

        _kind[hash] = PhiKind.Address;
        _run[hash] = _run[hash - 1];
        _kind[i] = PhiKind.Address;
        _run[i] = _run[hash - 1];
    }

    /// <summary>"tail N418GF", "tail number N72KD": an aircraft's registration (N, a digit, up to five more letters or digits).</summary>
    private void TryTailNumber11B(int i)
    {
        var j = i + 1;
        if (WordIs(j, "number") || WordIs(j, "no") || WordIs(j, "#"))
        {
            j++;
        }

        j = IsPunct(j, '.') || IsPunct(j, ':') || IsPunct(j, '#') ? j + 1 : j;
        // An identifier's cue ("number") may have taken it alone as an id.
        if (!InRange(j) || _t[j].Type != TokenType.Alnum || _t[j].Length is < 3 or > 6
            || !(IsFree(j) || (_kind[j] == PhiKind.Id && _run[j - 1] != _run[j] && (j + 1 == Count || _run[j + 1] != _run[j]))))
        {
            return;
        }

        var span = Span(j);
        if (span[0] is not ('N' or 'C') || !char.IsAsciiDigit(span[1]) || span[1] == '0')
        {
            return;
        }

        foreach (var c in span[1..])
        {
            if (!(char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c)))
            {
                return;
            }
        }

        if (IsFree(j))
        {
            Mark(j, j, PhiKind.Vehicle);
        }
        else
        {
            _kind[j] = PhiKind.Vehicle;
        }
    }
}
