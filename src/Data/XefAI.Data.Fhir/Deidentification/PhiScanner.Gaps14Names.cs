namespace XefAI.Data.Deidentification;

/// <summary>
/// Round 14 of names and logins: a word in brackets after a name ("Amália Lopes (Lia)", "Sarah (Byler) Hostetler") or
/// after a ZIP code (a neighbourhood: "02740 (North End)"), a first name the lists know before a name a rule took ("ST
/// Grant Whitley"), children listed with their ages ("Marc (12) and Ruth (8)"), pedigree entries ("II-3 Abner 6"), a
/// nickname in quotes after a relative ("boyfriend \"Peanut\""), and a login after a JSON "user" key, after "user" or
/// after "printed by".
/// </summary>
internal sealed partial class Scan
{
    private const Lex NotAName14 = Lex.Clinical | Lex.Month | Lex.Weekday | Lex.Title | Lex.Credential | Lex.NameLabel | Lex.Relation
        | Lex.MeasureUnit | Lex.Facility | Lex.State | Lex.Holiday | Lex.IdentifierCue | Lex.UnitDesignator;

    /// <summary>
    /// "Amália Lopes (Lia)", "Sarah (Byler) Hostetler": a capitalized word alone in brackets right after a name a rule
    /// took is a nickname or a maiden name; "Brockton, MA 02301 (Campello)": after a ZIP code, a neighbourhood.
    /// </summary>
    private bool TryNameInParentheses14(int i)
    {
        if (!IsPunct(i - 1, '(') || !InRange(i - 2) || _run[i - 2] == 0)
        {
            return false;
        }

        var kind = _kind[i - 2];
        if (kind == PhiKind.Zip)
        {
            var end = IsWord(i + 1) && IsCapitalized(i + 1) && IsFree(i + 1) ? i + 1 : i;
            if (!IsPunct(end + 1, ')') || (L(i) & (Lex.Clinical | Lex.State | Lex.Month | Lex.Facility | Lex.Credential)) != 0)
            {
                return false;
            }

            Mark(i, end, PhiKind.Location);
            return true;
        }

        // A maiden name between a first name and a surname may be an ordinary word ("King"); a nickname after the name not.
        var between = IsWord(i + 2) && _run[i + 2] != 0 && _kind[i + 2] == PhiKind.Name;
        if (kind != PhiKind.Name || !IsPunct(i + 1, ')') || (L(i) & (NotAName14 | (between ? Lex.None : Lex.Common))) != 0)
        {
            return false;
        }

        Mark(i, i, PhiKind.Name);
        return true;
    }

    /// <summary>
    /// "ST Lane Whitley", "request: Grant Okafor,": a first name the lists know (here also a street word or an ordinary
    /// word) right before a name a rule took that starts there, on the same line and not after a house number.
    /// </summary>
    private bool TryFirstNameBeforeName14(int i)
    {
        var next = i + 1;
        if (!IsWord(next) || _run[next] == 0 || _kind[next] != PhiKind.Name || _t[next].Is(TokenShape.LineBefore) || IsNumber(i - 1)
            || (L(i) & Lex.FirstName) == 0 || (L(i) & NotAName14) != 0)
        {
            return false;
        }

        // Joins the name: one run for "Lane Whitley".
        var end = next;
        while (end + 1 < Count && _run[end + 1] == _run[next])
        {
            end++;
        }

        Mark(i, end, PhiKind.Name);
        return true;
    }

    /// <summary>
    /// "children Marc (12) and Ruth (8)", "2 kids, Anaïs (7) and ...": a capitalized word before a child's age in brackets
    /// after a word of children or after another child so written.
    /// </summary>
    private bool TryChildWithAge14(int i)
    {
        if (!IsPunct(i + 1, '(') || (L(i) & NotAName14) != 0)
        {
            return false;
        }

        if (!IsNumber(i + 2, 1, 2) || !IsPunct(i + 3, ')'))
        {
            return TryNameBeforeRole14(i);
        }

        var p = i - 1;
        if (IsPunct(p, ',') || IsPunct(p, ':') || WordIs(p, "and"))
        {
            p--;
        }

        var cued = WordIs(p, "children") || WordIs(p, "kids") || WordIs(p, "sons") || WordIs(p, "daughters") || WordIs(p, "siblings") || Has(p, Lex.Relation)
            || (IsPunct(p, ')') && IsNumber(p - 1, 1, 2) && IsPunct(p - 2, '(') && InRange(p - 3) && _run[p - 3] != 0 && _kind[p - 3] == PhiKind.Name);
        if (!cued)
        {
            return false;
        }

        Mark(i, i, PhiKind.Name);
        return true;
    }

