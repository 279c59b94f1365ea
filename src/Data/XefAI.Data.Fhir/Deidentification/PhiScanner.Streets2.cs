namespace XefAI.Data.Deidentification;

/// <content>
/// Street forms the suffix rule alone misses: abbreviations with a full stop inside a street's name ("1200 S. Main St.",
/// "Martin Luther King Jr. Blvd"), streets named by a leading word ("1408 Rue Carmelite", "88 Calle Sol"), Wisconsin
/// grid numbers ("W156 N8480 Pilgrim Rd") and military mail ("PSC 817 Box 44, FPO AE 09622").
/// </content>
internal sealed partial class Scan
{
    /// <summary>
    /// The token after a word of a street's name at <paramref name="j"/>, past the full stop of an abbreviation ("S.",
    /// "Jr.", "Mt.") that touches it; a full stop ends a name only after a longer word.
    /// </summary>
    private int AfterStreetWord(int j)
    {
        if (AfterPossessive(j) is var possessive && possessive != j)
        {
            return possessive;
        }

        if (!IsWord(j + 2) || !IsCapitalized(j + 2) || _t[j + 2].Is(TokenShape.LineBefore) || !IsWord(j))
        {
            return j + 1;
        }

        // "615 Ponce de Leon Pl": a particle in lower case inside the name.
        if (IsWord(j + 1) && _t[j + 1].Is(TokenShape.Lower) && !_t[j + 1].Is(TokenShape.LineBefore)
            && (WordIs(j + 1, "de") || WordIs(j + 1, "del") || WordIs(j + 1, "la") || WordIs(j + 1, "los") || WordIs(j + 1, "las") || WordIs(j + 1, "du")))
        {
            return j + 2;
        }

        if (!IsPunct(j + 1, '.') || !Joined(j + 1))
        {
            return j + 1;
        }

        var abbreviation = _t[j].Length == 1 || Has(j, Lex.Direction) || WordIs(j, "jr") || WordIs(j, "sr") || WordIs(j, "st") || WordIs(j, "mt")
            || WordIs(j, "ft") || WordIs(j, "dr");
        return abbreviation ? j + 2 : j + 1;
    }

    /// <summary>
    /// A house number, then a word that names a street from the front in French, Spanish or Italian ("Rue", "Calle",
    /// "Camino", "Avenida", "Via", "Paseo"), then one to three capitalized words.
    /// </summary>
    private bool TryPrefixStreet(int i)
    {
        var j = i + 1;
        if (!IsNumber(i, 1, 6) || !IsWord(j) || !IsCapitalized(j) || _t[j].Is(TokenShape.LineBefore) || !IsStreetPrefix(j))
        {
            return false;
        }

        var end = -1;
        for (var k = j + 1; k <= j + 3 && IsWord(k) && IsCapitalized(k) && !_t[k].Is(TokenShape.LineBefore); k++)
        {
            if (Has(k, Lex.Month | Lex.Weekday | Lex.MeasureUnit | Lex.Title | Lex.Credential | Lex.Clinical | Lex.UnitDesignator))
            {
                break;
            }

            end = k;
        }

        if (end < 0)
        {
            return false;
        }

        Mark(i, UnitEnd(end), PhiKind.Address);
        return true;
    }

    private bool IsStreetPrefix(int j) =>
        WordIs(j, "rue") || WordIs(j, "calle") || WordIs(j, "camino") || WordIs(j, "avenida") || WordIs(j, "via") || WordIs(j, "paseo")
        || WordIs(j, "carretera") || WordIs(j, "chemin") || WordIs(j, "boulevard") || WordIs(j, "avenue") || WordIs(j, "calzada");

    /// <summary>
    /// A Wisconsin grid address: two direction-lettered numbers ("W156 N8480"), then a street's name and suffix or a
    /// county road ("Pilgrim Rd", "County Road K").
    /// </summary>
    private bool TryGridAddress(int i)
    {
        if (!IsGridNumber(i) || !IsGridNumber(i + 1) || _t[i + 1].Is(TokenShape.LineBefore))
        {
            return false;
        }

        for (var k = i + 2; k <= i + 5 && IsWord(k) && IsCapitalized(k) && !_t[k].Is(TokenShape.LineBefore); k++)
        {
            if (k > i + 2 && Has(k, Lex.StreetSuffix))
            {
                var end = IsPunct(k + 1, '.') && Joined(k + 1) ? k + 1 : k;
                Mark(i, UnitEnd(end), PhiKind.Address);
                return true;
            }
        }

        // The two numbers alone are an address already.
        Mark(i, i + 1, PhiKind.Address);
        return true;
    }

