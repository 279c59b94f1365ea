namespace XefAI.Data.Deidentification;

/// <summary>
/// Round 19: shapes the earlier rounds leave. A holiday named by a word and "Day" or "Night" ("Flag Day", "labor day", "Old Year's Night", "St. Patrick's Day")
/// and "Eid al-Adha"; a login joined by underscores after "by" or a role word ("coder ab_cdef", "By lab_jdoe"), a
/// Windows domain login ("corp\jdoe2") and a plain login after "by" that follows a time; a text thread's sender after
/// its bracketed time ("[12/3 7:41 am] amina:"), with the sender's other mentions; and a two-word town after a place's
/// preposition whose first or last word is a town's ("from Copper Harbor", "at the Lake Linden draw station"); and a
/// town no list knows right after "born" or "lived", or after "and"/"or" that follows a town ("Pelican and Hoonah");
/// "St." before a place a rule took ("St. Bernard"); and a street without a number ("on Bell Road", "Cedar Lane,
/// Smyrna") whose suffix is seldom a sentence's word. (The earlier corpora label a county without its word
/// "County", so that word is left as it is.)
/// </summary>
internal sealed partial class Scan
{
    // The first word of a holiday whose second is "Day" or "Night" (the possessive's owner for "Patrick's", "Year's").
    private static readonly string[] HolidayOwners19 =
    [
        "labor", "labour", "memorial", "flag", "veterans", "independence", "presidents", "columbus", "patrick", "watch", "year",
        "boxing", "mother", "mothers", "father", "fathers", "valentine", "armistice", "remembrance", "groundhog", "emancipation",
        "indigenous", "canada", "anzac", "kamehameha", "statehood", "pioneer", "patriots",
    ];

    // Words before a login that name who did something at a keyboard.
    private static readonly string[] LoginRoles19 =
        ["by", "coder", "user", "login", "operator", "tech", "username", "userid", "trans", "exported", "copied", "entered", "queued"];

    // A town's first word ("Lake Linden", "Port Huron", "La Honda") or its last ("Copper Harbor", "Second Mesa").
    private static readonly string[] TownFirstWords19 = ["lake", "mount", "port", "fort", "cape", "la", "las", "los", "el", "san", "santa", "nuevo", "nueva", "villa"];

    private static readonly string[] TownLastWords19 =
        [
            "harbor", "harbour", "island", "mesa", "beach", "springs", "falls", "landing", "junction", "bluff", "bluffs", "creek", "rapids", "valley", "village", "city",
            "bay", "summit", "glen", "hilltop", "hills", "heights",
        ];

    // Street suffixes that are seldom a word of a sentence ("Road", "Pike"); "Walk", "Run" or "View" are left out.
    private static readonly string[] PlainStreetSuffixes19 =
        ["road", "rd", "street", "avenue", "ave", "pike", "boulevard", "blvd", "lane", "highway", "hwy", "parkway", "pkwy", "turnpike"];

    // Words after which a town is named.
    private static readonly string[] TownCues19 = ["from", "in", "at", "near", "to", "toward", "towards", "of"];

