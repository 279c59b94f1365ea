namespace XefAI.Data.Deidentification;

/// <content>
/// Formats a US hospital receives from abroad: UK and Canadian postcodes ("EX4 6BH", "K0A 1W1"), an Australian postcode
/// after its state ("Fitzroy VIC 3065"), UK and Australian phone numbers written without a country code ("07700 900461",
/// "0491 570 156"), and a bare extension after a phone line ("triage line x5512").
/// </content>
internal sealed partial class Scan
{
    /// <summary>At a token of capitals and digits: a UK postcode ("EX4 6BH", "SW1A 2AA") or a Canadian one ("K0A 1W1").</summary>
    private bool TryPostcode(int i)
    {
        var outward = Span(i);
        if (outward.Length is < 2 or > 4 || !char.IsAsciiLetterUpper(outward[0]) || !InRange(i + 1) || _t[i + 1].Type != TokenType.Alnum
            || _t[i + 1].Length != 3 || !IsSingleSpaceBefore(i + 1) || !IsFree(i + 1) || (IsPunct(i - 1) && Joined(i) && !IsPunct(i - 1, '(')))
        {
            return false;
        }

        var inward = Span(i + 1);
        var canadian = outward.Length == 3 && char.IsAsciiDigit(outward[1]) && char.IsAsciiLetterUpper(outward[2])
            && char.IsAsciiDigit(inward[0]) && char.IsAsciiLetterUpper(inward[1]) && char.IsAsciiDigit(inward[2]);
        if (!canadian && !(IsUkOutward(outward) && char.IsAsciiDigit(inward[0]) && char.IsAsciiLetterUpper(inward[1]) && char.IsAsciiLetterUpper(inward[2])
            && !inward[1..].SequenceEqual("ND") && !inward[1..].SequenceEqual("RD") && !inward[1..].SequenceEqual("TH") && !inward[1..].SequenceEqual("ST")))
        {
            return false;
        }

        // Not inside something longer ("EX4 6BH-2").
        if (IsPunct(i + 2) && Joined(i + 2) && !IsPunct(i + 2, ',') && !IsPunct(i + 2, '.') && !IsPunct(i + 2, ')'))
        {
            return false;
        }

        Mark(i, i + 1, PhiKind.Zip);
        return true;
    }

    // One or two capitals, a digit, then a capital or a digit or nothing: "EX4", "M1", "SW1A", "B33".
    private static bool IsUkOutward(ReadOnlySpan<char> s)
    {
        var letters = char.IsAsciiLetterUpper(s[1]) ? 2 : 1;
        if (s.Length <= letters || !char.IsAsciiDigit(s[letters]))
        {
            return false;
        }

        return s.Length == letters + 1 || (s.Length == letters + 2 && (char.IsAsciiDigit(s[^1]) || char.IsAsciiLetterUpper(s[^1])));
    }

    private bool IsSingleSpaceBefore(int i) => _t[i].Is(TokenShape.SpaceBefore) && !_t[i].Is(TokenShape.LineBefore) && _t[i].Start - _t[i - 1].End == 1;

    /// <summary>"Fitzroy VIC 3065": an Australian state's code in capitals, its four-digit postcode, and the suburb before.</summary>
    private bool TryAustralianPostcode(int i)
    {
        if (!_t[i].Is(TokenShape.Upper) || _t[i].Length != 3 || !(WordIs(i, "vic") || WordIs(i, "nsw") || WordIs(i, "qld") || WordIs(i, "tas"))
            || !IsNumber(i + 1, 4, 4) || !IsSingleSpaceBefore(i + 1) || !IsFree(i + 1) || Continues(i + 1, before: false))
        {
            return false;
        }

        var suburb = i - 1;
        if (IsWord(suburb) && IsFree(suburb) && _t[suburb].Is(TokenShape.Capitalized) && !_t[i].Is(TokenShape.LineBefore)
            && (L(suburb) & (Lex.Clinical | Lex.Common | Lex.Title | Lex.NameLabel)) == 0)
        {
            Mark(suburb, suburb, PhiKind.Location);
        }

        Mark(i + 1, i + 1, PhiKind.Zip);
        return true;
    }

    /// <summary>
    /// A phone written the UK or Australian way, with its trunk zero and no country code: "07700 900461", "01392 411611"
    /// (five digits, six), "0491 570 156" (four, three, three), "020 7946 0018" (three, four, four).
    /// </summary>
    private bool TryTrunkPhone(int i)
    {
        if (_text[_t[i].Start] != '0' || _t[i].Length is < 3 or > 5 || _text[_t[i].Start + 1] == '0' || (IsPunct(i - 1) && Joined(i) && !IsPunct(i - 1, '('))
            || !IsNumber(i + 1) || !IsSingleSpaceBefore(i + 1))
        {
            return false;
        }

        int end;
        if (_t[i].Length == 5 && _t[i + 1].Length == 6)
        {
            end = i + 1;
        }
        else if (IsNumber(i + 2) && IsSingleSpaceBefore(i + 2) && ((_t[i].Length == 4 && _t[i + 1].Length == 3 && _t[i + 2].Length == 3)
            || (_t[i].Length == 3 && _t[i + 1].Length == 4 && _t[i + 2].Length == 4)))
        {
            end = i + 2;
        }
        else
        {
            return false;
        }

        if (!IsFree(end) || Continues(end, before: false) || (IsNumber(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore)) || Has(end + 1, Lex.MeasureUnit))
        {
            return false;
        }

        MarkPhone(i, end, CueBefore(i, PhiKind.Fax) ? PhiKind.Fax : PhiKind.Phone);
        return true;
    }

    /// <summary>"triage line x5512", "call x4410": an extension of four or five digits after its x, where a phone is meant.</summary>
    private bool TryBareExtension(int i)
    {
        var span = Span(i);
        if (span.Length is < 5 or > 6 || span[0] is not ('x' or 'X') || (IsPunct(i - 1) && Joined(i) && !IsPunct(i - 1, '(')))
        {
            return false;
        }

        foreach (var c in span[1..])
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        for (var p = i - 1; p >= 0 && p >= i - 3; p--)
        {
            if (IsWord(p) && (WordIs(p, "line") || WordIs(p, "call") || WordIs(p, "phone") || WordIs(p, "desk") || WordIs(p, "office") || WordIs(p, "pager")
                || WordIs(p, "tel") || WordIs(p, "reach") || WordIs(p, "dial") || WordIs(p, "ext") || WordIs(p, "nurse") || WordIs(p, "callback")))
            {
                Mark(i, i, PhiKind.Phone);
                return true;
            }

            if (_t[p].Is(TokenShape.LineBefore))
            {
                break;
            }
        }

        return false;
    }
}