    private bool IsGridNumber(int i)
    {
        if (!InRange(i) || _t[i].Type != TokenType.Alnum || _t[i].Length is < 3 or > 6)
        {
            return false;
        }

        var span = Span(i);
        return span[0] is 'N' or 'S' or 'E' or 'W' && span[1..].IndexOfAnyExceptInRange('0', '9') < 0;
    }

    /// <summary>
    /// Military mail: "PSC 817 Box 44", "CMR 480 Box 12", "Unit 2050 Box 1193" (unit and box) and "APO AE", "FPO AP",
    /// "DPO AA" (the post office and its region, a ZIP after it).
    /// </summary>
    private bool TryMilitaryAddress(int i)
    {
        if (!_t[i].Is(TokenShape.Upper | TokenShape.Capitalized))
        {
            return false;
        }

        if (WordIs(i, "psc") || WordIs(i, "cmr") || WordIs(i, "unit"))
        {
            var box = i + 2;
            if (!IsNumber(i + 1, 1, 5) || !WordIs(box, "box") || _t[i + 1].Is(TokenShape.LineBefore) || !IsNumber(box + 1, 1, 5))
            {
                return false;
            }

            Mark(i, box + 1, PhiKind.Address);
            return true;
        }

        if (!(WordIs(i, "apo") || WordIs(i, "fpo") || WordIs(i, "dpo")) || !_t[i].Is(TokenShape.Upper)
            || !(WordIs(i + 1, "ae") || WordIs(i + 1, "ap") || WordIs(i + 1, "aa")) || !_t[i + 1].Is(TokenShape.Upper))
        {
            return false;
        }

        Mark(i, i + 1, PhiKind.Address);
        if (IsNumber(i + 2, 5, 5) && IsFree(i + 2))
        {
            MarkZip(i + 2);
        }

        return true;
    }

    /// <summary>"Calle Olivo 418", "Avenida Juárez 1200": a street named from the front with its number after, as in Spanish.</summary>
    private bool TryPrefixStreetNumberAfter(int i)
    {
        if (!IsCapitalized(i) || !(WordIs(i, "calle") || WordIs(i, "avenida") || WordIs(i, "rua") || WordIs(i, "camino") || WordIs(i, "carretera")))
        {
            return false;
        }

        for (var k = i + 1; k <= i + 4 && InRange(k) && !_t[k].Is(TokenShape.LineBefore); k++)
        {
            if (k > i + 1 && IsNumber(k, 1, 5) && !Has(k + 1, Lex.MeasureUnit))
            {
                Mark(i, UnitEnd(k), PhiKind.Address);
                return true;
            }

            if (!IsWord(k) || !(IsCapitalized(k) || WordIs(k, "de") || WordIs(k, "del")))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>"BIA Route 41, House 18", "Tribal Route 12", "Navajo Route 7 House 3": a reservation road, with the house on it.</summary>
    private bool TryReservationRoute(int i)
    {
        if (!IsCapitalized(i) || !(WordIs(i, "bia") || WordIs(i, "tribal") || WordIs(i, "navajo") || WordIs(i, "indian") || WordIs(i, "ir"))
            || !(WordIs(i + 1, "route") || WordIs(i + 1, "rte") || WordIs(i + 1, "road") || WordIs(i + 1, "rd")) || !IsNumber(i + 2, 1, 4)
            || _t[i + 2].Is(TokenShape.LineBefore))
        {
            return false;
        }

        var end = i + 2;
        var house = IsPunct(end + 1, ',') ? end + 2 : end + 1;
        if ((WordIs(house, "house") || WordIs(house, "home") || WordIs(house, "hse")) && !_t[house].Is(TokenShape.LineBefore)
            && InRange(house + 1) && _t[house + 1].Type is TokenType.Number or TokenType.Alnum && _t[house + 1].Length <= 6)
        {
            end = house + 1;
        }

        Mark(i, UnitEnd(end), PhiKind.Address);
        return true;
    }
}