    /// <summary>Round 19's pass: one walk over the lettered tokens, each rule behind a cheap test of the token's shape.</summary>
    private void MarkGaps19()
    {
        var senders = false;
        for (var w = 0; w < _letteredCount; w++)
        {
            var i = _lettered[w];
            var length = _t[i].Length;
            var type = _t[i].Type;

            // "[12/3 7:41 am] amina:": checked before all else since a sender may be any word.
            if (IsPunct(i - 1, ']') && IsPunct(i + 1, ':') && Joined(i + 1) && TrySender19(i))
            {
                senders = true;
                continue;
            }

            if (IsPunct(i + 1, '_') && Joined(i + 1) && _t[i].Is(TokenShape.Lower) && IsLoginRole19(i - 1))
            {
                TryLogin19(i);
                continue;
            }

            if (IsPunct(i + 1, '\\') && Joined(i + 1) && length is >= 2 and <= 10 && type == TokenType.Word)
            {
                TryDomainLogin19(i);
                if (_run[i] == 0)
                {
                    // Both parts in lower case after "by" (round 22).
                    TryLowerDomainLogin22(i);
                }

                continue;
            }

            if (type != TokenType.Word)
            {
                continue;
            }

            if ((length == 3 && WordIs(i, "day")) || (length == 5 && WordIs(i, "night")))
            {
                TryHolidayPhrase19(i);
            }
            else if (length == 3 && WordIs(i, "eid"))
            {
                TryEid19(i);
            }
            else if (_run[i] == 0 && _t[i].Is(TokenShape.Lower) && length >= 5 && WordIs(i - 1, "by") && IsNumber(i - 2) && IsPunct(i - 3, ':'))
            {
                // "Printed 12/06/2026 23:41 by jdoe": a word no list knows after a time's "by" is the one who printed.
                if (!Has(i, Lex.Clinical | Lex.Common | Lex.Name | Lex.Place) && !Joined(i + 1))
                {
                    Mark(i, i, PhiKind.Id);
                }
            }
            else if (length == 2 && _run[i] == 0 && WordIs(i, "st") && IsPunct(i + 1, '.') && Joined(i + 1) && IsWord(i + 2) && _run[i + 2] != 0 && _kind[i + 2] == PhiKind.Location)
            {
                // "St. Bernard", "St. Landry Parish": the saint's abbreviation in front of a place a rule took.
                if (!(InRange(i - 1) && _run[i - 1] != 0 && _kind[i - 1] == PhiKind.Address))
                {
                    SetRun19(i, i + 1, i + 2);
                }
            }
            else if (length is 4 or 5 && (WordIs(i, "born") || WordIs(i, "lived")))
            {
                TryTownAfterBirth19(i + 1);
            }
            else if (length is 2 or 3 && (WordIs(i, "and") || WordIs(i, "or")) && InRange(i - 1) && _run[i - 1] != 0 && _kind[i - 1] == PhiKind.Location)
            {
                TryTownAfterBirth19(i + 1);
            }
            else if ((_run[i] == 0 || _kind[i] == PhiKind.Location) && _t[i].Is(TokenShape.Capitalized) && IsWord(i + 1) && _t[i + 1].Is(TokenShape.Capitalized) && _t[i + 1].Length <= 9
                && IsTownWord19(i + 1, PlainStreetSuffixes19) && TryStreetWithoutNumber19(i))
            {
                continue;
            }
            else if ((_run[i] == 0 || _kind[i] is PhiKind.Location or PhiKind.Name) && IsCapitalized(i) && length >= 2 && length <= 12)
            {
                TryTwoWordTown19(i);
            }
        }

        if (senders)
        {
            MarkSenderMentions19();
        }
    }

