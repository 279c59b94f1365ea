namespace XefAI.Data.Deidentification;

/// <summary>Names and places: from cues (titles, labels, greetings, credentials), the name lists, and the clinical context.</summary>
internal sealed partial class Scan
{
    private const int MaxNameWords = 4;

    private void MarkNames()
    {
        // 1. Cues: "Dr. Patel", "Patient: Lopez, Maria", "Dear Maria", "wife Ana", "Maria Lopez, RN".
        for (var i = 0; i < Count; i++)
        {
            if (!IsWord(i) || _run[i] != 0)
            {
                continue;
            }

            var lex = _lex[i];
            if ((lex & Lex.Title) != 0 && IsTitle(i, out var after))
            {
                NameRun(after, allowLower: true, cued: true);
            }
            else if ((lex & Lex.NameLabel) != 0 && IsPunct(i + 1, ':'))
            {
                var first = NameRun(i + 2, allowLower: false, cued: true);
                if (first > 0 && IsPunct(i + 2 + first, ','))
                {
                    NameRun(i + 3 + first, allowLower: false, cued: true);
                }
            }
            else if ((lex & Lex.NameLabel) != 0 && (WordIs(i + 1, "by") || WordIs(i + 1, "with") || WordIs(i + 1, "to")) && !WordIs(i, "to"))
            {
                NameRun(i + 2, allowLower: false, cued: false);
            }
            else if ((lex & Lex.Relation) != 0)
            {
                var k = IsPunct(i + 1, ',') || IsPunct(i + 1, ':') ? i + 2 : i + 1;
                NameRun(k, allowLower: false, cued: false);
            }
            else if ((lex & Lex.Salutation) != 0 && (StartsSentence(i) || IsPunct(i - 1, ',')))
            {
                NameRun(i + 1, allowLower: true, cued: false);
            }
            else if ((lex & Lex.SignOff) != 0 && IsPunct(i + 1, ',') && InRange(i + 2)
                && (_tokens[i + 2].Is(TokenShape.LineBefore) || i + 3 == Count || IsPunct(i + 3) || _tokens[i + 3].Is(TokenShape.LineBefore)))
            {
                NameRun(i + 2, allowLower: true, cued: false);
            }
            else if ((lex & Lex.Credential) != 0 && _tokens[i].Is(TokenShape.Upper) && _tokens[i].Length >= 2)
            {
                NameBefore(IsPunct(i - 1, ',') ? i - 2 : i - 1);
            }
        }

        // 2. The name lists: a capitalized word that is a name and nothing else.
        for (var i = 0; i < Count; i++)
        {
            if (IsWord(i) && _run[i] == 0 && IsCapitalized(i) && IsPlainName(i) && !IsEponym(i))
            {
                Mark(i, i, PhiKind.Name);
            }
        }

        // 3. The people of the clinical context, in any case; then neighbours and repeats of every name found.
        if (_known.HasNames)
        {
            for (var i = 0; i < Count; i++)
            {
                if (IsWord(i) && _run[i] == 0 && _known.IsName(Span(i)) && (IsCapitalized(i) || (_lex[i] & Lex.Common) == 0))
                {
                    Mark(i, i, PhiKind.Name);
                }
            }
        }

        ExtendNames();
        RepeatNames();
    }

    private bool IsTitle(int i, out int next)
    {
        next = IsPunct(i + 1, '.') && Joined(i + 1) ? i + 2 : i + 1;

        // "Dr" in "123 Main Dr" is a street; "Sr" after a name is a suffix; a title starts a name.
        if (!InRange(next) || _tokens[next].Is(TokenShape.LineBefore) || IsNumber(i - 1))
        {
            return false;
        }

        // "Doctor", "Nurse", "Father", "Sister" are titles only before a capitalized word.
        return _tokens[i].Length <= 4 || IsCapitalized(next);
    }

    /// <summary>Marks the name that starts at <paramref name="i"/>, one run per word; returns how many tokens it took.</summary>
    private int NameRun(int i, bool allowLower, bool cued)
    {
        var j = i;
        var words = 0;
        while (InRange(j) && words < MaxNameWords && (j == i || !_tokens[j].Is(TokenShape.LineBefore)))
        {
            if (!IsFree(j) || !IsWord(j))
            {
                break;
            }

            // An initial: "J." or "J".
            if (_tokens[j].Length == 1 && _tokens[j].Is(TokenShape.Upper))
            {
                Mark(j, j, PhiKind.Name);
                j += IsPunct(j + 1, '.') && Joined(j + 1) ? 2 : 1;
                words++;
                continue;
            }

            if (!CanBeName(j, allowLower, cued || words > 0))
            {
                break;
            }

            var end = JoinedNameEnd(j);
            Mark(j, end, PhiKind.Name);
            words++;
            j = end + 1;
        }

        return words == 0 ? 0 : j - i;
    }

