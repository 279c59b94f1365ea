namespace XefAI.Data.Deidentification;

/// <summary>
/// Places in chat prompts (round 13): a town typed in lower case after "lives in" or "is from" ("lives w/ wife in lame
/// deer."), and a street without its suffix between a house number and a city, state or ZIP ("5420 Bissonnet, Houston")
/// or after "lives … at" ("lives with me at 2210 Magnolia in Slidell").
/// </summary>
internal sealed partial class Scan
{
    /// <summary>Runs before the place pass: the streets first, while their city words are still free.</summary>
    private void MarkChatPlaces13()
    {
        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            if (_t[i].Length <= 6 && _run[i] == 0 && IsWord(i + 1) && _t[i + 1].Is(TokenShape.Capitalized))
            {
                BareStreet13(i);
            }
        }

        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            var letter = _text[_t[i].Start];
            if (((letter == 'i' && _t[i].Length == 2) || (letter is 'f' or 'n' && _t[i].Length == 4)) && (WordIs(i, "in") || WordIs(i, "from") || WordIs(i, "near")))
            {
                LowerTownAfterCue13(i);
            }
        }
    }

    /// <summary>
    /// "5420 Bissonnet, Houston, TX 77005", "17 Wexcombe, Laredo TX": a house number and one or two capitalized words, then
    /// a comma, a city and a state or ZIP code: the words are the street without its suffix.
    /// </summary>
    private void BareStreet13(int i)
    {
        if (!(StartsLine(i) || IsPunct(i - 1, ':') || WordIs(i - 1, "at") || WordIs(i - 1, "to") || IsPunct(i - 1, ',')) || _t[i + 1].Is(TokenShape.LineBefore))
        {
            return;
        }

        var last = i + 1;
        if (IsWord(i + 2) && IsWrittenCapital13(i + 2) && !_t[i + 2].Is(TokenShape.LineBefore))
        {
            last = i + 2;
        }

        for (var k = i + 1; k <= last; k++)
        {
            if (!IsFree(k) || !IsWrittenCapital13(k) || (L(k) & (Lex.Clinical | Lex.Month | Lex.Weekday | Lex.State | Lex.Title | Lex.Credential | Lex.MeasureUnit | Lex.StreetSuffix)) != 0
                || IsFunctionWord(k))
            {
                return;
            }
        }

        // "Gloria lives with me at 2210 Magnolia in Slidell.": after "at" in a sentence saying where someone lives, the
        // number and words are the street whatever follows them ("in" a town, a comma, the sentence's end).
        if (WordIs(i - 1, "at") && LivesBefore13(i - 1)
            && (!InRange(last + 1) || _t[last + 1].Is(TokenShape.LineBefore) || IsPunct(last + 1, '.') || IsPunct(last + 1, ',')
                || IsPunct(last + 1, ';') || IsPunct(last + 1, ')') || WordIs(last + 1, "in") || WordIs(last + 1, "near")))
        {
            Mark(i, last, PhiKind.Address);
            return;
        }

        // The city: one or two capitalized words after the comma, then a state (after a comma or not) or a ZIP code.
        var city = last + 2;
        if (!IsPunct(last + 1, ',') || !IsWord(city) || !IsCapitalized(city) || _t[city].Is(TokenShape.LineBefore))
        {
            return;
        }

        var after = IsWord(city + 1) && IsWrittenCapital13(city + 1) && (L(city + 1) & Lex.State) == 0 ? city + 2 : city + 1;
        if (IsPunct(after, ','))
        {
            after++;
        }

        var state = IsWord(after) && (L(after) & Lex.State) != 0 && (_t[after].Is(TokenShape.Upper) || _t[after].Length > 2);
        var zip = IsNumber(after, 5, 5) || (InRange(after) && _run[after] != 0 && _kind[after] == PhiKind.Zip);
        if (!state && !zip)
        {
            return;
        }

        Mark(i, last, PhiKind.Address);
    }

    /// <summary>
    /// "lives w/ wife in lame deer.", "pt is from rocky boy": after "in" or "near" in a sentence saying where someone
    /// lives, or "from" after "is" or "comes", one to three lower-case words that end the clause are a town, unless a word is
    /// a function, clinical or housing word ("lives in a group home", "lives in assisted living").
    /// </summary>
    private void LowerTownAfterCue13(int i)
    {
        var j = i + 1;
        if (!IsWord(j) || !_t[j].Is(TokenShape.Lower) || !char.IsLower(_text[_t[j].Start]) || _t[j].Is(TokenShape.LineBefore) || !IsFree(j))
        {
            return;
        }

        // The phrase's end first, by shape alone: most words after "in" go on into a clause and are spared the lookups.
        var end = -1;
        for (var k = j; k < j + 3 && IsWord(k) && !_t[k].Is(TokenShape.LineBefore) && IsFree(k) && char.IsLower(_text[_t[k].Start]); k++)
        {
            if (!InRange(k + 1) || _t[k + 1].Is(TokenShape.LineBefore) || IsPunct(k + 1, '.') || IsPunct(k + 1, ',') || IsPunct(k + 1, ';')
                || IsPunct(k + 1, '!') || IsPunct(k + 1, '?') || IsPunct(k + 1, ')'))
            {
                end = k;
                break;
            }
        }

        if (end < 0)
        {
            return;
        }

        var cued = WordIs(i, "from")
            ? WordIs(i - 1, "is") || WordIs(i - 1, "comes") || WordIs(i - 1, "came") || WordIs(i - 1, "originally") || WordIs(i - 1, "moved")
            : LivesBefore13(i);
        if (!cued)
        {
            return;
        }

        for (var k = j; k <= end; k++)
        {
            if (_t[k].Length < 2 || IsFunctionWord(k) || IsHousingWord13(k)
                || (L(k) & (Lex.Clinical | Lex.Month | Lex.Weekday | Lex.MeasureUnit | Lex.Relation | Lex.Title | Lex.Facility)) != 0)
            {
                return;
            }
        }

        // One word is a town only when a list says so and no list takes it for an ordinary word ("lives in poverty").
        if (end == j && ((L(j) & Lex.Place) == 0 || (L(j) & Lex.Common) != 0))
        {
            return;
        }

        Mark(j, end, PhiKind.Location);
    }

    // "lives", "living", "lived", "resides", "moved", "stays" within a few words before, in the same sentence.
    private bool LivesBefore13(int i)
    {
        for (var p = i - 1; p >= 0 && p >= i - 7; p--)
        {
            if (IsPunct(p, '.') || IsPunct(p, ';') || IsPunct(p, '?') || IsPunct(p, '!') || _t[p + 1].Is(TokenShape.LineBefore))
            {
                return false;
            }

            if (WordIs(p, "lives") || WordIs(p, "living") || WordIs(p, "lived") || WordIs(p, "resides") || WordIs(p, "moved") || WordIs(p, "stays")
                || WordIs(p, "live") || WordIs(p, "staying"))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsHousingWord13(int k) =>
        WordIs(k, "home") || WordIs(k, "house") || WordIs(k, "apartment") || WordIs(k, "apt") || WordIs(k, "facility") || WordIs(k, "shelter")
        || WordIs(k, "group") || WordIs(k, "nursing") || WordIs(k, "assisted") || WordIs(k, "living") || WordIs(k, "care") || WordIs(k, "town")
        || WordIs(k, "city") || WordIs(k, "country") || WordIs(k, "area") || WordIs(k, "rural") || WordIs(k, "community") || WordIs(k, "trailer")
        || WordIs(k, "car") || WordIs(k, "motel") || WordIs(k, "hotel") || WordIs(k, "unit") || WordIs(k, "village") || WordIs(k, "housing")
        || WordIs(k, "basement") || WordIs(k, "poverty") || WordIs(k, "squalor") || WordIs(k, "fear") || WordIs(k, "pain") || WordIs(k, "isolation")
        || WordIs(k, "snf") || WordIs(k, "alf") || WordIs(k, "ltc") || WordIs(k, "dorm") || WordIs(k, "bed") || WordIs(k, "place") || WordIs(k, "state")
        || WordIs(k, "county") || WordIs(k, "farm") || WordIs(k, "camper") || WordIs(k, "tent") || WordIs(k, "street") || WordIs(k, "streets")
        || WordIs(k, "building") || WordIs(k, "complex") || WordIs(k, "condo") || WordIs(k, "suburbs") || WordIs(k, "downtown") || WordIs(k, "there")
        || WordIs(k, "here") || WordIs(k, "together") || WordIs(k, "alone") || WordIs(k, "independently") || WordIs(k, "same") || WordIs(k, "law");
}
