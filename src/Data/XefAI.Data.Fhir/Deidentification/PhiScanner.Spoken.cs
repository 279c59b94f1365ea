namespace XefAI.Data.Deidentification;

/// <content>
/// Dates and numbers as speech recognition writes them: a month with a spoken day and year ("march third nineteen
/// fifty-one", "december fourth two thousand twenty six"), a spoken day after "on the" ("see her on the eighteenth"),
/// and digits spoken one by one ("m r n four four seven one zero nine two", "five five five oh one six eight").
/// </content>
internal sealed partial class Scan
{
    private static readonly WordSet SpokenDigits = new(["zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]);

    private static readonly WordSet SpokenUnitOrdinals = new(
        ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]);

    private static readonly WordSet SpokenLargeOrdinals = new(
    [
        "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
        "twentieth", "thirtieth",
    ]);

    private static readonly WordSet SpokenTens = new(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]);

    private static readonly WordSet SpokenUnits = new(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]);

    private static readonly WordSet SpokenTeens = new(
        ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]);

    /// <summary>A month, a spoken day and perhaps a spoken year: "march third nineteen fifty-one".</summary>
    private bool TrySpokenDate(int i)
    {
        if (!Has(i, Lex.Month) || _t[i].Length < 3)
        {
            return false;
        }

        var day = SpokenOrdinalEnd(i + 1);
        if (day < 0)
        {
            return false;
        }

        // Without a year, "march third" is a date only after a word that leads to one ("on", "since", "is", "birth").
        var year = SpokenYearEnd(IsPunct(day + 1, ',') ? day + 2 : day + 1);
        var b = WordBefore(i, 1);

        // A month no verb spells, before a day past the second: "mri february nineteenth", "booked june tenth".
        var plain = !WordIs(i, "may") && !WordIs(i, "march") && !WordIs(i + 1, "first") && !WordIs(i + 1, "second");
        if (year < 0 && !plain && !IsDatePreposition(b) && !(b >= 0 && (WordIs(b, "booked") || WordIs(b, "scheduled"))) && !(b >= 0 && (WordIs(b, "is") || WordIs(b, "of") || WordIs(b, "birth") || WordIs(b, "service") || WordIs(b, "dated"))))
        {
            return false;
        }

        Mark(i, year >= 0 ? year : day, PhiKind.Date);
        return true;
    }

    /// <summary>"on the eighteenth", "sunday the thirtieth": a spoken day of the month with nothing after it that it counts.</summary>
    private bool TrySpokenDayAfterThe(int i)
    {
        // "on the eighteenth", "Friday the 4th", and a dictated correction after a day: "no make that the twenty first".
        if (!WordIs(i, "the") || !(WordIs(i - 1, "on") || Has(i - 1, Lex.Weekday)
            || (WordIs(i - 1, "that") && (WordIs(i - 2, "make") || WordIs(i - 2, "scratch")) && InRange(i - 4) && IsDatedBefore22(i - 3))))
        {
            return false;
        }

        var end = SpokenOrdinalEnd(i + 1);
        if (end < 0 || WordIs(i + 1, "first") || WordIs(i + 1, "second"))
        {
            return false;
        }

        // "the fourth ventricle", "the fifth toe": an ordinal that counts a noun is not a day.
        // Unpunctuated dictation goes on with a word no ordinal counts: "on the eighteenth no make that ...".
        if (IsWord(end + 1) && !WordIs(end + 1, "of") && !WordIs(end + 1, "period") && !WordIs(end + 1, "comma") && !WordIs(end + 1, "at")
            && !WordIs(end + 1, "and") && !_t[end + 1].Is(TokenShape.LineBefore) && !IsWordOf(end + 1, DictationGoesOn22))
        {
            return false;
        }

        Mark(i + 1, end, PhiKind.Date);
        return true;
    }

    /// <summary>The last word of a spoken day ("third", "twenty-first", "thirtieth") that starts at <paramref name="k"/>; -1 when none.</summary>
    private int SpokenOrdinalEnd(int k)
    {
        if (!IsWord(k) || _t[k].Is(TokenShape.LineBefore))
        {
            return -1;
        }

        if (IsWordOf(k, SpokenUnitOrdinals) || IsWordOf(k, SpokenLargeOrdinals))
        {
            return k;
        }

        if (!(WordIs(k, "twenty") || WordIs(k, "thirty")))
        {
            return -1;
        }

        var n = IsPunct(k + 1, '-') && Joined(k + 1) ? k + 2 : k + 1;
        return IsWordOf(n, SpokenUnitOrdinals) && (WordIs(k, "twenty") || WordIs(n, "first")) ? n : -1;
    }

    /// <summary>
    /// The last word of a spoken year that starts at <paramref name="k"/>: "nineteen fifty-one", "nineteen oh five",
    /// "twenty twenty six", "two thousand twenty six", "two thousand and six"; -1 when none.
    /// </summary>
    private int SpokenYearEnd(int k)
    {
        if (!IsWord(k))
        {
            return -1;
        }

        if (WordIs(k, "two") && WordIs(k + 1, "thousand"))
        {
            var n = WordIs(k + 2, "and") ? k + 3 : k + 2;
            var rest = SpokenTwoDigitsEnd(n);
            return rest >= 0 ? rest : k + 1;
        }

        if (!(WordIs(k, "nineteen") || WordIs(k, "eighteen") || WordIs(k, "twenty")))
        {
            return -1;
        }

        if (WordIs(k + 1, "hundred"))
        {
            return k + 1;
        }

        if (WordIs(k + 1, "oh") && IsWordOf(k + 2, SpokenUnits))
        {
            return k + 2;
        }

        return SpokenTwoDigitsEnd(k + 1);
    }

    /// <summary>The last word of a spoken number from 1 to 99 ("six", "twelve", "fifty-one", "twenty six"); -1 when none.</summary>
    private int SpokenTwoDigitsEnd(int k)
    {
        if (!IsWord(k))
        {
            return -1;
        }

        if (IsWordOf(k, SpokenTeens) || IsWordOf(k, SpokenUnits))
        {
            return k;
        }

        return IsWordOf(k, SpokenTens) ? NumberWordAfter(k, SpokenUnits) : -1;
    }

    /// <summary>
    /// Digits spoken one by one: three or more after "area code", four or more after a cue of a number ("m r n", "phone",
    /// "social", "number"), seven or more anywhere. The cue names the kind.
    /// </summary>
    private bool TrySpokenDigits(int i)
    {
        if (!IsWordOf(i, SpokenDigits) || (IsWordOf(i - 1, SpokenDigits) && IsFree(i - 1)))
        {
            return false;
        }

        var end = i;
        while (end - i < 12 && (IsWordOf(end + 1, SpokenDigits) || (IsPunct(end + 1, '-') && IsWordOf(end + 2, SpokenDigits))))
        {
            end += IsPunct(end + 1, '-') ? 2 : 1;
        }

        var count = 0;
        for (var k = i; k <= end; k++)
        {
            count += IsWord(k) ? 1 : 0;
        }

        // No cue asks for fewer than three words: a shorter run ("three months") is refused before the cues are read.
        if (count < 3)
        {
            return false;
        }

        var kind = SpokenDigitsCue(i, out var areaCode);
        var needed = areaCode ? 3 : kind is not null ? 4 : 7;
        if (count < needed)
        {
            return false;
        }

        Mark(i, end, kind ?? PhiKind.Id);
        return true;
    }

    /// <summary>The kind a cue among the few words before spoken digits names; null when none.</summary>
    private PhiKind? SpokenDigitsCue(int i, out bool areaCode)
    {
        areaCode = false;
        for (var p = i - 1; p >= 0 && p >= i - 5; p--)
        {
            if (!IsWord(p))
            {
                continue;
            }

            // "record number", "account number", "social security number": the word before "number" names it.
            if (WordIs(p, "number") && IsWord(p - 1) && !WordIs(p - 1, "phone") && !WordIs(p - 1, "callback"))
            {
                p--;
            }

            if (WordIs(p, "code") && WordIs(p - 1, "area"))
            {
                areaCode = true;
                return PhiKind.Phone;
            }

            if (WordIs(p, "mrn") || WordIs(p, "record") || (WordIs(p, "n") && WordIs(p - 1, "r") && WordIs(p - 2, "m")))
            {
                return PhiKind.Mrn;
            }

            if (WordIs(p, "ssn") || WordIs(p, "social") || WordIs(p, "security"))
            {
                return PhiKind.Ssn;
            }

            if (WordIs(p, "phone") || WordIs(p, "callback") || WordIs(p, "cell") || WordIs(p, "telephone") || WordIs(p, "number") || WordIs(p, "call"))
            {
                return PhiKind.Phone;
            }

            if (WordIs(p, "account") || WordIs(p, "acct"))
            {
                return PhiKind.Account;
            }

            if (WordIs(p, "member") || WordIs(p, "id") || WordIs(p, "policy"))
            {
                return PhiKind.Id;
            }
        }

        return null;
    }

    /// <summary>
    /// A name spelled out letter by letter ("gwendolyn f a i r c h i l d", "spelled k o w a l"): four or more single
    /// letters after a name or a word of spelling. Runs after the names are marked.
    /// </summary>
    private void MarkSpelledNames()
    {
        // A spelled letter is a word: only words are walked, from the token after the last run looked at.
        var from = 1;
        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if (i < from || _run[i] != 0 || !IsSpelledLetter(i) || IsSpelledLetter(i - 1))
            {
                continue;
            }

            var end = i;
            while (end - i < 24 && IsSpelledLetter(end + 1) && IsFree(end + 1))
            {
                end++;
            }

            var b = i - 1;
            while (b > 0 && b > i - 3 && IsPunct(b))
            {
                b--;
            }

            // After a name only as dictation writes it, in lower case ("D O B :" after a name in capitals is a label).
            var cued = (_run[b] != 0 && _kind[b] == PhiKind.Name && _t[i].Is(TokenShape.Lower) && !IsPunct(end + 1, ':'))
                || WordIs(b, "spelled") || WordIs(b, "spelling") || WordIs(b, "spell");
            if (end - i >= 3 && cued)
            {
                Mark(i, end, PhiKind.Name);
            }

            from = end + 1;
        }
    }

    private bool IsSpelledLetter(int i) => IsWord(i) && _t[i].Length == 1 && !_t[i].Adjacent;
}