    // "Smith-Jones", "O'Brien", "D'Angelo": one name across the hyphen or apostrophe.
    private int JoinedNameEnd(int j)
    {
        var end = j;
        while ((IsPunct(end + 1, '-') || IsPunct(end + 1, '\'') || IsPunct(end + 1, '’')) && Joined(end + 1) && IsWord(end + 2) && Joined(end + 2)
            && !(WordIs(end + 2, "s") && !IsPunct(end + 1, '-')) && IsFree(end + 2))
        {
            end += 2;
        }

        return end;
    }

    private bool CanBeName(int j, bool allowLower, bool cued)
    {
        var lex = _lex[j];

        // "Lopez, Maria MRN: …": a label or an identifier cue ends the name.
        if (IsPunct(j + 1, ':') || (_tokens[j].Is(TokenShape.Upper) && _lexicon.TryGetIdentifierCue(Span(j), out _)))
        {
            return false;
        }

        if ((lex & (Lex.Title | Lex.Credential | Lex.Month | Lex.Weekday | Lex.Facility | Lex.EponymNoun)) != 0 && (lex & Lex.Name) == 0)
        {
            return false;
        }

        if (_tokens[j].Is(TokenShape.Caseless))
        {
            return true;
        }

        if (IsCapitalized(j))
        {
            // After a cue, an ordinary capitalized word ("Dr. Will", "Patient: Hope") is a name only if the lists know it as one.
            return (lex & Lex.Name) != 0 || (lex & (Lex.Common | Lex.Clinical | Lex.State)) == 0 || (cued && (lex & Lex.Clinical) == 0 && (lex & Lex.Common) == 0);
        }

        return allowLower && _tokens[j].Is(TokenShape.Lower) && (lex & (Lex.Common | Lex.Clinical)) == 0 && _tokens[j].Length >= 2;
    }

    // Backwards from a credential: "Maria Lopez, MD", "Jane Q. Doe RN".
    private void NameBefore(int end)
    {
        var j = end;
        var words = 0;
        while (j >= 0 && words < MaxNameWords && IsFree(j))
        {
            if (IsPunct(j, '.') && j > 0 && IsWord(j - 1) && _tokens[j - 1].Length == 1)
            {
                j--;
                continue;
            }

            if (!IsWord(j) || !IsCapitalized(j) || !CanBeName(j, allowLower: false, cued: true))
            {
                break;
            }

            Mark(j, j, PhiKind.Name);
            words++;
            if (_tokens[j].Is(TokenShape.LineBefore))
            {
                break;
            }

            j--;
        }
    }

    /// <summary>A word the name lists hold and no other list does: "Okafor", "Priya", "Lopez" (not "Will", "Brown", "Foley").</summary>
    private bool IsPlainName(int i)
    {
        var lex = _lex[i];
        if ((lex & Lex.Name) == 0 || (lex & (Lex.Common | Lex.Clinical | Lex.Month | Lex.Weekday | Lex.State | Lex.Title | Lex.Credential
            | Lex.MeasureUnit | Lex.Facility | Lex.Holiday | Lex.StreetSuffix | Lex.Direction)) != 0)
        {
            return false;
        }

        // A short word before a number is a lab or a unit ("Na 138", "Ca 9.1"), not a person.
        if (_tokens[i].Length <= 3 && IsNumber(i + 1))
        {
            return false;
        }

        // Upper-case runs are headings and abbreviations more often than names: only longer words there.
        return !_tokens[i].Is(TokenShape.Upper) || _tokens[i].Length >= 4;
    }

    // "Graves disease", "Cushing's syndrome", "Murphy sign": the word names a disease or a sign, not a person.
    private bool IsEponym(int i)
    {
        var next = i + 1;
        if ((IsPunct(next, '\'') || IsPunct(next, '’')) && Joined(next))
        {
            next += WordIs(next + 1, "s") ? 2 : 1;
        }

        return Has(next, Lex.EponymNoun) || (IsPunct(next, '-') && Has(next + 1, Lex.Clinical | Lex.Name) && Has(next + 3, Lex.EponymNoun));
    }

