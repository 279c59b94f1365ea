namespace XefAI.Data.Deidentification;

/// <content>
/// Words the name and number rules take in that are no one's identifier, taken back out after every rule has run: a
/// message header's "To:", "VA" (Veterans Affairs), military ranks ("SPC", "SGT") and "dob" after a name.
/// </content>
internal sealed partial class Scan
{
    private static readonly string[] Ranks =
    [
        "pvt", "pfc", "spc", "cpl", "sgt", "ssg", "sfc", "msg", "1sg", "sgm", "csm", "cpt", "maj", "ltc", "col", "ltg", "gen", "amn", "a1c", "sra",
        "ssgt", "tsgt", "msgt", "smsgt", "cmsgt", "lcpl", "gysgt", "ens", "ltjg", "lcdr", "cdr", "radm", "vadm", "adm", "cpo", "scpo", "mcpo",
    ];

    /// <summary>Takes back the tokens that were marked but are never identifiers; runs last.</summary>
    private void UnmarkNotPhi()
    {
        // Both rules act only at a word or a token of letters and digits.
        for (var w = 0; w < _letteredCount; w++)
        {
            // The country rule acts only at a marked token or at "in" and "from" (a state's code, a name label): the
            // other words skip the call.
            var i = _lettered[w];
            if (_run[i] != 0 || (_lex[i] & (Lex.State | Lex.NameLabel)) != 0)
            {
                MarkPlaceBeforeCountry(i);
            }

            if (_run[i] != 0 && (IsNotPhi(i) || IsFalseName(i) || IsFalseName10(i)))
            {
                _run[i] = 0;
            }
        }
    }

    private bool IsNotPhi(int i)
    {
        if (_t[i].Type is not (TokenType.Word or TokenType.Alnum) || _t[i].Length > 12)
        {
            return false;
        }

        return _kind[i] switch
        {
            // "To: Dr. Wendell Ashgrove", "READING: KRISHNAMURTHY": a label before its colon; "VA Black Hills": the Veterans Affairs; "dob 6/6/49".
            PhiKind.Name => (Has(i, Lex.NameLabel) && IsPunct(i + 1, ':') && _t[i].Length > 1) || (WordIs(i, "va") && _t[i].Is(TokenShape.Upper)) || WordIs(i, "dob") || IsRank(i),

            // "Acct 8812066 SPC Ruiz": a rank the groups of a number ran into.
            PhiKind.Account or PhiKind.Id or PhiKind.Mrn or PhiKind.Location => IsRank(i) && !IsNumber(i + 1),
            _ => false,
        };
    }

    /// <summary>A military rank in capitals ("SPC", "SSG") or capitalized with its full stop ("Sgt.").</summary>
    private bool IsRank(int i)
    {
        // Not a prefix glued to a number ("MSG-88213409").
        if ((!_t[i].Is(TokenShape.Upper) && !(_t[i].Is(TokenShape.Capitalized) && IsPunct(i + 1, '.'))) || (IsPunct(i + 1) && !IsPunct(i + 1, '.') && Joined(i + 1)))
        {
            return false;
        }

        foreach (var rank in Ranks)
        {
            if (_t[i].Length == rank.Length && Span(i).Equals(rank, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
