namespace XefAI.Data.Deidentification;

/// <summary>
/// Structured rows pasted into notes: HL7 v2 segments (PID, NK1) whose fields hold a patient's name, address, phones and
/// birth date in fixed places, and CSV, pipe or tab tables whose header names what each column holds.
/// </summary>
internal sealed partial class Scan
{
    /// <summary>Most columns of a table a header is read for; cells past it are left to the other rules.</summary>
    private const int MaxColumns = 32;

    /// <summary>Marks the cells of HL7 segments and of tables with a header, each in one pass over its line.</summary>
    private void MarkStructuredRows()
    {
        Span<byte> columns = stackalloc byte[MaxColumns];
        var i = 0;
        while (i < Count)
        {
            if (!StartsLine(i))
            {
                i++;
                continue;
            }

            var end = LineEnd(i);
            if (TryMarkHl7ProviderSegment(i, end))
            {
                i = end + 1;
                continue;
            }

            if (IsHl7Segment(i))
            {
                MarkHl7Segment(i, end);
                i = end + 1;
                continue;
            }

            // A header names a column; its rows follow until a line without the same separator.
            if (HeaderSeparator(i, end, columns) is var separator and not '\0')
            {
                // A row has the header's cells, give or take an empty last one.
                var cells = Separators(i, end, separator);
                var row = end + 1;
                while (row < Count && LineEnd(row) is var rowEnd && Math.Abs(Separators(row, rowEnd, separator) - cells) <= 1)
                {
                    MarkRow(row, rowEnd, separator, columns);
                    row = rowEnd + 1;
                }

                i = row;
                continue;
            }

            i = end + 1;
        }
    }

    /// <summary>The last token of the line that starts at <paramref name="i"/>.</summary>
    private int LineEnd(int i)
    {
        var j = i;
        while (j + 1 < Count && !_t[j + 1].Is(TokenShape.LineBefore))
        {
            j++;
        }

        return j;
    }

    // ---- HL7 v2 ----

    // "PID|1||…", "NK1|1|…": a segment name in capitals glued to a field separator at the start of a line.
    private bool IsHl7Segment(int i) =>
        _t[i].Length == 3 && (Span(i) is "PID" or "NK1" or "GT1" or "IN1") && IsPunct(i + 1, '|') && Joined(i + 1);

    private void MarkHl7Segment(int i, int end)
    {
        if (Span(i) is "IN1")
        {
            MarkInsuranceSegment23(i, end);
            return;
        }

        var pid = Span(i) is "PID";
        var gt1 = Span(i) is "GT1";
        var field = 0;
        var component = 0;
        for (var j = i + 1; j <= end; j++)
        {
            if (IsPunct(j, '|'))
            {
                field++;
                component = 0;
                continue;
            }

            if (IsPunct(j, '^'))
            {
                component++;
                continue;
            }

            // A field's repetition ("CARDONA^JUAN~CARDONA^TEBO", a legal and a nickname) starts its components again.
            if (IsPunct(j, '~'))
            {
                component = 0;
                continue;
            }

            if (!IsFree(j) || _t[j].Type == TokenType.Punct)
            {
                continue;
            }

            // PID-5 and NK1-2 (GT1-3) a name LAST^FIRST^MIDDLE; PID-11 and NK1-4 (GT1-5) an address street^other^city^state^zip;
            // PID-13, PID-14, NK1-5, NK1-6 phones; PID-7 the birth date; PID-19 the SSN.
            var name = pid ? field == 5 || field == 6 || field == 9 : field == (gt1 ? 3 : 2);
            var address = pid ? field == 11 : field == (gt1 ? 5 : 4);
            var phone = pid ? field is 13 or 14 : field == (gt1 ? 6 : 5) || field == (gt1 ? 7 : 6);
            if (name && IsWord(j) && component <= 4)
            {
                Mark(j, j, PhiKind.Name);
            }
            else if (address && component <= 2)
            {
                MarkComponent(j, end, component == 2 ? PhiKind.Location : PhiKind.Address, out j);
            }
            else if (address && component == 4 && IsNumber(j, 5, 5))
            {
                MarkZip(j);
            }
            else if (address && component == 8 && IsWord(j))
            {
                // XAD-9, the county.
                MarkComponent(j, end, PhiKind.Location, out j);
            }
            else if (phone && _t[j].Type is TokenType.Number && component == 0)
            {
                MarkComponent(j, end, PhiKind.Phone, out j);
            }
            else if (pid && field == 7 && IsNumber(j, 8, 14))
            {
                Mark(j, j, PhiKind.Date);
            }
            else if (pid && field == 19 && IsNumber(j))
            {
                MarkComponent(j, end, PhiKind.Ssn, out j);
            }
        }
    }

