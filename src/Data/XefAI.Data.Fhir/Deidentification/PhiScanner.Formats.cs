using System.Collections.Frozen;

namespace XefAI.Data.Deidentification;

/// <summary>Identifiers told by their format: e-mail, URL, IP, SSN, phone, dates, ages, addresses, ZIP codes and cued numbers.</summary>
internal sealed partial class Scan
{
    private const int MaxEmailPart = 64;
    private const int MaxUrl = 2048;

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> TopLevelDomains = new[]
    {
        "com", "org", "net", "edu", "gov", "mil", "int", "io", "us", "info", "biz", "health", "care", "clinic", "hospital", "app", "dev",
        "co", "me", "ly", "ai", "uk", "ca", "au", "de", "fr", "in", "mx", "nz", "ie", "online", "site", "portal", "med", "doctor", "email",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    // Three-digit ZIP prefixes of areas with 20,000 people or fewer: Safe Harbor lets none of their digits through.
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> RestrictedZip3 = new[]
    {
        "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878", "879", "884", "890", "893",
    }.ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>True when the first three digits of this ZIP code may stay (Safe Harbor's rule for populous areas).</summary>
    public static bool KeepsZip3(ReadOnlySpan<char> zip) =>
        zip.Length >= 5 && char.IsAsciiDigit(zip[0]) && char.IsAsciiDigit(zip[1]) && char.IsAsciiDigit(zip[2]) && !RestrictedZip3.Contains(zip[..3]);

    // ---- E-mail and URL: found by their characters, then marked on the tokens they cover ----

    private void MarkEmailsAndUrls()
    {
        var text = _text.AsSpan();
        for (var at = text.IndexOf('@'); at >= 0; at = Next(text, at + 1, '@'))
        {
            MarkEmail(text, at, at + 1);
        }

        // "jane.doe%40example.com": an address percent-encoded in a link's query is one address as written.
        for (var at = text.IndexOf("%40", StringComparison.Ordinal); at >= 0; at = Next(text, at + 3, "%40"))
        {
            MarkEmail(text, at, at + 3);
        }

        for (var colon = text.IndexOf("://", StringComparison.Ordinal); colon >= 0; colon = Next(text, colon + 3, "://"))
        {
            var start = colon;
            while (start > 0 && colon - start < 16 && char.IsAsciiLetter(text[start - 1]))
            {
                start--;
            }

            if (start < colon)
            {
                MarkChars(start, UrlEnd(text, colon + 3), PhiKind.Url);
            }
        }

        // "www." found by its dot (a vectorized search for one character), then the three letters before it; matches
        // cannot overlap, so every dot after "www" in any case is one, in text order.
        for (var dot = text.IndexOf('.'); dot >= 0; dot = Next(text, dot + 1, '.'))
        {
            var www = dot - 3;
            if (www >= 0 && (text[www] | 0x20) == 'w' && (text[www + 1] | 0x20) == 'w' && (text[www + 2] | 0x20) == 'w'
                && (www == 0 || !char.IsLetterOrDigit(text[www - 1])))
            {
                MarkChars(www, UrlEnd(text, www + 4), PhiKind.Url);
            }
        }

        // Bare domains: "mychart.example.org/visit".
        for (var i = 0; i + 2 < Count; i++)
        {
            if (!IsFree(i) || _t[i].Type == TokenType.Punct || _t[i].Length < 2 || !IsPunct(i + 1, '.') || !Joined(i + 1))
            {
                continue;
            }

            var last = i;
            while (IsPunct(last + 1, '.') && Joined(last + 1) && InRange(last + 2) && Joined(last + 2) && !IsPunct(last + 2) && last - i < 2 * Window)
            {
                last += 2;
            }

            if (last > i && TopLevelDomains.Contains(Span(last)) && !Has(i, Lex.MeasureUnit))
            {
                var end = _t[last].End;
                if (IsPunct(last + 1, '/') && Joined(last + 1))
                {
                    end = UrlEnd(text, _t[last + 1].Start);
                }

                MarkChars(_t[i].Start, end, PhiKind.Url);
                i = last;
            }
        }
    }

    /// <summary>
    /// The address whose '@' (or its "%40") spans [<paramref name="at"/>, <paramref name="domain"/>): a local part of
    /// the usual characters, or one in quotes (<c>"john\\doe"@example.com</c>, <c>"John Smith"@example.org</c>), which
    /// RFC 5322 allows and which is as much the person's as the rest.
    /// </summary>
    private void MarkEmail(ReadOnlySpan<char> text, int at, int domain)
    {
        int start;
        if (at > 1 && text[at - 1] == '"' && QuotedLocalStart(text, at - 1) is var open and >= 0)
        {
            start = open;
        }
        else
        {
            start = at;
            while (start > 0 && at - start < MaxEmailPart && IsEmailLocal(text[start - 1]))
            {
                start--;
            }
        }

        var end = domain;
        while (end < text.Length && end - domain < 255 && (char.IsLetterOrDigit(text[end]) || text[end] is '.' or '-'))
        {
            end++;
        }

        while (end > domain && text[end - 1] is '.' or '-')
        {
            end--;
        }

        if (start < at && text[domain..end].Contains('.'))
        {
            MarkChars(start, end, PhiKind.Email);
        }
    }

    /// <summary>Where the quoted local part whose closing quote is at <paramref name="close"/> opens; -1 when none does.</summary>
    private static int QuotedLocalStart(ReadOnlySpan<char> text, int close)
    {
        for (var k = close - 1; k >= 0 && close - k <= MaxEmailPart; k--)
        {
            if (text[k] is '\n' or '\r')
            {
                break;
            }

            // An escaped quote ("a\"b") is inside the part; an unescaped one opens it.
            if (text[k] == '"' && (k == 0 || text[k - 1] != '\\') && k < close - 1)
            {
                return k;
            }
        }

        return -1;
    }

    private static int Next(ReadOnlySpan<char> text, int from, char c)
    {
        var found = from < text.Length ? text[from..].IndexOf(c) : -1;
        return found < 0 ? -1 : from + found;
    }

    private static int Next(ReadOnlySpan<char> text, int from, string value)
    {
        var found = from < text.Length ? text[from..].IndexOf(value, StringComparison.Ordinal) : -1;
        return found < 0 ? -1 : from + found;
    }

    private static bool IsEmailLocal(char c) => char.IsLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-' or '\'';

    private static int UrlEnd(ReadOnlySpan<char> text, int from)
    {
        var end = from;
        while (end < text.Length && end - from < MaxUrl && !char.IsWhiteSpace(text[end]) && text[end] is not ('"' or '\'' or '<' or '>' or '[' or ']' or '{' or '}' or '|' or '`'))
        {
            end++;
        }

        while (end > from && text[end - 1] is '.' or ',' or ';' or ':' or '!' or '?' or ')')
        {
            end--;
        }

        return end;
    }

    /// <summary>Marks the tokens that lie in the characters [start, end), unless one of them is marked already.</summary>
    private void MarkChars(int start, int end, PhiKind kind)
    {
        var first = FirstTokenEndingAfter(start);
        var last = first;
        while (last + 1 < Count && _t[last + 1].Start < end)
        {
            last++;
        }

        if (first < Count && _t[first].Start < end && !AnyMarked(first, last))
        {
            Mark(first, last, kind);
        }
    }

    private int FirstTokenEndingAfter(int position)
    {
        int lo = 0, hi = Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_t[mid].End <= position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    // ---- IP addresses ----

    private bool TryIp(int i)
    {
        if (IsNumber(i, 1, 3) && Value(i) <= 255 && !(IsPunct(i - 1, '.') && Joined(i)))
        {
            var j = i;
            for (var group = 0; group < 3; group++)
            {
                if (!IsPunct(j + 1, '.') || !Joined(j + 1) || !IsNumber(j + 2, 1, 3) || !Joined(j + 2) || Value(j + 2) > 255)
                {
                    return false;
                }

                j += 2;
            }

            // A port or a CIDR suffix belongs to the address.
            if ((IsPunct(j + 1, ':') || IsPunct(j + 1, '/')) && Joined(j + 1) && IsNumber(j + 2) && Joined(j + 2))
            {
                j += 2;
            }

            Mark(i, j, PhiKind.Ip);
            return true;
        }

        return TryIpv6(i);
    }

    // Hex groups joined by colons, at least three colons and a group with a hex letter or four digits, so that times
    // ("10:30:15") are not taken for addresses.
    private bool TryIpv6(int i)
    {
        // A group alone is no address: a ':' must start it or touch its first group (two groups never touch).
        if (!IsPunct(i, ':') && !(IsPunct(i + 1, ':') && Joined(i + 1) && IsHexGroup(i)))
        {
            return false;
        }

        var j = i;
        int colons = 0, groups = 0;
        var hexLike = false;
        while (j < Count && j - i < 24)
        {
            if (IsPunct(j, ':'))
            {
                colons++;
            }
            else if (IsHexGroup(j))
            {
                groups++;
                hexLike |= _t[j].Type != TokenType.Number || _t[j].Length == 4;
            }
            else
            {
                break;
            }

            if (!Joined(j + 1) || !(IsPunct(j + 1, ':') || IsHexGroup(j + 1)))
            {
                j++;
                break;
            }

            j++;
        }

        if (colons >= 3 && groups >= 2 && hexLike)
        {
            Mark(i, j - 1, PhiKind.Ip);
            return true;
        }

        return false;
    }

    private bool IsHexGroup(int i)
    {
        if (!InRange(i) || _t[i].Type == TokenType.Punct || _t[i].Length > 4)
        {
            return false;
        }

        foreach (var c in Span(i))
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    // ---- SSN and phone numbers ----

    private bool TrySsn(int i)
    {
        // A masked SSN still shows its last four: "xxx-xx-4471", "***-**-4471".
        if (IsNumber(i, 4, 4) && IsPunct(i - 1, '-') && Joined(i) && InRange(i - 2) && (WordIs(i - 2, "xx") || IsPunct(i - 2, '*')))
        {
            Mark(i, i, PhiKind.Ssn);
            return true;
        }

        if (!IsNumber(i, 3, 3) || Continues(i, before: true))
        {
            return false;
        }

        // 123-45-6789 or 123 45 6789, with the same separator twice.
        if (Separator(i + 1, out var sep) && IsNumber(i + 1 + sep, 2, 2)
            && Separator(i + 2 + sep, out var sep2) && sep2 == sep && IsNumber(i + 2 + sep + sep2, 4, 4)
            && (sep == 1 ? SamePunct(i + 1, i + 3) : true))
        {
            var end = i + 2 + sep + sep2;
            if (!Continues(end, before: false) && (sep == 1 || CueBefore(i, PhiKind.Ssn) || !IsNumber(i - 1)))
            {
                Mark(i, end, PhiKind.Ssn);
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a separator follows: 1 for a joined '-' or '.', 0 for white space alone; false otherwise.</summary>
    private bool Separator(int i, out int width)
    {
        width = 0;
        if (!InRange(i))
        {
            return false;
        }

        if ((IsPunct(i, '-') || IsPunct(i, '.') || IsPunct(i, '–')) && Joined(i) && Joined(i + 1))
        {
            width = 1;
            return true;
        }

        return _t[i].Type != TokenType.Punct && !_t[i].Is(TokenShape.LineBefore) && _t[i].Is(TokenShape.SpaceBefore)
            && _text[_t[i].Start - 1] == ' ';
    }

    private bool SamePunct(int a, int b) => _text[_t[a].Start] == _text[_t[b].Start];

    /// <summary>The number at <paramref name="i"/> is glued by '-', '.' or '/' to another number (part of something longer).</summary>
    private bool Continues(int i, bool before)
    {
        if (before)
        {
            return Joined(i) && (IsPunct(i - 1, '-') || IsPunct(i - 1, '.') || IsPunct(i - 1, '/')) && Joined(i - 1)
                && InRange(i - 2) && _t[i - 2].Type is TokenType.Number or TokenType.Alnum;
        }

        return IsPunct(i + 1) && Joined(i + 1) && (IsPunct(i + 1, '-') || IsPunct(i + 1, '.') || IsPunct(i + 1, '/'))
            && InRange(i + 2) && Joined(i + 2) && _t[i + 2].Type is TokenType.Number;
    }

    private bool TryPhone(int i)
    {
        if (TryUsPhone(i))
        {
            return true;
        }

        return IsPunct(i, '+') && TryInternationalPhone(i);
    }

    // "+86 138 0571 0420", "+44 20 7946 0018", "+234-803-555-0147": a country code glued to '+', then groups of one to
    // five digits on the same line, separated by one space, hyphen or dot, seven to thirteen digits in all.
    private bool TryInternationalPhone(int i)
    {
        if (!IsNumber(i + 1, 1, 3) || !Joined(i + 1) || (IsNumber(i - 1) && Joined(i)))
        {
            return false;
        }

        var end = i + 1;
        var digits = 0;
        var groups = 0;
        var j = i + 2;
        while (groups < Window && Separator(j, out var w) && IsNumber(j + w, 1, 5) && !_t[j + w].Is(TokenShape.LineBefore))
        {
            end = j + w;
            digits += _t[end].Length;
            groups++;
            j = end + 1;
        }

        if (groups < 2 || digits is < 7 or > 13 || Continues(end, before: false) || IsPunct(end + 1, '%') || Has(end + 1, Lex.MeasureUnit))
        {
            return false;
        }

        MarkPhone(i, end, CueBefore(i, PhiKind.Fax) ? PhiKind.Fax : PhiKind.Phone);
        return true;
    }

    // "call 2-7741", "paged at 4-8830", "x2-7741": an in-house extension (a digit, a hyphen, four digits) where a phone is meant.
    private bool TryInternalExtension(int i)
    {
        var lettered = _t[i].Type == TokenType.Alnum && _t[i].Length == 2 && Span(i)[0] is 'x' or 'X' && char.IsAsciiDigit(Span(i)[1]);
        if (!(lettered || IsNumber(i, 1, 1)) || !IsPunct(i + 1, '-') || !Joined(i + 1) || !IsNumber(i + 2, 4, 4) || !Joined(i + 2)
            || Continues(i + 2, before: false) || GluedToCode(i + 2) || (IsPunct(i - 1) && Joined(i) && !IsPunct(i - 1, '(')))
        {
            return false;
        }

        var called = lettered;
        for (var p = i - 1; !called && p >= 0 && p >= i - 5 && !IsPunct(p, '.') && !IsPunct(p, ';'); p--)
        {
            called = IsWord(p) && (WordIs(p, "call") || WordIs(p, "called") || WordIs(p, "calling") || WordIs(p, "page") || WordIs(p, "paged")
                || WordIs(p, "dial") || WordIs(p, "reach") || WordIs(p, "reached") || WordIs(p, "ext") || WordIs(p, "x") || WordIs(p, "phone")
                || WordIs(p, "callback") || WordIs(p, "pager") || WordIs(p, "pgr") || WordIs(p, "tel"));
        }

        if (!called)
        {
            return false;
        }

        Mark(i, i + 2, CueBefore(i, PhiKind.Fax) ? PhiKind.Fax : PhiKind.Phone);
        return true;
    }

    // The number with its extension ("ext 2291", "x4521"): the main corpus and two blind ones label the extension's word
    // inside the phone, so it goes with the number as one replacement.
    private void MarkPhone(int start, int end, PhiKind kind) => Mark(start, ExtensionEnd(end), kind);

    private bool TryUsPhone(int i)
    {
        var start = i;
        var j = i;

        // +1, 1-, 001
        if (IsPunct(j, '+') && IsNumber(j + 1, 1, 3) && Joined(j + 1))
        {
            j += 2;
            if (Separator(j, out var w))
            {
                j += w;
            }
        }
        else if (IsNumber(j, 1, 1) && Value(j) == 1 && Separator(j + 1, out var w1) && (IsNumber(j + 1 + w1, 3, 3) || IsPunct(j + 1 + w1, '(')))
        {
            j += 1 + w1;
        }

        int area;
        if (IsPunct(j, '(') && IsNumber(j + 1, 3, 3) && IsPunct(j + 2, ')'))
        {
            area = j + 2;
            j += 3;
        }
        else if (IsNumber(j, 3, 3) && !Continues(j, before: true))
        {
            area = j;
            j++;
        }
        else
        {
            return false;
        }

        // Area code then exchange: the exchange may follow "(617)" with or without white space.
        int exchange;
        if (_t[area].Type == TokenType.Punct && IsNumber(j, 3, 3))
        {
            exchange = j;
        }
        else if (Separator(j, out var s1) && IsNumber(j + s1, 3, 3))
        {
            exchange = j + s1;
        }
        else
        {
            return TryLocalPhone(start, area);
        }

        if (!Separator(exchange + 1, out var s2) || !IsNumber(exchange + 1 + s2, 4, 4))
        {
            return false;
        }

        var end = exchange + 1 + s2;
        if (Continues(end, before: false))
        {
            return false;
        }

        // Ten digits in groups of three with spaces only, and no cue, may be anything; "617 555 0134" still reads as a phone.
        MarkPhone(start, end, CueBefore(start, PhiKind.Fax) ? PhiKind.Fax : PhiKind.Phone);
        return true;
    }

    // 555-0134: seven digits joined by a hyphen.
    private bool TryLocalPhone(int start, int first)
    {
        if (start != first || !IsPunct(first + 1, '-') || !Joined(first + 1) || !IsNumber(first + 2, 4, 4) || !Joined(first + 2)
            || Continues(first + 2, before: false) || Continues(first, before: true) || GluedToCode(first + 2))
        {
            return false;
        }

        MarkPhone(start, first + 2, CueBefore(start, PhiKind.Fax) ? PhiKind.Fax : PhiKind.Phone);
        return true;
    }

    // "226-2025-CR-00418": a hyphen and letters glued after the number make it part of a longer code.
    private bool GluedToCode(int i) =>
        IsPunct(i + 1, '-') && Joined(i + 1) && InRange(i + 2) && Joined(i + 2) && _t[i + 2].Type is TokenType.Word or TokenType.Alnum;

    // "x4521", "ext. 4521", "extension 12" after a number belong to it.
    private int ExtensionEnd(int end)
    {
        var j = end + 1;
        if (IsPunct(j, ','))
        {
            j++;
        }

        if (InRange(j) && _t[j].Type == TokenType.Alnum && (Span(j)[0] is 'x' or 'X') && char.IsAsciiDigit(Span(j)[1]))
        {
            return j;
        }

        if (WordIs(j, "x") || WordIs(j, "ext") || WordIs(j, "extension") || WordIs(j, "poste"))
        {
            var k = IsPunct(j + 1, '.') ? j + 2 : j + 1;
            if (IsNumber(k, 1, 6))
            {
                return k;
            }
        }

        return end;
    }

    // ---- Device identifiers ----

    // A GS1 UDI in human-readable form: "(01)" and a 14-digit GTIN, then more "(NN)value" groups (expiry, lot, serial).
    // The whole string is the device's identifier.
    private bool TryGs1Udi(int i)
    {
        if (!Gs1Group(i, out var end) || !NumberIs(i + 1, "01") || !IsNumber(i + 3, 14, 14))
        {
            return false;
        }

        for (var groups = 1; groups < Window && Joined(end + 1) && Gs1Group(end + 1, out var next); groups++)
        {
            end = next;
        }

        Mark(i, end, PhiKind.Device);
        return true;
    }

    // "(17)301031": an application identifier of two to four digits in brackets, glued to its value.
    private bool Gs1Group(int i, out int end)
    {
        end = i + 3;
        return IsPunct(i, '(') && IsNumber(i + 1, 2, 4) && Joined(i + 1) && IsPunct(i + 2, ')') && Joined(i + 2) && InRange(i + 3) && Joined(i + 3)
            && _t[i + 3].Type is TokenType.Number or TokenType.Alnum;
    }

    private bool NumberIs(int i, string digits) => IsNumber(i) && Span(i).SequenceEqual(digits);

    // ---- Ages over 89 ----

    private bool TryAge(int i)
    {
        if (_t[i].Type == TokenType.Alnum)
        {
            // 92yo, 92yoF, 92M, 90s
            var span = Span(i);
            var digits = 0;
            while (digits < span.Length && char.IsAsciiDigit(span[digits]))
            {
                digits++;
            }

            var suffix = span[digits..];
            var decade = suffix.Equals("s", StringComparison.OrdinalIgnoreCase);
            var prior = WordBefore(i, 1);

            // "in her 90s" (not "BPs 140s/90s"); "92M" and "92yo" as words of their own (not "Tc-99m").
            var fits = decade
                ? prior >= 0 && (WordIs(prior, "her") || WordIs(prior, "his") || WordIs(prior, "their") || WordIs(prior, "early") || WordIs(prior, "mid") || WordIs(prior, "late"))
                : !(Joined(i) && IsPunct(i - 1));
            if (digits is 2 or 3 && int.Parse(span[..digits]) is >= 90 and <= 130 && IsAgeSuffix(suffix) && fits)
            {
                Mark(i, i, PhiKind.Age);
                return true;
            }

            return false;
        }

        if (!IsNumber(i, 2, 3) || Value(i) is < 90 or > 130 || Continues(i, before: true) || Continues(i, before: false))
        {
            return false;
        }

        return AgeAround(i, i);
    }

    // "ninety-one years old", "aged ninety one", "one hundred and two years old", "turned a hundred".
    private bool TryAgeInWords(int i)
    {
        var end = AgeWordsEnd(i);
        return end >= 0 && AgeAround(i, end);
    }

    /// <summary>The last word of an age of 90 to 139 written in words that starts at <paramref name="i"/>; -1 when none does.</summary>
    private int AgeWordsEnd(int i)
    {
        var k = i;
        if (WordIs(k, "one") || WordIs(k, "a"))
        {
            if (!WordIs(k + 1, "hundred") || _t[k + 1].Is(TokenShape.LineBefore))
            {
                return -1;
            }

            k++;
        }

        if (WordIs(k, "ninety"))
        {
            return NumberWordAfter(k, AgeUnitWords);
        }

        if (!WordIs(k, "hundred"))
        {
            return -1;
        }

        // "hundred and two", "hundred three", "hundred twenty-one"
        var n = WordIs(k + 1, "and") ? k + 2 : k + 1;
        if (!InRange(n) || _t[n].Is(TokenShape.LineBefore))
        {
            return k;
        }

        if (IsWordOf(n, AgeUnitWords) || IsWordOf(n, AgeTeenWords))
        {
            return n;
        }

        return IsWordOf(n, AgeTensWords) ? NumberWordAfter(n, AgeUnitWords) : k;
    }

    private static readonly WordSet AgeUnitWords = new(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]);

    private static readonly WordSet AgeTeenWords = new(
        ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]);

    private static readonly WordSet AgeTensWords = new(["twenty", "thirty"]);

    /// <summary>The word at <paramref name="i"/> is one of <paramref name="words"/>, compared as <see cref="WordIs"/> does.</summary>
    private bool IsWordOf(int i, WordSet words) => IsWord(i) && words.Contains(Span(i));

    /// <summary>As <see cref="IsWordOf(int, WordSet)"/>, for a list the rules also walk in order.</summary>
    private bool IsWordOf(int i, string[] words)
    {
        if (!IsWord(i))
        {
            return false;
        }

        // The token read once, not once per word of the list.
        var span = Span(i);
        foreach (var word in words)
        {
            if (word.Length == span.Length && span.Equals(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    // "ninety-six", "ninety six": the unit after a tens word, joined by a hyphen or a space on the same line.
    private int NumberWordAfter(int k, WordSet units)
    {
        if (IsPunct(k + 1, '-') && Joined(k + 1) && Joined(k + 2) && IsWordOf(k + 2, units))
        {
            return k + 2;
        }

        return IsWordOf(k + 1, units) && !_t[k + 1].Is(TokenShape.LineBefore) ? k + 1 : k;
    }

    private bool AgeAround(int i, int end)
    {
        var next = IsPunct(end + 1, '-') ? end + 2 : end + 1;
        var after = Has(next, Lex.AgeUnit) || (WordIs(next, "y") && IsPunct(next + 1, '/'));
        var b = WordBefore(i, 2);
        var before = b >= 0 && (WordIs(b, "age") || WordIs(b, "aged") || WordIs(b, "ages") || WordIs(b, "turns") || WordIs(b, "turned") || WordIs(b, "turning")
            || (WordIs(b, "at") && (DeathBefore(b) || WordBefore(b, 1) is var a and >= 0 && WordIs(a, "alive")))
            || (WordIs(b, "to") && WordBefore(b, 1) is var l and >= 0 && (WordIs(l, "lived") || WordIs(l, "live") || WordIs(l, "lives")))
            || IsDiedAbbreviation(b)
            || IsAgeStatement(b, end) || IsAgeAtBeforePerson(i, b, end));
        if ((after || before) && !IsPunct(end + 1, '%') && !(Has(end + 1, Lex.MeasureUnit) && !Has(end + 1, Lex.AgeUnit)) && !WordIs(end + 1, "percent"))
        {
            Mark(i, end, PhiKind.Age);
            return true;
        }

        return false;
    }

    // "died at 93", "passed away in her sleep at 97", "died last March at 91": a death word a few words before "at", same sentence.
    private bool DeathBefore(int at)
    {
        for (var p = at - 1; p >= 0 && p >= at - 6; p--)
        {
            if (IsPunct(p, '.') && IsDiedAbbreviation(p - 1))
            {
                return true;
            }

            if (IsPunct(p, '.') || IsPunct(p, ';') || _t[p + 1].Is(TokenShape.LineBefore))
            {
                return false;
            }

            if (WordIs(p, "died") || WordIs(p, "death") || WordIs(p, "passed") || WordIs(p, "deceased") || WordIs(p, "expired") || WordIs(p, "dying")
                || IsDiedAbbreviation(p))
            {
                return true;
            }
        }

        return false;
    }

    // "d. 96", "d. at ninety-one" in a pedigree: a "d" of its own followed by a period (not the end of "b.i.d.").
    private bool IsDiedAbbreviation(int d) =>
        WordIs(d, "d") && IsPunct(d + 1, '.') && !(IsPunct(d - 1, '.') && Joined(d)) && !IsPunct(d + 2);

    // "who is 91", "she was 92", "is 93 now", "(she's 93)": a person's age stated with "is"/"was" after a person or
    // before "now".
    private bool IsAgeStatement(int b, int end)
    {
        // The contracted "is": "she's", "he’s", "who's", written without spaces.
        if (b >= 2 && WordIs(b, "s") && (IsPunct(b - 1, '\'') || IsPunct(b - 1, '’')) && Joined(b) && Joined(b - 1)
            && (WordIs(b - 2, "she") || WordIs(b - 2, "he") || WordIs(b - 2, "who")))
        {
            return true;
        }

        if (b < 0 || !(WordIs(b, "is") || WordIs(b, "was") || WordIs(b, "now")))
        {
            return false;
        }

        var who = WordBefore(b, 1);
        if (who >= 0 && (WordIs(who, "who") || WordIs(who, "he") || WordIs(who, "she") || (WordIs(b, "now") && (WordIs(who, "is") || WordIs(who, "was")))))
        {
            return true;
        }

        return (WordIs(b, "is") || WordIs(b, "was")) && WordIs(end + 1, "now");
    }

    private static bool IsAgeSuffix(ReadOnlySpan<char> suffix) =>
        suffix.Equals("s", StringComparison.OrdinalIgnoreCase) || suffix.Equals("yo", StringComparison.OrdinalIgnoreCase)
        || suffix.Equals("yof", StringComparison.OrdinalIgnoreCase) || suffix.Equals("yom", StringComparison.OrdinalIgnoreCase)
        || suffix.Equals("y", StringComparison.OrdinalIgnoreCase) || suffix.Equals("yr", StringComparison.OrdinalIgnoreCase)
        || suffix.Equals("yrs", StringComparison.OrdinalIgnoreCase) || suffix.Equals("m", StringComparison.OrdinalIgnoreCase)
        || suffix.Equals("f", StringComparison.OrdinalIgnoreCase) || suffix.Equals("yoa", StringComparison.OrdinalIgnoreCase);

    // ---- Street addresses, cities, states and ZIP codes ----

    private bool TryStreetAddress(int i)
    {
        // Grid addresses: 1377 E 4500 S
        if (IsNumber(i, 1, 6) && IsWord(i + 1) && Has(i + 1, Lex.Direction) && _t[i + 1].Is(TokenShape.Upper) && IsNumber(i + 2, 3, 5)
            && IsWord(i + 3) && Has(i + 3, Lex.Direction) && _t[i + 3].Is(TokenShape.Upper) && !_t[i + 3].Is(TokenShape.LineBefore))
        {
            Mark(i, UnitEnd(i + 3), PhiKind.Address);
            return true;
        }

        // P.O. Box 123 / PO Box 123
        if ((WordIs(i, "po") || (WordIs(i, "p") && IsPunct(i + 1, '.') && WordIs(i + 2, "o"))) && IsCapitalized(i))
        {
            var box = WordIs(i, "po") ? i + 1 : i + 3;
            if (IsPunct(box, '.'))
            {
                box++;
            }

            if (WordIs(box, "box") && InRange(box + 1) && _t[box + 1].Type is TokenType.Number or TokenType.Alnum)
            {
                Mark(i, box + 1, PhiKind.Address);
                return true;
            }
        }

        if (!(IsNumber(i, 1, 6) || (_t[i].Type == TokenType.Alnum && char.IsAsciiDigit(Span(i)[0]) && _t[i].Length <= 7 && !IsClockWord(i)) || IsGridHouseNumber(i))
            || (IsPunct(i - 1) && Joined(i) && !IsPunct(i - 1, '#') && !IsPunct(i - 1, '(') && !IsUnitSlash(i) && !IsValueOpener(i - 1)))
        {
            return false;
        }

        // 1-4 capitalized words (or ordinals: 5th Avenue), then a street suffix; a house number may carry a half ("62 1/2").
        var j = IsNumber(i + 1, 1, 1) && IsPunct(i + 2, '/') && Joined(i + 2) && IsNumber(i + 3, 1, 1) && Joined(i + 3) && !_t[i + 1].Is(TokenShape.LineBefore)
            ? i + 4
            : i + 1;
        var words = 0;
        if (InRange(j) && !_t[j].Is(TokenShape.LineBefore) && RouteEnd(j) is var route and >= 0)
        {
            Mark(i, UnitEnd(route), PhiKind.Address);
            return true;
        }

        while (InRange(j) && words < 6 && !_t[j].Is(TokenShape.LineBefore))
        {
            // "218 Broadway": the one suffix that is a street's whole name.
            if (Has(j, Lex.StreetSuffix) && (words > 0 || WordIs(j, "broadway")) && IsCapitalized(j))
            {
                var end = j;

                // "Tobin Hill Rd", "Arlington Heights Rd": the suffix was part of the name.
                while (IsWord(end + 1) && Has(end + 1, Lex.StreetSuffix) && IsCapitalized(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore) && end - i < Window)
                {
                    end++;
                }

                if (IsPunct(end + 1, '.') && Joined(end + 1))
                {
                    end++;
                }

                // "Pkwy NW", "Ave S"
                if (IsWord(end + 1) && Has(end + 1, Lex.Direction) && _t[end + 1].Is(TokenShape.Upper | TokenShape.Capitalized) && !_t[end + 1].Is(TokenShape.LineBefore))
                {
                    end++;
                }

                // "COUNTY RD KK", "County Road 12", "State Hwy 29": a county or state road's letters or number follow it.
                if ((WordIs(j - 1, "county") || WordIs(j - 1, "state") || WordIs(j - 1, "co")) && InRange(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore)
                    && IsFree(end + 1) && (IsNumber(end + 1, 1, 3) || (IsWord(end + 1) && _t[end + 1].Is(TokenShape.Upper) && _t[end + 1].Length <= 3 && !Has(end + 1, Lex.State))))
                {
                    end++;
                }

                end = UnitEnd(end);
                Mark(UnitsBefore(i), end, PhiKind.Address);
                return true;
            }

            var isWord = (IsWord(j) && (IsCapitalized(j) || Has(j, Lex.Direction)) && !Has(j, Lex.MeasureUnit | Lex.Month))
                || (_t[j].Type == TokenType.Alnum && char.IsAsciiDigit(Span(j)[0]));
            if (!isWord)
            {
                return TryLooseAddress(i, i + 1 == j ? j : FirstAfterHouseNumber(i));
            }

            words++;
            j = AfterStreetWord(j);
        }

        return TryLooseAddress(i, FirstAfterHouseNumber(i));
    }

    // "Rural Route 2, Box 118", "RR 3 Box 42A", "Rt 2 Box 19", "HC 61 Box 7", "Star Route 4 Box 9": a rural route (or a
    // highway contract route) with its box is a mailing address in any case; "RR 24" alone is a respiratory rate and
    // "rt 2" alone a side, so the box must follow.
    private bool TryRuralBox(int i)
    {
        if ((_text[_t[i].Start] | 0x20) is not ('r' or 'h' or 's'))
        {
            return false;
        }

        var n = WordIs(i, "rr") || WordIs(i, "hc") || WordIs(i, "hcr") || WordIs(i, "rt") || WordIs(i, "rte") || WordIs(i, "route") ? i + 1
            : (WordIs(i, "rural") || WordIs(i, "star")) && WordIs(i + 1, "route") ? i + 2
            : -1;
        if (n < 0)
        {
            return false;
        }

        if (IsPunct(n, '#'))
        {
            n++;
        }

        var box = IsPunct(n + 1, ',') ? n + 2 : n + 1;
        if (!IsNumber(n, 1, 4) || _t[n].Is(TokenShape.LineBefore) || !(WordIs(box, "box") || WordIs(box, "bx")) || _t[box].Is(TokenShape.LineBefore))
        {
            return false;
        }

        var number = IsPunct(box + 1, '#') ? box + 2 : box + 1;
        if (!InRange(number) || !(IsNumber(number, 1, 6) || (_t[number].Type == TokenType.Alnum && _t[number].Length <= 6 && char.IsAsciiDigit(Span(number)[0]))))
        {
            return false;
        }

        Mark(i, number, PhiKind.Address);
        return true;
    }

    private int FirstAfterHouseNumber(int i) => IsNumber(i + 1, 1, 1) && IsPunct(i + 2, '/') && Joined(i + 2) && Joined(i + 3) ? i + 4 : i + 1;

    // A house number without a street suffix: one to three capitalized words after an address cue ("lives at 14
    // Ridgeview", "address: 88 Birchwood, apt 2").
    private bool TryLooseAddress(int i, int j)
    {
        if (!IsNumber(i, 1, 6) || !InRange(j) || _t[j].Is(TokenShape.LineBefore))
        {
            return false;
        }

        if (!AddressCueBefore(i))
        {
            return false;
        }

        var end = -1;
        for (var k = j; k < j + 3 && IsWord(k) && IsCapitalized(k) && !_t[k].Is(TokenShape.LineBefore); k++)
        {
            if (Has(k, Lex.Month | Lex.Weekday | Lex.MeasureUnit | Lex.Title | Lex.Credential | Lex.Relation | Lex.NameLabel | Lex.Facility | Lex.UnitDesignator)
                || (k == j && Has(k, Lex.Common | Lex.Clinical) && !IsWord(k + 1)))
            {
                break;
            }

            end = k;
        }

        if (end < 0 || Has(end, Lex.Clinical) || IsPunct(end + 1, '\'') || (IsPunct(end + 1, '.') && Joined(end + 1) && IsWord(end + 2) && Joined(end + 2)))
        {
            return false;
        }

        Mark(i, UnitEnd(end), PhiKind.Address);
        return true;
    }

    // "lives at", "moved to", "apt at", "address:", "home:" just before a house number.
    private bool AddressCueBefore(int i)
    {
        var b = WordBefore(i, 2);
        if (b < 0)
        {
            return false;
        }

        if (WordIs(b, "address") || WordIs(b, "addr") || WordIs(b, "residence") || (WordIs(b, "home") && IsPunct(i - 1, ':')))
        {
            return true;
        }

        if (!(WordIs(b, "at") || WordIs(b, "to") || WordIs(b, "on") || WordIs(b, "is")) || b != i - 1)
        {
            return false;
        }

        var v = WordBefore(b, 1);
        return v >= 0 && (Has(v, Lex.PlaceCue) || WordIs(v, "live") || WordIs(v, "lived") || WordIs(v, "stays") || WordIs(v, "staying") || WordIs(v, "apt")
            || WordIs(v, "apartment") || WordIs(v, "house") || WordIs(v, "home") || WordIs(v, "address"));
    }

    /// <summary>The last token of a route that starts at <paramref name="j"/> ("Rt 74", "Hwy 61", "County Road 12"); -1 when none does.</summary>
    private int RouteEnd(int j)
    {
        if (!IsWord(j))
        {
            return -1;
        }

        var n = j + 1;
        if ((WordIs(j, "county") || WordIs(j, "state") || WordIs(j, "us") || WordIs(j, "farm")) && IsWord(j + 1)
            && (WordIs(j + 1, "road") || WordIs(j + 1, "rd") || WordIs(j + 1, "route") || WordIs(j + 1, "rt") || WordIs(j + 1, "highway") || WordIs(j + 1, "hwy")))
        {
            n = j + 2;
        }
        else if (!(WordIs(j, "rt") || WordIs(j, "rte") || WordIs(j, "route") || WordIs(j, "hwy") || WordIs(j, "highway")))
        {
            return -1;
        }

        if (IsPunct(n, '-') && Joined(n))
        {
            n++;
        }

        // "Route 9", "Rt 9A"; not "rt 4th finger".
        var number = IsNumber(n, 1, 4) || (InRange(n) && _t[n].Type == TokenType.Alnum && _t[n].Length <= 4 && Span(n)[..^1].IndexOfAnyExceptInRange('0', '9') < 0
            && char.IsAsciiLetter(Span(n)[^1]));
        if (!number || _t[n].Is(TokenShape.LineBefore) || Continues(n, before: false) || Has(n + 1, Lex.MeasureUnit) || IsPunct(n + 1, '%'))
        {
            return -1;
        }

        return n;
    }

    // "on Chestnut St", "off Fenwick Street": a street named without its number after a preposition of place.
    private bool TryStreetAfterPreposition(int i)
    {
        if (!(WordIs(i, "on") || WordIs(i, "off") || WordIs(i, "along") || WordIs(i, "onto") || WordIs(i, "near") || WordIs(i, "at")))
        {
            return false;
        }

        for (var j = i + 1; j <= i + 4 && IsWord(j) && IsCapitalized(j) && IsFree(j) && !_t[j].Is(TokenShape.LineBefore); j++)
        {
            if (j > i + 1 && Has(j, Lex.StreetSuffix) && !IsLooseSuffix(j) && !(Has(j - 1, Lex.Direction) && j - 1 == i + 1))
            {
                var end = j;
                while (IsWord(end + 1) && Has(end + 1, Lex.StreetSuffix) && IsCapitalized(end + 1) && IsFree(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore) && end - i < Window)
                {
                    end++;
                }

                end = IsPunct(end + 1, '.') && Joined(end + 1) ? end + 1 : end;
                Mark(i + 1, CrossStreetEnd(end), PhiKind.Address);
                return true;
            }

            if (Has(j, Lex.Month | Lex.Weekday | Lex.Clinical | Lex.Title | Lex.Credential | Lex.Facility | Lex.NameLabel | Lex.Relation | Lex.MeasureUnit | Lex.Holiday))
            {
                return false;
            }
        }

        return false;
    }

    // "Elm Grove Rd & W Bluemound", "Main St and 5th Ave", "Oak St / Pine": the cross street after a street named at a corner.
    private int CrossStreetEnd(int end)
    {
        var k = end + 1;
        if (!(IsPunct(k, '&') || IsPunct(k, '/') || WordIs(k, "and")) || !InRange(k + 1) || _t[k + 1].Is(TokenShape.LineBefore))
        {
            return end;
        }

        var j = k + 1;
        if (IsWord(j) && Has(j, Lex.Direction) && _t[j].Is(TokenShape.Upper) && IsWord(j + 1) && IsCapitalized(j + 1))
        {
            j++;
        }

        var last = -1;
        for (var n = 0; n < 3 && IsWord(j) && IsCapitalized(j) && IsFree(j) && !_t[j].Is(TokenShape.LineBefore)
            && (Has(j, Lex.StreetSuffix) || !Has(j, Lex.Month | Lex.Weekday | Lex.Clinical | Lex.Title | Lex.Credential | Lex.Facility | Lex.NameLabel | Lex.Relation)); n++, j++)
        {
            last = j;
            if (Has(j, Lex.StreetSuffix) && n > 0)
            {
                break;
            }
        }

        return last < 0 ? end : IsPunct(last + 1, '.') && Joined(last + 1) && Has(last, Lex.StreetSuffix) ? last + 1 : last;
    }

    // "41.49218, -81.70334", "lat 41.4922 lon -81.7033": a latitude and a longitude (four or more decimals, or after their
    // words) place a person as closely as a street address does.
    private bool TryCoordinates(int i)
    {
        if (!IsDecimal(i, out var first, out var places) || Value(i) > 90 || (IsPunct(i - 1) && Joined(i) && !IsPunct(i - 1, '-')))
        {
            return false;
        }

        var cued = IsCoordinateWord(WordBefore(i, 3));
        var k = first + 1;
        if (IsPunct(k, ','))
        {
            k++;
        }

        if (IsCoordinateWord(k))
        {
            k += IsPunct(k + 1, ':') ? 2 : 1;
            cued = true;
        }

        var start = IsPunct(i - 1, '-') && Joined(i) ? i - 1 : i;
        var n = IsPunct(k, '-') && Joined(k + 1) ? k + 1 : k;
        if (InRange(n) && !_t[n].Is(TokenShape.LineBefore) && IsDecimal(n, out var second, out var places2) && Value(n) <= 180
            && (cued || (places >= 4 && places2 >= 4)))
        {
            Mark(start, second, PhiKind.Address);
            return true;
        }

        return false;
    }

    // "Room 1702, Building 3, 88 Xinhua Road", "Flat 4, 12 Elm Street": units written before the house number, as
    // addresses abroad put them; the first token of the address with them.
    private int UnitsBefore(int i)
    {
        // "5/112 Brunswick St": a unit's number and a slash before the house number (Australia, New Zealand).
        var start = IsUnitSlash(i) ? i - 2 : i;
        for (var n = 0; n < 3; n++)
        {
            var k = IsPunct(start - 1, ',') ? start - 2 : start - 1;
            if (!InRange(k - 1) || _t[start].Is(TokenShape.LineBefore) || !(IsNumber(k, 1, 5) || (InRange(k) && _t[k].Type == TokenType.Alnum))
                || !IsWord(k - 1) || !Has(k - 1, Lex.UnitDesignator) || !IsCapitalized(k - 1) || !IsFree(k - 1) || !IsFree(k) || _t[k].Is(TokenShape.LineBefore))
            {
                break;
            }

            start = k - 1;
        }

        return start;
    }

    // The house number at i follows a unit's number and a slash: "5/112".
    private bool IsUnitSlash(int i) =>
        IsPunct(i - 1, '/') && Joined(i) && Joined(i - 1) && IsNumber(i - 2, 1, 4) && IsFree(i - 2) && !(InRange(i - 3) && Joined(i - 2) && _t[i - 3].Type != TokenType.Word);

    // "N4471", "W12870": a rural grid house number, a direction letter glued to its digits.
    private bool IsGridHouseNumber(int i)
    {
        if (!InRange(i) || _t[i].Type != TokenType.Alnum || _t[i].Length is < 4 or > 7 || Span(i)[0] is not ('N' or 'S' or 'E' or 'W'))
        {
            return false;
        }

        return Span(i)[1..].IndexOfAnyExceptInRange('0', '9') < 0;
    }

    // "I-90 EB ramp at Exit 21", "I-75 NB near mile marker 162": an interstate with the ramp, exit or mile marker that
    // places a scene on it, and a cross street after a slash.
    private bool TryHighwayPlace(int i)
    {
        if (!(WordIs(i, "i") && _t[i].Is(TokenShape.Upper)) || !IsPunct(i + 1, '-') || !Joined(i + 1) || !IsNumber(i + 2, 1, 3) || !Joined(i + 2))
        {
            return false;
        }

        var j = i + 3;
        var end = i + 2;
        var placed = false;
        for (var n = 0; n < Window && InRange(j) && !_t[j].Is(TokenShape.LineBefore); n++)
        {
            if (IsWord(j) && (WordIs(j, "eb") || WordIs(j, "wb") || WordIs(j, "nb") || WordIs(j, "sb") || WordIs(j, "at") || WordIs(j, "near")
                || WordIs(j, "ramp") || WordIs(j, "on") || WordIs(j, "off") || WordIs(j, "mile") || WordIs(j, "marker")))
            {
                placed |= WordIs(j, "ramp") || WordIs(j, "marker");
                j++;
                continue;
            }

            if ((WordIs(j, "exit") || WordIs(j, "mm") || WordIs(j, "marker")) && InRange(j + 1) && _t[j + 1].Type is TokenType.Number or TokenType.Alnum)
            {
                placed = true;
                end = j + 1;
                j += 2;
                continue;
            }

            if (IsNumber(j) && WordIs(j - 1, "marker"))
            {
                end = j;
                j++;
                continue;
            }

            break;
        }

        if (!placed)
        {
            return false;
        }

        end = Math.Max(end, j - 1);
        while (end > i + 2 && (WordIs(end, "at") || WordIs(end, "near") || WordIs(end, "on") || WordIs(end, "off")))
        {
            end--;
        }

        // "… / Cordova Ave": the street the ramp meets.
        if (IsPunct(end + 1, '/') && IsWord(end + 2) && IsCapitalized(end + 2) && !_t[end + 2].Is(TokenShape.LineBefore))
        {
            var k = end + 2;
            while (k < end + 5 && IsWord(k) && IsCapitalized(k) && !_t[k].Is(TokenShape.LineBefore))
            {
                if (Has(k, Lex.StreetSuffix) && k > end + 2)
                {
                    end = k;
                    break;
                }

                k++;
            }
        }

        Mark(i, end, PhiKind.Address);
        return true;
    }

    private bool IsLoginCue(int i) =>
        WordIs(i, "login") || WordIs(i, "user") || WordIs(i, "username") || WordIs(i, "userid") || WordIs(i, "wechat") || WordIs(i, "handle")
        || WordIs(i, "whatsapp") || WordIs(i, "skype");

    private bool IsCoordinateWord(int i) =>
        WordIs(i, "lat") || WordIs(i, "latitude") || WordIs(i, "lon") || WordIs(i, "lng") || WordIs(i, "longitude") || WordIs(i, "gps") || WordIs(i, "coordinates");

    // "41.49218": digits, a joined '.', digits; the last token and the number of decimals.
    private bool IsDecimal(int i, out int last, out int places)
    {
        last = i + 2;
        places = 0;
        if (!IsNumber(i, 1, 3) || !IsPunct(i + 1, '.') || !Joined(i + 1) || !IsNumber(i + 2, 1, 8) || !Joined(i + 2) || Continues(i + 2, before: false))
        {
            return false;
        }

        places = _t[i + 2].Length;
        return true;
    }

    // Suffixes that are ordinary words or titles too ("Dr", "Run", "View"): a street only with its house number.
    private bool IsLooseSuffix(int j) =>
        WordIs(j, "dr") || WordIs(j, "pt") || WordIs(j, "run") || WordIs(j, "walk") || WordIs(j, "view") || WordIs(j, "point") || WordIs(j, "green")
        || WordIs(j, "pass") || WordIs(j, "close") || WordIs(j, "loop") || WordIs(j, "path") || WordIs(j, "bend") || WordIs(j, "park") || WordIs(j, "row")
        || WordIs(j, "way") || WordIs(j, "place") || WordIs(j, "pl") || WordIs(j, "square") || WordIs(j, "crossing") || WordIs(j, "hill") || WordIs(j, "commons");

    // "Rt 74", "on route 9", "Hwy 61" without a house number: a highway word always, "route" and "rt" after a word of place.
    private bool TryRoute(int i)
    {
        var end = RouteEnd(i);
        if (end < 0 || (i > 0 && IsNumber(i - 1) && !_t[i].Is(TokenShape.LineBefore)))
        {
            return false;
        }

        var highway = WordIs(i, "hwy") || WordIs(i, "highway") || end > i + 1 && IsWord(i + 1) && !WordIs(i, "us");
        var b = WordBefore(i, 2);
        var cue = b >= 0 && (WordIs(b, "on") || WordIs(b, "off") || WordIs(b, "take") || WordIs(b, "took") || WordIs(b, "via") || WordIs(b, "along")
            || WordIs(b, "past") || WordIs(b, "onto") || WordIs(b, "near") || WordIs(b, "at") || WordIs(b, "address") || Has(b, Lex.PlaceCue));
        if (!highway && !cue)
        {
            return false;
        }

        Mark(i, UnitEnd(end), PhiKind.Address);
        return true;
    }

    // ", Apt 4B", "#12", "Suite 300" after a street.
    private int UnitEnd(int end)
    {
        var j = end + 1;
        if (IsPunct(j, ','))
        {
            j++;
        }

        // ", 3rd Floor"
        if (InRange(j + 1) && _t[j].Type == TokenType.Alnum && (WordIs(j + 1, "floor") || WordIs(j + 1, "fl")) && !_t[j].Is(TokenShape.LineBefore))
        {
            return j + 1;
        }

        if (Has(j, Lex.UnitDesignator) && !_t[j].Is(TokenShape.LineBefore))
        {
            var k = IsPunct(j + 1, '.') || IsPunct(j + 1, '#') ? j + 2 : j + 1;
            if (InRange(k) && _t[k].Type is TokenType.Number or TokenType.Alnum or TokenType.Word && _t[k].Length <= 6
                && (_t[k].Type != TokenType.Word || _t[k].Length <= 2))
            {
                return k;
            }
        }
        else if (IsPunct(j, '#') && InRange(j + 1) && Joined(j + 1) && _t[j + 1].Type is TokenType.Number or TokenType.Alnum)
        {
            return j + 1;
        }

        return end;
    }

    // "Springfield, IL 62704", "Boston MA 02115", "Dayton, Ohio": the city before a state, the ZIP after it.
    private bool TryCityStateZip(int i)
    {
        if (!IsState(i))
        {
            // "zip 02139", "zip code: 02139"
            if (WordIs(i, "zip") || WordIs(i, "zipcode"))
            {
                var k = i + 1;
                while (InRange(k) && k - i < 4 && (IsPunct(k) || WordIs(k, "code")))
                {
                    k++;
                }

                if (IsNumber(k, 5, 5) && IsFree(k))
                {
                    MarkZip(k);
                }
            }

            return false;
        }

        // "Patient ID 12345", "Offender ID 88213": Idaho's code after an identifier cue is the cue's "ID".
        if (Has(i - 1, Lex.IdentifierCue) && !_t[i].Is(TokenShape.LineBefore))
        {
            return false;
        }

        var zip = i + 1;
        if (IsPunct(zip, ','))
        {
            zip++;
        }

        var hasZip = IsNumber(zip, 5, 5) && !_t[zip].Is(TokenShape.LineBefore) && IsFree(zip);
        var comma = IsPunct(i - 1, ',');
        var isCode = _t[i].Length == 2;

        // A two-letter code is taken for a state only between a city and a ZIP code: "MD", "OR", "PA" are clinical words too.
        if (isCode && !(hasZip || (comma && IsCapitalized(i - 2) && !Has(i, Lex.Credential | Lex.Clinical))))
        {
            return false;
        }

        if (!hasZip && !comma)
        {
            return false;
        }

        // The city: up to three capitalized words before the comma (or before the state).
        var cityEnd = comma ? i - 2 : i - 1;
        var cityStart = cityEnd;
        while (cityStart - 1 >= 0 && cityEnd - cityStart < 2 && IsWord(cityStart - 1) && IsCapitalized(cityStart - 1)
            && !_t[cityStart].Is(TokenShape.LineBefore) && !Has(cityStart - 1, Lex.StreetSuffix | Lex.NameLabel))
        {
            cityStart--;
        }

        if (IsWord(cityEnd) && IsCapitalized(cityEnd) && IsFree(cityEnd) && !Has(cityEnd, Lex.StreetSuffix)
            && (hasZip || !Has(cityEnd, Lex.Clinical | Lex.Common)))
        {
            while (!IsFree(cityStart) && cityStart < cityEnd)
            {
                cityStart++;
            }

            Mark(cityStart, cityEnd, PhiKind.Location);
        }

        if (hasZip)
        {
            MarkZip(zip);
        }

        return hasZip;
    }

    private bool IsState(int i) =>
        Has(i, Lex.State) && (_t[i].Length == 2 ? _t[i].Is(TokenShape.Upper) : IsCapitalized(i));

    private void MarkZip(int i)
    {
        var end = i;
        if (IsPunct(i + 1, '-') && Joined(i + 1) && IsNumber(i + 2, 4, 4) && Joined(i + 2))
        {
            end = i + 2;
        }

        Mark(i, end, PhiKind.Zip);
    }

    // "Beaverton 97008", "Mount Pleasant, 29464": five digits right after a city or a street address.
    private void MarkZipsAfterPlaces()
    {
        for (var n = 0; n < _numberCount; n++)
        {
            var i = _numbers[n];
            if (i < 1 || !IsNumber(i, 5, 5) || !IsFree(i) || _t[i].Is(TokenShape.LineBefore) || Continues(i, before: false) && !IsPunct(i + 1, '-'))
            {
                continue;
            }

            var p = IsPunct(i - 1, ',') ? i - 2 : i - 1;
            if (InRange(p) && _run[p] != 0 && _kind[p] is PhiKind.Location or PhiKind.Address)
            {
                MarkZip(i);
                continue;
            }

            // "1190 Ben Sawyer Blvd, Mount Pleasant 29464": the words between the street and the ZIP code are the city.
            var cityStart = p;
            while (cityStart - 1 >= 0 && p - cityStart < 2 && IsWord(cityStart - 1) && IsCapitalized(cityStart - 1) && IsFree(cityStart - 1))
            {
                cityStart--;
            }

            if (IsWord(p) && IsCapitalized(p) && IsFree(p) && !Has(p, Lex.Clinical | Lex.MeasureUnit | Lex.Month) && AddressBefore(cityStart))
            {
                Mark(cityStart, p, PhiKind.Location);
                MarkZip(i);
            }
        }
    }

    // The city of "331 Larkspur Ln (trailer), Dunmore 18512" or of a line under "77 Linden Ave": an address marked a few
    // tokens back on the same line (the city after a comma) or at the end of the line before (the city starts a line).
    private bool AddressBefore(int cityStart)
    {
        var startsLine = StartsLine(cityStart);
        if (!startsLine && !IsPunct(cityStart - 1, ','))
        {
            return false;
        }

        var lines = 0;
        for (var p = cityStart - 1; p >= 0 && p >= cityStart - 24; p--)
        {
            if (_run[p] != 0 && _kind[p] == PhiKind.Address)
            {
                return true;
            }

            if (_t[p + 1].Is(TokenShape.LineBefore) && ++lines > (startsLine ? 1 : 0))
            {
                return false;
            }

            if (startsLine && _t[p].Type != TokenType.Punct && _run[p] == 0)
            {
                return false;
            }
        }

        return false;
    }

    // ---- Identifier numbers after cue words ----

    private bool TryIdentifierAfterCue(int i)
    {
        if ((L(i) & Lex.IdentifierCue) == 0 || !_lexicon.TryGetIdentifierCue(Span(i), out var kind))
        {
            return false;
        }

        // "Mr" announces a record number only as "MR#" or "MR:", never as a title; "MR 7730051" in capitals before a long
        // number is the record number written with its prefix, which goes with it.
        if (WordIs(i, "mr") && !(IsPunct(i + 1, '#') || IsPunct(i + 1, ':')))
        {
            if (_t[i].Is(TokenShape.Upper) && InRange(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore) && _t[i + 1].Type is TokenType.Number or TokenType.Alnum
                && IsFree(i + 1) && IdentifierEnd(i + 1, out var mrDigits, out _) is var mrEnd && mrDigits >= 6 && !AnyMarked(i + 1, mrEnd))
            {
                Mark(i, mrEnd, PhiKind.Mrn);
                return true;
            }

            return false;
        }

        // "ng/dL 0.8-1.8": "dL" after a slash is a unit, not a driver's licence.
        if (WordIs(i, "dl") && IsPunct(i - 1, '/') && Joined(i))
        {
            return false;
        }

        // "REF" in capitals is a catalogue number's label; "ref" is a reference number's only before letters and digits
        // ("denial ref DN-448012"), not before a lab's reference range ("ref 70-99").
        if (WordIs(i, "ref") && (_t[i].Is(TokenShape.Upper) || !LetteredCodeAfter(i)))
        {
            return false;
        }

        var weak = IsWeakCue(i);
        var numbered = false;
        var j = i + 1;
        while (InRange(j) && j - i <= 5)
        {
            if (IsPunct(j) && !IsPunct(j, '(') && _text[_t[j].Start] is ':' or '#' or '-' or '.' or '=' or '(' or ')' or '/' or ',' or '"')
            {
                numbered |= IsPunct(j, '#');
                j++;
                continue;
            }

            // "SSN last 4 6613", "last four digits: 0447"
            if (WordIs(j, "last") && (WordIs(j + 1, "four") || (IsNumber(j + 1, 1, 1) && Value(j + 1) == 4)))
            {
                j += WordIs(j + 2, "digits") ? 3 : 2;
                continue;
            }

            if (IsWord(j) && Has(j, Lex.IdentifierCue) && !(_t[j].Is(TokenShape.Upper) && IsPunct(j + 1, '-') && Joined(j + 1) && IsNumber(j + 2))
                && !(_t[j].Length <= 2 && (IsPunct(j + 1, '.') || IsPunct(j + 1, '_')) && Joined(j + 1) && InRange(j + 2) && Joined(j + 2) && _t[j + 2].Type == TokenType.Alnum)
                && _lexicon.TryGetIdentifierCue(Span(j), out var next))
            {
                // "Member ID", "Medical Record Number": the first specific cue names the kind; "license plate" a vehicle's.
                if ((kind is PhiKind.Id && next is not PhiKind.Id) || (kind is PhiKind.License && next is PhiKind.Vehicle)
                    || (kind is PhiKind.HealthPlan && next is PhiKind.License))
                {
                    kind = next;
                }

                weak &= IsWeakCue(j);
                j++;
                continue;
            }

            if (IsWord(j) && (WordIs(j, "is") || IsFillerOf(j) || WordIs(j, "nbr") || WordIs(j, "code") || WordIs(j, "card") || WordIs(j, "the")
                || WordIs(j, "medical") || WordIs(j, "security") || WordIs(j, "dr") || WordIs(j, "drivers") || WordIs(j, "driver")))
            {
                j++;
                continue;
            }

            break;
        }

        // The number a few words on: "DOC # from prior term 552018" (a number sign promised it), "plate on the truck reads
        // ZPX 5521" (a plate's letters and digits); a plate wrapped to the next line after its cue ("KY plate\nHQT 442").
        var far = false;
        if (IsWord(j) && _t[j].Is(TokenShape.Lower) && (numbered || kind == PhiKind.Vehicle))
        {
            var k = j;
            while (k < j + 4 && IsWord(k) && _t[k].Is(TokenShape.Lower) && !_t[k].Is(TokenShape.LineBefore) && !Has(k, Lex.IdentifierCue))
            {
                k++;
            }

            if (InRange(k) && !_t[k].Is(TokenShape.LineBefore) && (numbered ? _t[k].Type is TokenType.Number or TokenType.Alnum : IsPlate(k)))
            {
                j = k;
                far = true;
            }
        }

        if (!InRange(j) || !IsFree(j) || _t[j].Type == TokenType.Punct
            || (_t[j].Is(TokenShape.LineBefore) && !IsPunct(j - 1, ':') && !(j == i + 1 && kind is PhiKind.Vehicle or PhiKind.License && IsPlate(j))))
        {
            return false;
        }

        // A plate or licence written with a state or letters first: "OH plate JFK 2291", "license HI 00-448-2913".
        var start = j;
        if (IsWord(j) && _t[j].Is(TokenShape.Upper) && _t[j].Length <= 4 && InRange(j + 1) && !_t[j + 1].Is(TokenShape.LineBefore)
            && _t[j + 1].Type is TokenType.Number or TokenType.Alnum && kind is PhiKind.Vehicle or PhiKind.License or PhiKind.Device or PhiKind.Id or PhiKind.HealthPlan)
        {
            j++;
        }

        var end = IdentifierEnd(j, out var digits, out var length);
        if (kind is PhiKind.Vehicle or PhiKind.Account or PhiKind.Id or PhiKind.HealthPlan or PhiKind.Device or PhiKind.License)
        {
            // Groups with spaces between: "7719 2033 8841", "1Z 84A 332 01", "183 ZTN".
            while (end - start < 2 * Window && InRange(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore) && _t[end + 1].Is(TokenShape.SpaceBefore)
                && IsFree(end + 1) && IsGroup(end + 1) && (digits > 0 || _t[end + 1].Type != TokenType.Word))
            {
                end = IdentifierEnd(end + 1, out var more, out var moreLength);
                digits += more;
                length += moreLength;
            }
        }

        // A model year ("Vehicle: 2017 Honda") and a clock time after a weak cue ("report 0925") are not identifiers.
        if (end == j && IsNumber(j, 4, 4) && ((Value(j) is >= 1900 and <= 2100 && IsCapitalized(j + 1)) || (weak && IsClock(j))))
        {
            return false;
        }

        // "login: hkowalczyk", "printed by user mtran": a login is often letters alone, in lower case, after its cue.
        if (digits == 0 && end - start < Window && IsLoginCue(i) && _t[start].Is(TokenShape.Lower) && length >= 4
            && (L(start) & (Lex.Common | Lex.Clinical)) == 0)
        {
            Mark(start, end, PhiKind.Id);
            return true;
        }

        if (digits == 0 || length < 3 || (weak && digits < 4) || Has(end + 1, Lex.MeasureUnit) && digits < 5 || (far && numbered && digits < 5))
        {
            return false;
        }

        // A cued number glued to a unit ("100mg") or written as a decimal ("7.5") is a measurement; a trial's NCT number
        // ("trial NCT04412345") and a diagnosis code are no one's identifier.
        if (_t[j].Type == TokenType.Alnum && (IsMeasurement(j) || IsClinicalCode(j)))
        {
            return false;
        }

        if (kind is PhiKind.Phone or PhiKind.Fax && digits < 7)
        {
            // "pgr 4106", "ext 4402"; "call 2-7741", an internal extension after any phone cue.
            var internalExtension = digits == 5 && end == j + 2 && IsNumber(j, 1, 1) && IsPunct(j + 1, '-') && IsNumber(j + 2, 4, 4);
            if (!internalExtension && (digits < 3 || !(WordIs(i, "ext") || WordIs(i, "extension") || WordIs(i, "pager") || WordIs(i, "beeper") || WordIs(i, "pgr"))))
            {
                return false;
            }
        }

        if (kind == PhiKind.Zip)
        {
            kind = digits == 5 || digits == 9 ? PhiKind.Zip : PhiKind.Id;
        }

        Mark(start, end, kind);
        return true;
    }

    // A licence plate's look: "ZPX 5521", "HQT 442" (two to four capitals, then two to five digits), or "7KLT093",
    // "88-KLT" (capitals and digits in one token of five to eight).
    private bool IsPlate(int k)
    {
        if (IsWord(k) && _t[k].Is(TokenShape.Upper) && _t[k].Length is >= 2 and <= 4 && IsNumber(k + 1, 2, 5) && !_t[k + 1].Is(TokenShape.LineBefore)
            && !Joined(k + 1) && (L(k) & (Lex.Clinical | Lex.Common | Lex.State | Lex.MeasureUnit)) == 0)
        {
            return true;
        }

        if (!InRange(k) || _t[k].Type != TokenType.Alnum || _t[k].Length is < 5 or > 8)
        {
            return false;
        }

        var letters = 0;
        foreach (var c in Span(k))
        {
            if (char.IsAsciiLetterLower(c))
            {
                return false;
            }

            letters += char.IsAsciiLetterUpper(c) ? 1 : 0;
        }

        return letters is >= 1 && letters < _t[k].Length - 1;
    }

    private bool LetteredCodeAfter(int i)
    {
        var j = i + 1;
        while (j < i + 3 && IsPunct(j) && (IsPunct(j, '#') || IsPunct(j, ':') || IsPunct(j, '.')))
        {
            j++;
        }

        if (!IsWord(j) || !_t[j].Is(TokenShape.Upper) || !IsPunct(j + 1, '-') || !Joined(j + 1))
        {
            return false;
        }

        IdentifierEnd(j, out var digits, out _, slash: false);
        return digits >= 4;
    }

    // One group of a spaced identifier: digits, letters with digits, or a short upper-case code.
    private bool IsGroup(int i) =>
        _t[i].Type is TokenType.Number or TokenType.Alnum ? _t[i].Length <= 8
        : IsWord(i) && _t[i].Is(TokenShape.Upper) && _t[i].Length <= 4 && L(i) == Lex.None;

    // "7a", "11p", "3pm": a time of day.
    private bool IsClockWord(int i)
    {
        var span = Span(i);
        var digits = span.Length - span.TrimStart("0123456789").Length;
        var suffix = span[digits..];
        return _t[i].Type == TokenType.Alnum && digits is 1 or 2 && (suffix is "a" or "p" or "am" or "pm" or "A" or "P" or "AM" or "PM" or "h" or "hr" or "hrs");
    }

    private bool IsDecade(int i) => _t[i].Type == TokenType.Alnum && Span(i) is [.., 's'] && Span(i)[..^1].IndexOfAnyExceptInRange('0', '9') < 0;

    private bool IsDecimalRun(int i, int end)
    {
        for (var k = i + 2; k <= end; k += 2)
        {
            if (IsPunct(k - 1, '.') && IsNumber(k) && _t[k].Length <= 2)
            {
                return true;
            }
        }

        return false;
    }

    // ICD-10 ("Z12.11", "E11.9", "S39.012A": a letter, two digits, a dot and up to four letters or digits), obstetric
    // history ("G3P1011"), ClinicalTrials.gov registrations ("NCT" and eight digits): codes, not a person's identifiers.
    private bool IsClinicalCode(int i)
    {
        var span = Span(i);
        if (span.Length == 3 && char.IsAsciiLetterUpper(span[0]) && char.IsAsciiDigit(span[1]) && IsPunct(i + 1, '.') && Joined(i + 1)
            && InRange(i + 2) && Joined(i + 2) && _t[i + 2].Type is TokenType.Number or TokenType.Alnum && _t[i + 2].Length <= 4
            && !(IsPunct(i + 3, '.') && Joined(i + 3) && InRange(i + 4) && Joined(i + 4) && _t[i + 4].Type is TokenType.Number or TokenType.Alnum))
        {
            return true;
        }

        if (IsTrialRegistration(i))
        {
            return true;
        }

        return span.Length >= 4 && span[0] is 'G' or 'g' && char.IsAsciiDigit(span[1]) && span[2] is 'P' or 'p' && span[3..].IndexOfAnyExceptInRange('0', '9') < 0;
    }

    private bool IsTrialRegistration(int i)
    {
        var span = Span(i);
        return span.Length == 11 && span.StartsWith("NCT", StringComparison.OrdinalIgnoreCase) && span[3..].IndexOfAnyExceptInRange('0', '9') < 0;
    }

    private bool IsClock(int i) => IsNumber(i, 4, 4) && Value(i) / 100 <= 23 && Value(i) % 100 <= 59;

    // Cue words that are ordinary words too ("call", "home", "order"): they need a number with four digits or more.
    private bool IsWeakCue(int i) =>
        _t[i].Length <= 2 || Has(i, Lex.Common) && !(WordIs(i, "record") || WordIs(i, "member") || WordIs(i, "policy")
            || WordIs(i, "account") || WordIs(i, "license") || WordIs(i, "licence") || WordIs(i, "serial") || WordIs(i, "plate")
            || WordIs(i, "subscriber") || WordIs(i, "certificate") || WordIs(i, "accession") || WordIs(i, "fax")
            || WordIs(i, "phone") || WordIs(i, "telephone") || WordIs(i, "pager") || WordIs(i, "fingerprint") || WordIs(i, "passport")
            || WordIs(i, "docket") || WordIs(i, "user") || WordIs(i, "username") || WordIs(i, "login"));

    /// <summary>The last token of an identifier that starts at <paramref name="j"/>: letters and digits joined by '-', '.', '/'.</summary>
    private int IdentifierEnd(int j, out int digits, out int length, bool slash = true)
    {
        var end = j;
        digits = Digits(j);
        length = _t[j].Length;
        while (end + 2 < Count && end - j < 2 * Window && Joined(end + 1) && Joined(end + 2)
            && (IsPunct(end + 1, '-') || IsPunct(end + 1, '.') || IsPunct(end + 1, '_') || (slash && IsPunct(end + 1, '/')))
            && _t[end + 2].Type is TokenType.Number or TokenType.Alnum or TokenType.Word)
        {
            end += 2;
            digits += Digits(end);
            length += _t[end].Length;
        }

        // A trailing ".": the end of the sentence, not of the identifier, is left alone by stopping at tokens.
        return end;
    }

    private int Digits(int i)
    {
        var count = 0;
        foreach (var c in Span(i))
        {
            if (char.IsAsciiDigit(c))
            {
                count++;
            }
        }

        return count;
    }

    private bool IsMeasurement(int i)
    {
        var span = Span(i);
        var digits = 0;
        while (digits < span.Length && char.IsAsciiDigit(span[digits]))
        {
            digits++;
        }

        return digits > 0 && digits < span.Length && (_lexicon.Of(span[digits..]) & Lex.MeasureUnit) != 0;
    }

    // Up to three upper-case groups of one to four letters, each joined by a hyphen, before digits or letters and digits.
    private bool IsLetterPrefixed(int i)
    {
        var k = i;
        for (var groups = 0; groups < 3; groups++)
        {
            if (!IsWord(k) || !_t[k].Is(TokenShape.Upper) || _t[k].Length > 4 || !IsPunct(k + 1, '-') || !Joined(k + 1) || !Joined(k + 2))
            {
                return false;
            }

            k += 2;
            if (IsNumber(k) || (InRange(k) && _t[k].Type == TokenType.Alnum))
            {
                return true;
            }
        }

        return false;
    }

    // Long numbers and codes that no cue announced: "any other unique identifying number or code".
    private void MarkUncuedIdentifiers()
    {
        for (var i = 0; i < Count; i++)
        {
            if (!IsFree(i) || _t[i].Type == TokenType.Punct)
            {
                continue;
            }

            // A letter prefix joined to a number: "JPN-4471", "OVI-24-03318", "K-33019", and prefixes of several groups or
            // before letters and digits: "IMG-DBD-20251021-014", "BB-T66413".
            if (_t[i].Type == TokenType.Word)
            {
                // The prefix's first test before the call: a word in capitals of up to four letters, before a '-'.
                if (!(_t[i].Is(TokenShape.Upper) && _t[i].Length <= 4 && IsPunct(i + 1, '-') && IsLetterPrefixed(i) && (L(i) & Lex.CodeCue) == 0))
                {
                    continue;
                }
            }

            // A decimal ("1234567.5") or a unit after it ("1000000 units") makes a number a measurement.
            if (Continues(i, before: true) || (IsPunct(i - 1, '.') && Joined(i) && IsNumber(i - 2)))
            {
                continue;
            }

            var end = IdentifierEnd(i, out var digits, out _, slash: false);
            if (AnyMarked(i, end))
            {
                continue;
            }

            // Fewer than four digits make no identifier whatever the tests below say (most numbers: "2", "10 mg").
            if (digits < 4)
            {
                i = end;
                continue;
            }

            var letters = false;
            for (var k = i; k <= end; k += 2)
            {
                letters |= _t[k].Type != TokenType.Number;
            }

            var code = WordBefore(i, 3) is var before and >= 0 && Has(before, Lex.CodeCue);
            var unit = Has(end + 1, Lex.MeasureUnit) || (_t[i].Type == TokenType.Alnum && IsMeasurement(i));

            // Clock times ("1400-1700"), decades ("130s-150s"), decimals ("101-102.5"), codes ("Z12.11", "G3P1011").
            var clocks = (end == i + 2 && IsClock(i) && IsClock(end)) || IsDecade(i) || IsDecimalRun(i, end) || IsClinicalCode(i) || IsClockWord(i)
                || (IsNumber(i, 1, 3) && IsPunct(i + 1, '.') && Joined(i + 1)) || IsYearRange(i, end);
            var isId = !code && !unit && !clocks && (letters ? digits >= 5 || (digits >= 4 && end > i) : digits >= 7);
            if (isId)
            {
                Mark(i, end, PhiKind.Id);
            }

            i = end;
        }
    }
}
