namespace XefAI.Data.Deidentification;

/// <content>
/// Round 9 of places, identifiers and dates: streets written as machine values (<c>address.line=412 Kapiolani Way</c>,
/// <c>"line": ["9 Orchard Hill Ct"]</c>) and with a possessive in their name ("88 Hunter's Run Ln"), street corners,
/// postal codes after their key, codes with letter prefixes or spaced groups after a cue ("badge ACO-77", "DIN W0419 26
/// 481177 7", "Claim no. (C-file): C 28 447 109"), phones split by a line wrap, the time of a timestamp, and year ranges
/// that are no identifier.
/// </content>
internal sealed partial class Scan
{
    // ---- Streets as values ----

    /// <summary>
    /// The punctuation a machine format puts right before a value: '=' of a key, a quote, a bracket. A house number glued to
    /// it still starts a street ("address.line=412 Kapiolani Way").
    /// </summary>
    private bool IsValueOpener(int p) => IsPunct(p, '=') || IsPunct(p, '"') || IsPunct(p, '[');

    /// <summary>
    /// "Hunter's" in "88 Hunter's Run Ln": the token after a street word's possessive "'s" when a capitalized word goes on
    /// on the same line; otherwise <paramref name="j"/>.
    /// </summary>
    private int AfterPossessive(int j)
    {
        if (!(IsPunct(j + 1, '\'') || IsPunct(j + 1, '\u2019')) || !Joined(j + 1) || !WordIs(j + 2, "s") || !Joined(j + 2)
            || !IsWord(j + 3) || !IsCapitalized(j + 3) || _t[j + 3].Is(TokenShape.LineBefore) || !IsWord(j))
        {
            return j;
        }

        return j + 3;
    }

    /// <summary>
    /// A ZIP code as the value of its key: <c>address.postalCode=96782</c>, <c>"postalCode": "96782"</c>, <c>zip=02139</c>.
    /// </summary>
    private bool TryKeyedPostalCode(int i)
    {
        if (!IsNumber(i, 5, 5) || !IsFree(i))
        {
            return false;
        }

        // Back over the key's separator and quotes: '=', ':', '"'.
        var k = i - 1;
        while (k >= i - 3 && (IsPunct(k, '=') || IsPunct(k, ':') || IsPunct(k, '"')))
        {
            k--;
        }

        if (k == i - 1 || !IsWord(k))
        {
            return false;
        }

        var key = Span(k);
        if (!(key.EndsWith("postalcode", StringComparison.OrdinalIgnoreCase) || key.Equals("postcode", StringComparison.OrdinalIgnoreCase)
            || (WordIs(k, "code") && IsPunct(k - 1, '_') && WordIs(k - 2, "postal"))))
        {
            return false;
        }

        var end = IsPunct(i + 1, '-') && Joined(i + 1) && IsNumber(i + 2, 4, 4) && Joined(i + 2) ? i + 2 : i;
        Mark(i, end, PhiKind.Zip);
        return true;
    }

    // ---- Street corners ----

    /// <summary>
    /// "corner of Drake Rd and Shields St", "intersection of Elm and Main": after the cue and "of", one or two capitalized
    /// words (with a street suffix, or before "and", '&amp;' or '/') and the cross street after them.
    /// </summary>
    private bool TryStreetCorner(int i)
    {
        if (!(WordIs(i, "corner") || WordIs(i, "corners") || WordIs(i, "intersection")) || !WordIs(i + 1, "of"))
        {
            return false;
        }

        var j = i + 2;
        for (var n = 0; n < 3 && IsWord(j) && IsCapitalized(j) && IsFree(j) && !_t[j].Is(TokenShape.LineBefore); n++, j++)
        {
            // The suffix first: "Rd" and "St" are also a credential and a title.
            if (n > 0 && Has(j, Lex.StreetSuffix))
            {
                MarkCorner(i + 2, IsPunct(j + 1, '.') && Joined(j + 1) ? j + 1 : j);
                return true;
            }

            if (!IsStreetNameWord(j))
            {
                return false;
            }

            // "Drake and Shields": the cross street must follow a name without a suffix.
            if (IsPunct(j + 1, '&') || IsPunct(j + 1, '/') || WordIs(j + 1, "and"))
            {
                if (CrossStreetEnd(j) == j)
                {
                    return false;
                }

                MarkCorner(i + 2, j);
                return true;
            }
        }

        return false;
    }

    private bool IsStreetNameWord(int j) =>
        IsWord(j) && IsCapitalized(j) && IsFree(j) && !_t[j].Is(TokenShape.LineBefore)
        && !Has(j, Lex.Month | Lex.Weekday | Lex.Clinical | Lex.Title | Lex.Credential | Lex.Facility | Lex.NameLabel | Lex.Relation | Lex.MeasureUnit);

