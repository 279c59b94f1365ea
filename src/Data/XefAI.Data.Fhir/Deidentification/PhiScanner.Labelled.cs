namespace XefAI.Data.Deidentification;

/// <content>
/// Numbers a word before them names that the cue rule misses: an account written with letters first ("Acct
/// OF-8812047", where "OF" is no filler word), a copay or savings card in groups ("copay card 6015 2200 4471 9833"),
/// the last four of a Social Security number alone ("last 4 7731"), and service logins ("svc_pophealth").
/// </content>
internal sealed partial class Scan
{
    /// <summary>"of" between a cue and its number ("number of the account") is a filler, not "OF-88120" a prefix.</summary>
    private bool IsFillerOf(int j) => WordIs(j, "of") && !(IsPunct(j + 1, '-') && Joined(j + 1) && InRange(j + 2) && Joined(j + 2));

    /// <summary>"copay card 6015 2200 4471 9833", "card # 4100 8826 1193", "ClinCard #4829 1003 7712": the card's number, in groups.</summary>
    private bool TryCardNumber(int i)
    {
        // "card", or a card's brand written as one word with it ("ClinCard #4829 1003 7712").
        // The last letter first: a d or D ends every word that ends in "card" in any case, and few others.
        var card = IsWord(i) && _t[i].Length >= 4 && (_text[_t[i].End - 1] | 0x20) == 'd' && Span(i).EndsWith("card", StringComparison.OrdinalIgnoreCase);
        if (!card || (_t[i].Length > 4 && !IsPunct(i + 1, '#')) || !(WordIs(i - 1, "copay") || WordIs(i - 1, "savings") || WordIs(i - 1, "discount") || WordIs(i - 1, "assistance")
            || WordIs(i - 1, "rx") || IsPunct(i + 1, '#')))
        {
            return false;
        }

        var j = i + 1;
        while (j < i + 5 && (IsPunct(j, '#') || IsPunct(j, ':') || IsPunct(j, '.') || WordIs(j, "number") || WordIs(j, "no") || WordIs(j, "id")
            || WordIs(j, "is")))
        {
            j++;
        }

        var end = -1;
        var digits = 0;
        for (var k = j; k < j + 6 && IsNumber(k, 3, 8) && IsFree(k) && (k == j || !_t[k].Is(TokenShape.LineBefore)) && !_t[j].Is(TokenShape.LineBefore); k++)
        {
            digits += _t[k].Length;
            end = k;
        }

        if (end < 0 || digits < 8 || Has(end + 1, Lex.MeasureUnit))
        {
            return false;
        }

        Mark(j, end, PhiKind.Account);
        return true;
    }

    /// <summary>"last 4 7731", "last four 7731": the last four digits of a Social Security number.</summary>
    private bool TryLastFour(int i)
    {
        if (!WordIs(i, "last") || !((IsNumber(i + 1, 1, 1) && Value(i + 1) == 4) || WordIs(i + 1, "four")))
        {
            return false;
        }

        var n = IsPunct(i + 2, ':') || IsPunct(i + 2, '-') || IsPunct(i + 2, '=') ? i + 3 : i + 2;
        if (!IsNumber(n, 4, 4) || !IsFree(n) || _t[n].Is(TokenShape.LineBefore) || Has(n + 1, Lex.MeasureUnit) || IsPunct(n + 1, '%')
            || (IsPunct(n + 1, '/') && Joined(n + 1)))
        {
            return false;
        }

        Mark(n, n, PhiKind.Ssn);
        return true;
    }

    /// <summary>"svc_pophealth", "svc-epic-interface": an account a service logs in with.</summary>
    private bool TryServiceLogin(int i)
    {
        if (!(WordIs(i, "svc") || WordIs(i, "srv") || WordIs(i, "svcacct")) || !(IsPunct(i + 1, '_') || IsPunct(i + 1, '-')) || !Joined(i + 1)
            || !InRange(i + 2) || !Joined(i + 2) || _t[i + 2].Type == TokenType.Punct)
        {
            return false;
        }

        var end = i + 2;
        while (end - i < Window && (IsPunct(end + 1, '_') || IsPunct(end + 1, '-') || IsPunct(end + 1, '.')) && Joined(end + 1) && InRange(end + 2)
            && Joined(end + 2) && _t[end + 2].Type != TokenType.Punct)
        {
            end += 2;
        }

        Mark(i, end, PhiKind.Id);
        return true;
    }

    /// <summary>
    /// A DICOM UID: a dotted numeric OID of up to 64 characters, rooted at 1.2.840 or after a UID, study, series or
    /// instance cue ("STUDY UID: 1.2.840.113619.2.55.3.604688119"). Longer than the cue rule's window, so found whole here.
    /// </summary>
    private bool TryDicomUid(int i)
    {
        if (!IsNumber(i, 1, 1) || !IsPunct(i + 1, '.') || !Joined(i + 1) || !IsNumber(i + 2) || !Joined(i + 2))
        {
            return false;
        }

        var end = i;
        var groups = 1;
        while (end - i < 64 && IsPunct(end + 1, '.') && Joined(end + 1) && IsNumber(end + 2) && Joined(end + 2))
        {
            end += 2;
            groups++;
        }

        var rooted = Value(i) == 1 && Value(i + 2) == 2 && IsNumber(i + 4, 3, 3) && Value(i + 4) == 840;
        var b = WordBefore(i, 3);
        var cued = b >= 0 && (WordIs(b, "uid") || WordIs(b, "study") || WordIs(b, "series") || WordIs(b, "instance") || WordIs(b, "sop") || WordIs(b, "oid"));
        if (groups < 5 || !(rooted || cued))
        {
            return false;
        }

        Mark(i, end, PhiKind.Id);
        return true;
    }
}