    /// <summary>Marks the tokens from <paramref name="j"/> to the next '^' or '|' as one run; <paramref name="last"/> is its last token.</summary>
    private void MarkComponent(int j, int end, PhiKind kind, out int last)
    {
        last = j;
        while (last + 1 <= end && !IsPunct(last + 1, '^') && !IsPunct(last + 1, '|') && IsFree(last + 1))
        {
            last++;
        }

        Mark(j, last, kind);
    }

    // ---- Tables with a header ----

    /// <summary>
    /// The separator of a header line ('|', ',' or a tab) whose cells name a column of PHI ("Name", "DOB",
    /// "ZIP", "Pager"), with the kind of each column (kind + 1, 0 for none) in <paramref name="columns"/>; '\0' when the line is none.
    /// </summary>
    private char HeaderSeparator(int i, int end, Span<byte> columns)
    {
        // Headers are short words; a line with numbers or a sentence's punctuation in it is a row or prose, not a header.
        var pipes = 0;
        var commas = 0;
        var tabs = 0;
        for (var j = i; j <= end; j++)
        {
            if (_t[j].Type is TokenType.Number || IsPunct(j, ':') || IsPunct(j, '.') || IsPunct(j, ';'))
            {
                return '\0';
            }

            pipes += IsPunct(j, '|') ? 1 : 0;
            commas += IsPunct(j, ',') ? 1 : 0;
            tabs += j > i ? TabsBefore(j) : 0;
        }

        var separator = pipes >= 2 ? '|' : tabs >= 2 ? '\t' : commas >= 3 ? ',' : '\0';
        if (separator == '\0')
        {
            return '\0';
        }

        columns.Clear();
        var column = 0;
        var named = 0;
        var words = 0;
        for (var j = i; j <= end && column < MaxColumns; j++)
        {
            if (j > i && separator == '\t' && TabsBefore(j) is var tabbed and > 0)
            {
                column += tabbed;
                words = 0;
            }

            if (separator != '\t' && IsPunct(j, separator))
            {
                column++;
                words = 0;
                continue;
            }

            // A header's cell is a few words ("Date of Birth"), not a clause.
            if (IsWord(j) && ++words > 4)
            {
                return '\0';
            }

            if (column < MaxColumns && IsWord(j) && columns[column] == 0 && HeaderKind(j) is var kind and > 0)
            {
                columns[column] = kind;
                named++;
            }
        }

        return named >= (separator == ',' ? 2 : 1) ? separator : '\0';
    }

    /// <summary>The kind (plus one) of PHI a header word names; 0 for none.</summary>
    private byte HeaderKind(int j)
    {
        PhiKind kind;
        // "Last", "First name" (not "Last dose", "First fill").
        var nameAfter = !IsWord(j + 1) || _t[j + 1].Is(TokenShape.LineBefore) || WordIs(j + 1, "name") || WordIs(j + 1, "names");
        if (WordIs(j, "name") || WordIs(j, "patient") || WordIs(j, "surname") || WordIs(j, "prescriber") || WordIs(j, "provider") || WordIs(j, "guardian")
            || WordIs(j, "rn") || WordIs(j, "nurse")
            || ((WordIs(j, "last") || WordIs(j, "first") || WordIs(j, "given") || WordIs(j, "family") || WordIs(j, "contact")) && nameAfter))
        {
            kind = PhiKind.Name;
        }
        else if (WordIs(j, "dob") || WordIs(j, "birth") || WordIs(j, "birthdate") || WordIs(j, "date") || WordIs(j, "admitted") || WordIs(j, "discharged"))
        {
            kind = PhiKind.Date;
        }
        else if (WordIs(j, "zip") || WordIs(j, "zipcode") || WordIs(j, "postal") || WordIs(j, "postcode"))
        {
            kind = PhiKind.Zip;
        }
        else if (WordIs(j, "city") || WordIs(j, "town"))
        {
            kind = PhiKind.Location;
        }
        else if (WordIs(j, "address") || WordIs(j, "street") || WordIs(j, "addr"))
        {
            kind = PhiKind.Address;
        }
        else if (WordIs(j, "phone") || WordIs(j, "tel") || WordIs(j, "mobile") || WordIs(j, "cell") || WordIs(j, "pager") || WordIs(j, "pgr")
            || WordIs(j, "ext") || WordIs(j, "extension"))
        {
            kind = PhiKind.Phone;
        }
        else if (WordIs(j, "fax"))
        {
            kind = PhiKind.Fax;
        }
        else if (WordIs(j, "mrn"))
        {
            kind = PhiKind.Mrn;
        }
        else if (WordIs(j, "ssn"))
        {
            kind = PhiKind.Ssn;
        }
        else
        {
            return 0;
        }

        return (byte)(kind + 1);
    }