    /// <summary>
    /// "Drake Rd / Shields St", "Elm St &amp; 5th Ave" without a preposition: a street with its suffix, a slash or '&amp;',
    /// and a second street with its suffix. Tried at the '/' or '&amp;'.
    /// </summary>
    private bool TryCrossStreets(int i)
    {
        if (!(IsPunct(i, '/') || IsPunct(i, '&')) || !IsWord(i - 1) || !IsCapitalized(i - 1) || !Has(i - 1, Lex.StreetSuffix)
            || !IsStreetNameWord(i - 2) || Has(i - 2, Lex.StreetSuffix) || _t[i - 1].Is(TokenShape.LineBefore) || !IsFree(i - 1))
        {
            return false;
        }

        // Both sides named in full: the second must end in a suffix too.
        var end = CrossStreetEnd(i - 1);
        if (end == i - 1 || !(Has(end, Lex.StreetSuffix) || (IsPunct(end, '.') && Has(end - 1, Lex.StreetSuffix))) || end == i + 1)
        {
            return false;
        }

        var start = IsStreetNameWord(i - 3) && !Has(i - 3, Lex.StreetSuffix) && !_t[i - 2].Is(TokenShape.LineBefore) && !StartsSentence(i - 3) ? i - 3 : i - 2;
        MarkCorner(start, i - 1);
        return true;
    }

    /// <summary>Marks the street from <paramref name="start"/> to <paramref name="end"/> and the cross street after its "and", '&amp;' or '/', each its own address.</summary>
    private void MarkCorner(int start, int end)
    {
        var cross = CrossStreetEnd(end);
        Mark(start, end, PhiKind.Address);
        if (cross > end + 1)
        {
            Mark(end + 2, cross, PhiKind.Address);
        }
    }

    // ---- Codes after a cue ----

    /// <summary>
    /// Codes after an identifier cue that the cue rule's length and digit tests leave: letter prefixes ("badge ACO-77",
    /// "tech id KHM-118", "ID LCS-INT-31"), spaced groups after a letter ("C 28 447 109", "W0419 26 481177 7"), letters
    /// with digits ("ID: AHDX117"), a number after '#' ("STORE #0419") and any number after a cue that always announces
    /// one ("badge 2147"). A parenthesis after the cue ("Claim no. (C-file): ...") is passed over.
    /// </summary>
    private bool TryCodeAfterCue(int i)
    {
        if (!_lexicon.TryGetIdentifierCue(Span(i), out var kind) || kind != PhiKind.Id || WordIs(i, "no") && !IsPunct(i + 1, '.'))
        {
            return false;
        }

        var strong = WordIs(i, "badge") || WordIs(i, "store") || WordIs(i, "din") || WordIs(i, "cycle");
        var numbered = false;
        var j = i + 1;
        while (InRange(j) && j - i <= 8 && !_t[j].Is(TokenShape.LineBefore))
        {
            if (IsPunct(j, ':') || IsPunct(j, '.') || IsPunct(j, '='))
            {
                j++;
            }
            else if (IsPunct(j, '#'))
            {
                numbered = true;
                j++;
            }
            else if (IsPunct(j, '(') && j - i <= 3 && CloseAfter(j) is var close and > 0 && IsPunct(close + 1, ':'))
            {
                j = close + 1;
            }
            else if (IsWord(j) && (WordIs(j, "no") || WordIs(j, "id") || WordIs(j, "number") || WordIs(j, "nbr") || WordIs(j, "num")))
            {
                j++;
            }
            else
            {
                break;
            }
        }

        if (!InRange(j) || !IsFree(j) || _t[j].Type == TokenType.Punct || (_t[j].Is(TokenShape.LineBefore) && !IsPunct(j - 1, ':')))
        {
            return false;
        }

        var end = -1;
        if (IsLetterPrefixed(j) && (L(j) & (Lex.CodeCue | Lex.Clinical | Lex.MeasureUnit)) == 0)
        {
            end = IdentifierEnd(j, out var digits, out _, slash: false);
            end = digits >= 2 && !IsClinicalCode(j + 2) ? end : -1;
        }
        else if (SpacedGroupsEnd(j) is var groups and > 0)
        {
            end = groups;
        }
        else if (_t[j].Type == TokenType.Alnum && IsCodeWithLetters(j) && !IsMeasurement(j) && !IsClinicalCode(j))
        {
            end = IdentifierEnd(j, out _, out _, slash: false);
        }
        else if (IsNumber(j) && _t[j].Length <= 10 && !(IsPunct(j + 1, '.') && Joined(j + 1) && IsNumber(j + 2))
            && ((numbered && Joined(j) && _t[j].Length >= 3) || (strong && _t[j].Length >= 2)))
        {
            end = IdentifierEnd(j, out _, out _, slash: false);
        }

        if (end < 0 || AnyMarked(j, end) || Has(end + 1, Lex.MeasureUnit))
        {
            return false;
        }

        Mark(j, end, PhiKind.Id);
        return true;
    }

    /// <summary>The ')' that closes the '(' at <paramref name="j"/> within four tokens on its line; -1 when none.</summary>
    private int CloseAfter(int j)
    {
        for (var k = j + 1; k <= j + 5 && InRange(k) && !_t[k].Is(TokenShape.LineBefore); k++)
        {
            if (IsPunct(k, ')'))
            {
                return k;
            }
        }

        return -1;
    }