    /// <summary>
    /// "report from Tiff (day RN)", "spoke with Arlo (night RN)": a name the lists do not take for a word, before a role in
    /// brackets that ends in a credential.
    /// </summary>
    private bool TryNameBeforeRole14(int i)
    {
        var close = -1;
        for (var k = i + 2; k <= i + 4 && InRange(k); k++)
        {
            if (IsPunct(k, ')'))
            {
                close = k;
                break;
            }
        }

        if (close < 0 || !IsWord(close - 1) || !Has(close - 1, Lex.Credential) || (L(i) & Lex.Common) != 0 || StartsSentence(i))
        {
            return false;
        }

        Mark(i, i, PhiKind.Name);
        return true;
    }

    /// <summary>"goes by Wid.", "she goes by Tess": the name a person goes by.</summary>
    private bool TryNameGoneBy14(int i)
    {
        if (!WordIs(i - 1, "by") || !(WordIs(i - 2, "goes") || WordIs(i - 2, "go") || WordIs(i - 2, "going") || WordIs(i - 2, "went")) || (L(i) & NotAName14) != 0)
        {
            return false;
        }

        Mark(i, i, PhiKind.Name);
        return true;
    }

    /// <summary>"III-2 Abner 4", "II-1 Ruth Zook": the name after a pedigree's generation (a Roman numeral) and number.</summary>
    private bool TryPedigreeName14(int i)
    {
        if (!IsNumber(i - 1, 1, 2) || !IsPunct(i - 2, '-') || !Joined(i - 1) || !Joined(i - 2) || !IsWord(i - 3) || !IsRomanGeneration14(i - 3)
            || (L(i) & (NotAName14 | Lex.Common)) != 0)
        {
            return false;
        }

        var end = i;
        while (end - i < 2 && IsWord(end + 1) && IsFree(end + 1) && _t[end + 1].Is(TokenShape.Capitalized) && !_t[end + 1].Is(TokenShape.LineBefore)
            && (L(end + 1) & (NotAName14 | Lex.Common)) == 0)
        {
            end++;
        }

        Mark(i, end, PhiKind.Name);
        return true;
    }

    private bool IsRomanGeneration14(int i) =>
        _t[i].Is(TokenShape.Upper) && _t[i].Length <= 3 && (WordIs(i, "i") || WordIs(i, "ii") || WordIs(i, "iii") || WordIs(i, "iv") || WordIs(i, "v"));

    /// <summary>"girlfriend \"Peanut\"", "his brother \"Junior\"": a nickname in quotes right after a relative.</summary>
    private bool TryQuotedNickname14(int i)
    {
        if (!IsPunct(i - 1, '"') || !IsPunct(i + 1, '"') || !IsWord(i - 2) || !Has(i - 2, Lex.Relation) || (L(i) & NotAName14) != 0)
        {
            return false;
        }

        Mark(i, i, PhiKind.Name);
        return true;
    }

    /// <summary>
    /// A login: the value of a JSON "user" key ("\"user\": \"hospice-rn-jdoe\""), a lower-case login after "user", with its
    /// domain ("user gmh\\jdoe"), or letters and digits after "printed by" ("printed by kwan07").
    /// </summary>
    private void TryLoginAfterCue14(int i)
    {
        if (IsPunct(i - 1, '"'))
        {
            var key = i - 4;
            if (!IsPunct(i - 2, ':') || !IsPunct(i - 3, '"') || !(WordIs(key, "user") || WordIs(key, "username") || WordIs(key, "login")))
            {
                return;
            }

            var end = i;
            while (end - i < 8 && InRange(end + 1) && Joined(end + 1) && !IsPunct(end + 1, '"') && IsFree(end + 1))
            {
                end++;
            }

            if (IsPunct(end + 1, '"'))
            {
                Mark(i, end, PhiKind.Id);
            }

            return;
        }

        // "user hosp\\kwatanabe" where another rule took the domain only: the login joins it.
        if (IsPunct(i - 1, '\\') && Joined(i - 1) && Joined(i) && InRange(i - 2) && _run[i - 2] != 0 && _kind[i - 2] == PhiKind.Id && WordIs(i - 3, "user"))
        {
            Mark(i - 2, i, PhiKind.Id);
            return;
        }

        if (WordIs(i - 1, "user"))
        {
            var end = IsPunct(i + 1, '\\') && Joined(i + 1) && Joined(i + 2) && InRange(i + 2) && _t[i + 2].Type is TokenType.Word or TokenType.Alnum ? i + 2 : i;
            if (end > i || _t[i].Type == TokenType.Alnum)
            {
                Mark(i, end, PhiKind.Id);
            }

            return;
        }

        if (_t[i].Type == TokenType.Alnum && _t[i].Length >= 4 && WordIs(i - 1, "by") && WordIs(i - 2, "printed") && char.IsLetter(_text[_t[i].Start]))
        {
            Mark(i, i, PhiKind.Id);
        }
    }
}