    /// <summary>
    /// Neighbours of a name are names too when they could be: "John Will Smith", "Okafor, Chidi", "J. Okafor", "Maria
    /// Xochitl Lopez" (a capitalized word no list knows, next to a name).
    /// </summary>
    private void ExtendNames()
    {
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < Count; i++)
            {
                if (_run[i] == 0 || _kind[i] != PhiKind.Name || !IsWord(i))
                {
                    continue;
                }

                // Right: "Maria Lopez".
                var r = JoinedNameEnd(i) + 1;
                if (IsWord(r) && IsFree(r) && !_tokens[r].Is(TokenShape.LineBefore) && IsNameNeighbour(r, i))
                {
                    Mark(r, JoinedNameEnd(r), PhiKind.Name);
                }

                // Left: "Maria Lopez", "J. Lopez", "Lopez, Maria".
                var l = i - 1;
                if (IsPunct(l, '.') && IsWord(l - 1) && _tokens[l - 1].Length == 1 && _tokens[l - 1].Is(TokenShape.Upper) && IsFree(l - 1))
                {
                    Mark(l - 1, l - 1, PhiKind.Name);
                }
                else if (IsWord(l) && IsFree(l) && !_tokens[i].Is(TokenShape.LineBefore))
                {
                    if (_tokens[l].Length == 1 && _tokens[l].Is(TokenShape.Upper))
                    {
                        Mark(l, l, PhiKind.Name);
                    }
                    else if (IsNameNeighbour(l, i))
                    {
                        Mark(l, l, PhiKind.Name);
                    }
                }
                else if (IsPunct(l, ',') && IsWord(l - 1) && IsFree(l - 1) && (_lex[i] & Lex.FirstName) != 0 && IsNameNeighbour(l - 1, i)
                    && (IsPlainName(l - 1) || (_lex[l - 1] & Lex.Surname) != 0))
                {
                    Mark(l - 1, l - 1, PhiKind.Name);
                }
            }
        }
    }

    private bool IsNameNeighbour(int j, int name)
    {
        if (!IsCapitalized(j) || (IsCapitalized(name) && _tokens[j].Is(TokenShape.Upper) != _tokens[name].Is(TokenShape.Upper)))
        {
            return false;
        }

        var lex = _lex[j];
        if ((lex & (Lex.Clinical | Lex.Title | Lex.Credential | Lex.Month | Lex.Weekday | Lex.State | Lex.Facility | Lex.MeasureUnit
            | Lex.NameLabel | Lex.Relation | Lex.StreetSuffix | Lex.EponymNoun | Lex.Salutation | Lex.SignOff)) != 0 && (lex & Lex.Name) == 0)
        {
            return false;
        }

        if (IsEponym(j))
        {
            return false;
        }

        // A name-list word, or a word no list knows (not at the start of a sentence, where any word is capitalized).
        return (lex & Lex.Name) != 0 || (lex == Lex.None && _tokens[j].Length >= 2 && (!StartsSentence(j) || j < name));
    }

    /// <summary>Every other occurrence of a name found once: "Okafor" after "Mr. Okafor", in capitals or not.</summary>
    private void RepeatNames()
    {
        var names = _learned;
        for (var i = 0; i < Count; i++)
        {
            if (_run[i] != 0 && _kind[i] == PhiKind.Name && IsWord(i) && _tokens[i].Length >= 2)
            {
                (names ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase)).Add(Span(i).ToString());
            }
        }

        if (names is not { Count: > 0 })
        {
            return;
        }

        var lookup = names.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var i = 0; i < Count; i++)
        {
            if (IsWord(i) && _run[i] == 0 && lookup.Contains(Span(i))
                && (IsCapitalized(i) || (_lex[i] & (Lex.Common | Lex.Clinical)) == 0) && !IsEponym(i)
                && ((_lex[i] & Lex.Common) == 0 || NextToName(i)))
            {
                Mark(i, i, PhiKind.Name);
            }
        }
    }

    // An ordinary word repeated as a name ("Will", "Hope") only beside another name or after a title.
    private bool NextToName(int i) =>
        (InRange(i - 1) && _run[i - 1] != 0 && _kind[i - 1] == PhiKind.Name) || (InRange(i + 1) && _run[i + 1] != 0 && _kind[i + 1] == PhiKind.Name)
        || Has(WordBefore(i, 2), Lex.Title);

    // ---- Places ----

    private void MarkPlaces()
    {
        for (var i = 0; i < Count; i++)
        {
            if (!IsWord(i) || _run[i] != 0 || !IsCapitalized(i))
            {
                continue;
            }

            // "Suffolk County", "Orleans Parish"
            if ((WordIs(i + 1, "county") || WordIs(i + 1, "parish") || WordIs(i + 1, "township")) && IsCapitalized(i + 1) && (_lex[i] & Lex.State) == 0)
            {
                var start = i;
                while (start > 0 && i - start < 2 && IsWord(start - 1) && IsCapitalized(start - 1) && IsFree(start - 1) && !_tokens[start].Is(TokenShape.LineBefore)
                    && (_lex[start - 1] & (Lex.NameLabel | Lex.Common)) == 0)
                {
                    start--;
                }

                Mark(start, i + 1, PhiKind.Location);
                continue;
            }

            // Places of several words: "San Antonio", "Ann Arbor".
            if (TryMultiWordPlace(i))
            {
                continue;
            }

            // "lives in Dorchester", "moved to Waltham", "from Lowell" (a known place).
            var prior = WordBefore(i, 1);
            var cue = prior >= 0 && (WordIs(prior, "in") || WordIs(prior, "to") || WordIs(prior, "near") || WordIs(prior, "from") || WordIs(prior, "at"))
                && WordBefore(prior, 2) is var verb and >= 0 && Has(verb, Lex.PlaceCue);
            var known = (_lex[i] & Lex.Place) != 0 && (_lex[i] & (Lex.Common | Lex.Clinical | Lex.State | Lex.Name | Lex.Month)) == 0;
            if ((cue && (_lex[i] & (Lex.Clinical | Lex.State | Lex.Month | Lex.Facility)) == 0) || (known && !IsFacilityName(i)))
            {
                var end = i;
                while (end + 1 < Count && end - i < 2 && IsWord(end + 1) && IsCapitalized(end + 1) && IsFree(end + 1)
                    && (_lex[end + 1] & (Lex.State | Lex.Facility | Lex.Common)) == 0)
                {
                    end++;
                }

                Mark(i, end, PhiKind.Location);
            }
        }
    }

    private bool TryMultiWordPlace(int i)
    {
        if (_lexicon.MaxPlaceWords < 2 || !IsWord(i + 1) || !IsCapitalized(i + 1))
        {
            return false;
        }

        for (var words = Math.Min(_lexicon.MaxPlaceWords, 3); words >= 2; words--)
        {
            var last = i + words - 1;
            if (!InRange(last) || !IsWord(last) || !IsCapitalized(last) || AnyMarked(i, last))
            {
                continue;
            }

            var phrase = _text.AsSpan(_tokens[i].Start, _tokens[last].End - _tokens[i].Start);
            if (phrase.Length < 64 && phrase.IndexOfAny('\n', '\r') < 0 && IsKnownPlace(phrase) && !IsFacilityName(last))
            {
                Mark(i, last, PhiKind.Location);
                return true;
            }
        }

        return false;
    }

    private bool IsKnownPlace(ReadOnlySpan<char> phrase)
    {
        Span<char> normalized = stackalloc char[phrase.Length];
        var length = 0;
        var space = false;
        foreach (var c in phrase)
        {
            if (char.IsWhiteSpace(c))
            {
                space = length > 0;
                continue;
            }

            if (space)
            {
                normalized[length++] = ' ';
                space = false;
            }

            normalized[length++] = c;
        }

        return _lexicon.MultiWordPlaces.GetAlternateLookup<ReadOnlySpan<char>>().Contains(normalized[..length]);
    }

    // "Springfield General Hospital": a place in a facility's name is part of the name, which is not PHI.
    private bool IsFacilityName(int i)
    {
        var next = i + 1;
        return IsWord(next) && IsCapitalized(next) && Has(next, Lex.Facility);
    }

    // ---- Values the clinical context knows: identifiers, telecom, address lines, postal codes ----

    private void MarkKnownValues()
    {
        foreach (var (value, kind) in _known.Values)
        {
            var text = _text.AsSpan();
            var from = 0;
            while (from < text.Length)
            {
                var found = text[from..].IndexOf(value, StringComparison.OrdinalIgnoreCase);
                if (found < 0)
                {
                    break;
                }

                var start = from + found;
                var end = start + value.Length;

                // Whole tokens only: "1234" inside "512345" is not the identifier.
                var bounded = (start == 0 || !char.IsLetterOrDigit(text[start - 1])) && (end == text.Length || !char.IsLetterOrDigit(text[end]));
                if (bounded)
                {
                    MarkChars(start, end, kind);
                }

                from = end;
            }
        }

        if (_known.HasPlaces)
        {
            for (var i = 0; i < Count; i++)
            {
                if (IsWord(i) && _run[i] == 0 && IsCapitalized(i) && _known.IsPlace(Span(i)))
                {
                    Mark(i, i, PhiKind.Location);
                }
            }
        }
    }
}