    private bool IsLoginRole19(int p)
    {
        if (!IsWord(p) || _t[p].Length > 8)
        {
            return false;
        }

        foreach (var role in LoginRoles19)
        {
            if (WordIs(p, role))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"coder ab_cdef", "Queued by rh_svc_host": the parts joined by underscores (and digits) as one login.</summary>
    private void TryLogin19(int i)
    {
        var end = i;
        while (end - i < Window && IsPunct(end + 1, '_') && Joined(end + 1) && InRange(end + 2) && Joined(end + 2) && _t[end + 2].Type != TokenType.Punct)
        {
            end += 2;
        }

        if (end == i || (InRange(end + 1) && Joined(end + 1) && !IsPunct(end + 1, '.') && !IsPunct(end + 1, ',') && !IsPunct(end + 1, ')')))
        {
            return;
        }

        Mark(i, end, PhiKind.Id);
    }

    /// <summary>"corp\jdoe2", "CORP\jdoe": a domain and a user name with a digit, or a domain in capitals, as one login.</summary>
    private void TryDomainLogin19(int i)
    {
        var u = i + 2;
        if (!InRange(u) || !Joined(u) || _t[u].Length < 3 || (InRange(u + 1) && Joined(u + 1) && !IsPunct(u + 1, '.') && !IsPunct(u + 1, ',')))
        {
            return;
        }

        // A path goes on with more backslashes, and a JSON escape ("\n2") leaves a letter joined to a short number.
        if ((Joined(i) && IsPunct(i - 1)) || !char.IsAsciiLetterLower(_text[_t[u].Start]) || !char.IsAsciiLetter(_text[_t[u].Start + 1]))
        {
            return;
        }

        var user = _t[u].Type == TokenType.Alnum || (_t[u].Type == TokenType.Word && _t[i].Is(TokenShape.Upper) && _t[u].Is(TokenShape.Lower));
        if (user && !Has(i, Lex.Clinical))
        {
            Mark(i, u, PhiKind.Id);
        }
    }

    /// <summary>"Flag Day", "labor day", "Old Year's Night", "St. Patrick's Day", "Watch Night": a holiday of two or three words.</summary>
    private void TryHolidayPhrase19(int i)
    {
        var owner = i - 1;
        if (IsWord(owner) && _t[owner].Length == 1 && WordIs(owner, "s") && IsPunct(owner - 1, '\'') && Joined(owner) && Joined(owner - 1))
        {
            owner -= 2;
        }

        if (!IsWord(owner))
        {
            return;
        }

        var found = false;
        foreach (var word in HolidayOwners19)
        {
            if (WordIs(owner, word))
            {
                found = true;
                break;
            }
        }

        if (!found)
        {
            return;
        }

        var night = _t[i].Length == 5;
        var start = owner;
        if (WordIs(owner, "year"))
        {
            // "New Year's Day", "Old Year's Night".
            if (!(WordIs(owner - 1, "new") || WordIs(owner - 1, "old")))
            {
                return;
            }

            start = owner - 1;
        }
        else if (WordIs(owner, "watch"))
        {
            if (!night || !IsCapitalized(owner) || !IsCapitalized(i))
            {
                return;
            }
        }
        else if (night)
        {
            return;
        }
        else if (WordIs(owner, "patrick") && IsPunct(owner - 1, '.') && WordIs(owner - 2, "st"))
        {
            start = owner - 2;
        }

        // Both words in the same case: "Flag Day" or "labor day", not "flag day's dressing" mixed with a sentence's start.
        if (IsCapitalized(start) != IsCapitalized(i))
        {
            return;
        }

        for (var k = start; k <= i; k++)
        {
            if (_run[k] != 0 && _kind[k] != PhiKind.Date)
            {
                return;
            }
        }

        Mark(start, i, PhiKind.Date);
    }

    /// <summary>"Eid al-Adha", "Eid ul-Fitr", "Eid-al-Fitr": the feast's whole name.</summary>
    private void TryEid19(int i)
    {
        var k = i + 1;
        if (IsPunct(k, '-') && Joined(k))
        {
            k++;
        }

        if (!(WordIs(k, "al") || WordIs(k, "ul")) || !IsPunct(k + 1, '-') || !Joined(k + 1) || !IsWord(k + 2) || !Joined(k + 2))
        {
            return;
        }

        for (var j = i; j <= k + 2; j++)
        {
            if (_run[j] != 0 && _kind[j] is not (PhiKind.Date or PhiKind.Name))
            {
                return;
            }
        }

        Mark(i, k + 2, PhiKind.Date);
    }

    /// <summary>"from Copper Harbor", "at the Lake Linden draw station": two capitalized words, one of them a town's.</summary>
    private void TryTwoWordTown19(int i)
    {
        var b = i + 1;
        if (!IsWord(b) || !IsCapitalized(b) || Joined(b) || _t[b].Is(TokenShape.LineBefore) || (_run[b] != 0 && _kind[b] is not (PhiKind.Location or PhiKind.Name)) || _t[b].Length < 3)
        {
            return;
        }

        // Exactly two words: a third capitalized word makes a facility's or an organisation's name.
        if (IsWord(b + 1) && IsCapitalized(b + 1) && !Joined(b + 1))
        {
            return;
        }

        var cue = i - 1;
        if (WordIs(cue, "the"))
        {
            cue--;
        }

        if (!IsWord(cue) || _t[cue].Length > 7 || !IsTownCue19(cue))
        {
            return;
        }

        if (!IsTownWord19(i, TownFirstWords19) && !IsTownWord19(b, TownLastWords19))
        {
            return;
        }

        if (Has(i, Lex.State | Lex.Month | Lex.Weekday | Lex.Title | Lex.Facility) || Has(b, Lex.State | Lex.Clinical | Lex.Month | Lex.Facility))
        {
            return;
        }

        Mark(i, b, PhiKind.Location);
    }

    /// <summary>"Born Samarkand", "lived Tiraspol until 1999", "Pelican and Hoonah": a town no list knows after its cue.</summary>
    private void TryTownAfterBirth19(int x)
    {
        if (!IsWord(x) || !_t[x].Is(TokenShape.Capitalized) || _run[x] != 0 || _t[x].Is(TokenShape.LineBefore) || _t[x].Length < 3)
        {
            return;
        }

        // A word the lists know ("Born Again", "lived Alone", "and Tylenol") or a name's first word is not taken.
        if (Has(x, Lex.Common | Lex.Clinical | Lex.Month | Lex.Weekday | Lex.State | Lex.Title | Lex.Facility | Lex.Holiday | Lex.Name | Lex.Relation))
        {
            return;
        }

        if (IsWord(x + 1) && IsCapitalized(x + 1) && !Joined(x + 1))
        {
            return;
        }

        Mark(x, x, PhiKind.Location);
    }

    /// <summary>Puts tokens <paramref name="from"/> to <paramref name="to"/> in the run of token <paramref name="of"/>.</summary>
    private void SetRun19(int from, int to, int of)
    {
        for (var k = from; k <= to; k++)
        {
            _kind[k] = _kind[of];
            _run[k] = _run[of];
        }
    }

    /// <summary>"on Bell Road", "Cedar Lane, Smyrna": a street without a number after "on" or "off", or before a town a rule took.</summary>
    private bool TryStreetWithoutNumber19(int i)
    {
        var s = i + 1;
        if (_run[s] != 0 || Joined(s) || _t[s].Is(TokenShape.LineBefore) || _t[i].Length < 3)
        {
            return false;
        }

        // A town's name is a road's first word often ("Nolensville Pike"): a town a rule took before the suffix is taken.
        var cued = WordIs(i - 1, "on") || WordIs(i - 1, "off") || _run[i] != 0
            || (IsPunct(s + 1, ',') && IsWord(s + 2) && _run[s + 2] != 0 && _kind[s + 2] == PhiKind.Location);
        if (!cued || Has(i, Lex.Clinical | Lex.Month | Lex.Weekday | Lex.Title | Lex.State | Lex.Direction))
        {
            return false;
        }

        Mark(i, s, PhiKind.Address);
        return true;
    }

    private bool IsTownCue19(int p)
    {
        foreach (var cue in TownCues19)
        {
            if (WordIs(p, cue))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsTownWord19(int i, string[] words)
    {
        foreach (var word in words)
        {
            if (WordIs(i, word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"[12/3 7:41 am] amina:": the sender after a bracketed time that opens a line of a text thread.</summary>
    private bool TrySender19(int i)
    {
        var p = i - 2;
        if (!(WordIs(p, "am") || WordIs(p, "pm") || IsNumber(p)) || Has(i, Lex.Common | Lex.Clinical) || _t[i].Length < 2)
        {
            return false;
        }

        if (_run[i] == 0)
        {
            Mark(i, i, PhiKind.Name);
        }

        return _kind[i] == PhiKind.Name;
    }

    /// <summary>The sender's name elsewhere in the thread, in any case, where no rule took it.</summary>
    private void MarkSenderMentions19()
    {
        for (var w = 0; w < _letteredCount; w++)
        {
            var s = _lettered[w];
            if (_run[s] == 0 || _kind[s] != PhiKind.Name || !IsPunct(s - 1, ']') || !IsPunct(s + 1, ':'))
            {
                continue;
            }

            var name = Span(s);
            for (var v = 0; v < _letteredCount; v++)
            {
                var j = _lettered[v];
                if (_run[j] == 0 && _t[j].Length == name.Length && Span(j).Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    Mark(j, j, PhiKind.Name);
                }
            }
        }
    }
}