    /// <summary>The tabs in the white space before token <paramref name="j"/> (on its line).</summary>
    private int TabsBefore(int j)
    {
        var tabs = 0;
        for (var c = _t[j - 1].End; c < _t[j].Start; c++)
        {
            tabs += _text[c] == '\t' ? 1 : 0;
        }

        return tabs;
    }

    /// <summary>The separators of a line outside quotes.</summary>
    private int Separators(int i, int end, char separator)
    {
        var count = 0;
        var quoted = false;
        for (var j = i; j <= end; j++)
        {
            quoted ^= IsPunct(j, '"');
            count += separator == '\t' ? (j > i ? TabsBefore(j) : 0) : IsPunct(j, separator) && !quoted ? 1 : 0;
        }

        return count;
    }

    // Each cell under a column of PHI is marked as that kind: names word by word, other cells whole (a ZIP "15217", a
    // date "12/7", a phone "4125550187"); cells a format rule took keep their kind.
    private void MarkRow(int i, int end, char separator, ReadOnlySpan<byte> columns)
    {
        var column = 0;
        var quoted = false;
        var first = -1;
        for (var j = i; j <= end; j++)
        {
            var tabs = separator == '\t' && j > i ? TabsBefore(j) : 0;
            var punct = separator != '\t' && !quoted && IsPunct(j, separator);
            if (tabs > 0 || punct)
            {
                if (first >= 0)
                {
                    MarkCell(first, j - 1, column < MaxColumns ? columns[column] : (byte)0);
                }

                first = -1;
                column += punct ? 1 : tabs;
                if (punct)
                {
                    continue;
                }
            }

            quoted ^= IsPunct(j, '"');
            if (first < 0)
            {
                first = j;
            }
        }

        if (first >= 0)
        {
            MarkCell(first, end, column < MaxColumns ? columns[column] : (byte)0);
        }
    }

    private void MarkCell(int first, int last, byte column)
    {
        if (column == 0)
        {
            return;
        }

        var kind = (PhiKind)(column - 1);
        while (first <= last && _t[first].Type == TokenType.Punct)
        {
            first++;
        }

        while (last >= first && _t[last].Type == TokenType.Punct)
        {
            last--;
        }

        if (first > last || AnyMarked(first, last))
        {
            return;
        }

        if (kind == PhiKind.Name)
        {
            for (var j = first; j <= last; j++)
            {
                // Capitalized words that could be names ("Whitlock", "D"), not "Unknown", "n/a" or a credential.
                if (IsWord(j) && IsCapitalized(j) && (L(j) & (Lex.Credential | Lex.Title | Lex.Clinical)) == 0
                    && ((L(j) & Lex.Common) == 0 || (L(j) & Lex.Name) != 0))
                {
                    var name = JoinedNameEnd(j);
                    Mark(j, name, PhiKind.Name);
                    j = name;
                }
            }

            return;
        }

        if (kind == PhiKind.Zip && !(IsNumber(first, 5, 5) && (first == last || IsNumber(last, 4, 4))))
        {
            return;
        }

        // A date column's cell must hold a number ("12/7", "2026-12-07"), a phone's at least seven digits in all.
        if (kind is PhiKind.Date or PhiKind.Phone or PhiKind.Fax or PhiKind.Mrn or PhiKind.Ssn && !HasDigits(first, last, kind is PhiKind.Phone or PhiKind.Fax ? 3 : 1))
        {
            return;
        }

        Mark(first, last, kind);
    }

    private bool HasDigits(int first, int last, int atLeast)
    {
        var digits = 0;
        for (var j = first; j <= last; j++)
        {
            digits += _t[j].Type == TokenType.Number ? _t[j].Length : 0;
        }

        return digits >= atLeast;
    }
}
