namespace XefAI.Data.Deidentification;

/// <content>A month written after its year with a hyphen, ISO style ("CABG 2022-06").</content>
internal sealed partial class Scan
{
    /// <summary>"2022-06": a year from 1900 to 2099, a hyphen and a two-digit month, with nothing glued after.</summary>
    private bool TryYearMonth(int i)
    {
        if (!IsNumber(i, 4, 4) || Value(i) is < 1900 or > 2099 || !IsPunct(i + 1, '-') || !Joined(i + 1) || !IsNumber(i + 2, 2, 2) || !Joined(i + 2)
            || Value(i + 2) is < 1 or > 12 || (IsPunct(i - 1) && Joined(i) && !IsQuotedValue(i))
            || (IsPunct(i + 3) && Joined(i + 3) && InRange(i + 4) && Joined(i + 4) && !IsCloser(i + 3) && !IsPunct(i + 3, '|')))
        {
            return false;
        }

        Mark(i, i + 2, PhiKind.Date);
        return true;
    }

    /// <summary>"1932-03" as a JSON string's whole value: a quote joined on either side.</summary>
    private bool IsQuotedValue(int i) => IsPunct(i - 1, '"') && IsPunct(i + 3, '"') && Joined(i + 3);
}
