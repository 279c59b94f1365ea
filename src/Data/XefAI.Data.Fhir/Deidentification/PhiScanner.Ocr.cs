namespace XefAI.Data.Deidentification;

/// <content>
/// What optical character recognition does to identifiers: digits of a date split by spaces ("0 7 / 1 4 / 1 9 5 5",
/// "10 / 22 / 26"), the letter O read for a zero ("O4 / 2022"), and a name hyphenated across a line break ("Cas-" then
/// "tañeda" on the next line).
/// </content>
internal sealed partial class Scan
{
    /// <summary>
    /// A date whose digits and slashes OCR has spaced out: two or three groups of digits (an O counted as a zero) split
    /// by slashes on one line, read as month/day/year or month/year.
    /// </summary>
    private bool TrySpacedDate(int i)
    {
        // Not the fraction of a decimal ("VBG 7.08 / 24 / 38" is a blood gas).
        if (!IsOcrDigits(i) || (IsOcrDigits(i - 1) && !_t[i].Is(TokenShape.LineBefore)) || (IsPunct(i - 1, '/') && !_t[i].Is(TokenShape.LineBefore))
            || ((IsPunct(i - 1, '.') || IsPunct(i - 1, ',')) && Joined(i)))
        {
            return false;
        }

        Span<int> values = stackalloc int[3];
        Span<int> lengths = stackalloc int[3];
        var groups = 0;
        var end = -1;
        for (var k = i; k < i + 16 && InRange(k) && (k == i || !_t[k].Is(TokenShape.LineBefore)); k++)
        {
            if (IsOcrDigits(k))
            {
                if (lengths[groups] + _t[k].Length > 4)
                {
                    return false;
                }

                values[groups] = (values[groups] * Pow10(_t[k].Length)) + OcrValue(k);
                lengths[groups] += _t[k].Length;
                end = k;
            }
            else if (IsPunct(k, '/') && lengths[groups] > 0 && groups < 2)
            {
                groups++;
            }
            else
            {
                break;
            }
        }

        // "07/14/1955" written tight is the numeric date rule's; this one takes those with a space or an O in them.
        var count = lengths[groups] > 0 ? groups + 1 : groups;
        if (count < 2 || !IsOcrMangled(i, end) || !IsSpacedDateValue(values, lengths, count))
        {
            return false;
        }

        Mark(i, end, PhiKind.Date);
        return true;
    }

    private static bool IsSpacedDateValue(ReadOnlySpan<int> values, ReadOnlySpan<int> lengths, int count)
    {
        if (lengths[0] > 2 || values[0] is < 1 or > 12)
        {
            return false;
        }

        if (count == 2)
        {
            return lengths[1] == 4 && values[1] is >= 1900 and <= 2099;
        }

        return lengths[1] <= 2 && values[1] is >= 1 and <= 31 && (lengths[2] == 2 || (lengths[2] == 4 && values[2] is >= 1900 and <= 2099))
            && lengths[0] + lengths[1] + lengths[2] >= 5;
    }

    private static int Pow10(int n) => n switch { 1 => 10, 2 => 100, 3 => 1000, _ => 10000 };

    /// <summary>Digits as OCR reads them: a number, or digits with an O for a zero ("O4", "2O26").</summary>
    private bool IsOcrDigits(int i)
    {
        if (!InRange(i) || _t[i].Length > 4)
        {
            return false;
        }

        if (_t[i].Type == TokenType.Number)
        {
            return true;
        }

        if (_t[i].Type != TokenType.Alnum)
        {
            return false;
        }

        foreach (var c in Span(i))
        {
            if (!char.IsAsciiDigit(c) && c is not ('O' or 'o'))
            {
                return false;
            }
        }

        return true;
    }

    private int OcrValue(int i)
    {
        var value = 0;
        foreach (var c in Span(i))
        {
            value = (value * 10) + (char.IsAsciiDigit(c) ? c - '0' : 0);
        }

        return value;
    }

    private bool IsOcrMangled(int from, int to)
    {
        for (var k = from; k <= to; k++)
        {
            if (_t[k].Type == TokenType.Alnum || (k > from && !_t[k].Adjacent))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// "Cas-" at a line's end, "tañeda" at the next line's start: the rest of a name hyphenated across the break is part
    /// of the name. Runs after the names are marked.
    /// </summary>
    private void MarkNameContinuations()
    {
        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if (i < 2 || _run[i] != 0 || !_t[i].Is(TokenShape.LineBefore) || !IsWord(i) || !_t[i].Is(TokenShape.Lower) || !IsPunct(i - 1, '-') || !Joined(i - 1)
                || _run[i - 2] == 0 || _kind[i - 2] != PhiKind.Name || !IsWord(i - 2))
            {
                continue;
            }

            Mark(i, i, PhiKind.Name);
        }
    }
}