    /// <summary>
    /// "C 28 447 109", "W0419 26 481177 7", "RA 19 884 302": one or two capitals (or capitals with digits) and two or more
    /// groups of digits each after one space, on one line, with six digits or more in all; the last group's index, or -1.
    /// </summary>
    private int SpacedGroupsEnd(int j)
    {
        var head = (IsWord(j) && _t[j].Is(TokenShape.Upper) && _t[j].Length <= 2)
            || (_t[j].Type == TokenType.Alnum && char.IsAsciiLetterUpper(_text[_t[j].Start]) && IsCodeWithLetters(j, minimum: 1));
        if (!head)
        {
            return -1;
        }

        var digits = Digits(j);
        var end = j;
        var groups = 0;
        while (end - j < Window && IsNumber(end + 1) && _t[end + 1].Length <= 8 && IsSingleSpaceBefore(end + 1))
        {
            end++;
            groups++;
            digits += _t[end].Length;
        }

        return groups >= 2 && digits >= 6 && !Has(end + 1, Lex.MeasureUnit) ? end : -1;
    }

    /// <summary>Capitals and digits in one token, capitals first: "AHDX117", "W0419"; no lower-case letter.</summary>
    private bool IsCodeWithLetters(int j, int minimum = 2)
    {
        var span = Span(j);
        var letters = 0;
        var digits = 0;
        foreach (var c in span)
        {
            if (char.IsAsciiLetterLower(c))
            {
                return false;
            }

            letters += char.IsAsciiLetterUpper(c) ? 1 : 0;
            digits += char.IsAsciiDigit(c) ? 1 : 0;
        }

        return letters >= minimum && digits >= 2 && span.Length >= 5 && char.IsAsciiLetterUpper(span[0]);
    }

    // ---- Wrapped values ----

    /// <summary>"413-555-" at a line's end and "0157" at the next line's start: a phone number its hyphen says goes on.</summary>
    private bool TryWrappedPhone(int i)
    {
        if (!IsNumber(i, 3, 3) || !IsPunct(i + 1, '-') || !Joined(i + 1) || !IsNumber(i + 2, 3, 3) || !Joined(i + 2) || !IsPunct(i + 3, '-')
            || !Joined(i + 3) || !IsNumber(i + 4, 4, 4) || !_t[i + 4].Is(TokenShape.LineBefore) || (IsPunct(i - 1) && Joined(i) && !IsPunct(i - 1, '(')))
        {
            return false;
        }

        Mark(i, i + 4, PhiKind.Phone);
        return true;
    }

    // ---- Dates ----

    /// <summary>
    /// The last token of the time glued to a date by 'T' ("14T10" of <c>2024-03-14T10:30:00-05:00</c>): its minutes,
    /// seconds, fraction and zone offset.
    /// </summary>
    private int TimestampEnd(int end)
    {
        var k = end;
        for (var n = 0; n < 2 && IsPunct(k + 1, ':') && Joined(k + 1) && InRange(k + 2) && Joined(k + 2) && _t[k + 2].Type is TokenType.Number or TokenType.Alnum
            && _t[k + 2].Length <= 3; n++)
        {
            k += 2;
        }

        if (k == end)
        {
            return end;
        }

        // ".000", then "-10:00" or "+05:30".
        if (IsPunct(k + 1, '.') && Joined(k + 1) && InRange(k + 2) && Joined(k + 2) && _t[k + 2].Type is TokenType.Number or TokenType.Alnum && _t[k + 2].Length <= 4)
        {
            k += 2;
        }

        if ((IsPunct(k + 1, '-') || IsPunct(k + 1, '+')) && Joined(k + 1) && IsNumber(k + 2, 2, 2) && Joined(k + 2) && IsPunct(k + 3, ':') && Joined(k + 3)
            && IsNumber(k + 4, 2, 2) && Joined(k + 4))
        {
            k += 4;
        }

        return k;
    }

    /// <summary>A closing bracket or quote after a value: ")" of "(started 2019-06)", which ends it rather than going on.</summary>
    private bool IsCloser(int p) => IsPunct(p, ')') || IsPunct(p, ']') || IsPunct(p, '"');

    /// <summary>"1968-1971": a range of years is no identifier.</summary>
    private bool IsYearRange(int i, int end) =>
        end == i + 2 && IsNumber(i, 4, 4) && IsNumber(end, 4, 4) && IsPunct(i + 1, '-') && Value(i) is >= 1900 and <= 2100
        && Value(end) >= Value(i) && Value(end) <= 2100;

    /// <summary>
    /// "at ninety two she's done with that", "at ninety-one he still drives": an age over 89 in words after "at", with a
    /// person right after it (a rate or a reading "at ninety two" has none).
    /// </summary>
    private bool IsAgeAtBeforePerson(int i, int b, int end)
    {
        if (!WordIs(b, "at") || _t[i].Type != TokenType.Word)
        {
            return false;
        }

        var p = IsPunct(end + 1, ',') ? end + 2 : end + 1;
        return WordIs(p, "she") || WordIs(p, "he") || WordIs(p, "i") || WordIs(p, "they") || WordIs(p, "mom") || WordIs(p, "dad")
            || WordIs(p, "mother") || WordIs(p, "father");
    }
}
