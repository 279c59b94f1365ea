using System.Collections.Frozen;

namespace XefAI.Data.Deidentification;

/// <summary>Names and places: from cues (titles, labels, greetings, credentials), the name lists, and the clinical context.</summary>
internal sealed partial class Scan
{
    private const int MaxNameWords = 4;

    // The last words of an instrument's or a tribe's name. Only these of the eponym nouns: "Point", "View", "Line" end
    // towns' and streets' names too.
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> InstrumentNouns = new[]
    {
        "scale", "score", "scores", "criteria", "classification", "index", "questionnaire", "inventory", "assessment", "test",
        "tests", "sign", "signs", "syndrome", "disease", "rule", "rules", "equation", "formula", "staging", "study", "tribe", "tribes",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private void MarkNames()
    {
        // 1. Cues: "Dr. Patel", "Patient: Lopez, Maria", "Dear Maria", "wife Ana", "Maria Lopez, RN".
        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if (!IsWord(i) || _run[i] != 0)
            {
                continue;
            }

            // Only cue flags are asked of the word itself, which a lower-case word's partial lookup already knows unless
            // its accents must be folded for the lists (the tokenizer saw a character outside ASCII).
            var lex = (_lex[i] & Lex.Partial) != 0 && !_t[i].Is(TokenShape.NonAscii) ? _lex[i] & ~(Lex.Partial | Lex.WordRuleStart) : L(i);
            if ((lex & Lex.Title) != 0 && IsTitle(i, out var after))
            {
                NameRun(after, allowLower: true, cued: true, titled: true);
            }
            else if ((lex & Lex.NameLabel) != 0 && IsPunct(i + 1, ':'))
            {
                var at = IsPunct(i + 2, '"') ? i + 3 : i + 2;
                var first = NameRun(at, allowLower: false, cued: true);
                if (first > 0 && IsPunct(at + first, ',') && InRange(at + first + 1) && _t[at + first + 1].Is(TokenShape.Upper) == _t[at].Is(TokenShape.Upper))
                {
                    NameRun(at + first + 1, allowLower: false, cued: true);
                }
            }
            else if ((lex & (Lex.NameLabel | Lex.Credential)) != 0 && (lex & Lex.IdentifierCue) == 0 && !IsLowerFunctionWord(i)
                && !((lex & Lex.Credential) != 0 && _t[i].Is(TokenShape.Upper) && IsPunct(i - 1, ','))
                && (IsCapitalized(i + 1) || (IsPunct(i + 1, '(') && IsCapitalized(i + 2) && (lex & Lex.Credential) == 0)) && !_t[i + 1].Is(TokenShape.LineBefore)
                && (_t[i].Is(TokenShape.Upper) ? (lex & Lex.Credential) != 0 : true))
            {
                // A role before a name: "day RN Lakshmi", "fellow Joy Famuyiwa", "dietitian (Caitriona)".
                NameRun(IsPunct(i + 1, '(') ? i + 2 : i + 1, allowLower: false, cued: false, role: true);
            }
            else if ((lex & Lex.NameLabel) != 0 && (WordIs(i + 1, "by") || WordIs(i + 1, "with") || WordIs(i + 1, "to")) && !WordIs(i, "to"))
            {
                NameRun(i + 2, allowLower: false, cued: false);
            }
            else if ((lex & Lex.Relation) != 0 || (WordIs(i, "law") && IsPunct(i - 1, '-') && WordIs(i - 2, "in")))
            {
                var k = IsPunct(i + 1, ',') || IsPunct(i + 1, ':') || IsPunct(i + 1, '(') ? i + 2 : i + 1;
                if (NameRun(k, allowLower: false, cued: false, role: true) == 0)
                {
                    LowerRelationName19(k);
                }
            }
            else if ((lex & Lex.Salutation) != 0 && (StartsSentence(i) || IsPunct(i - 1, ',')))
            {
                if (NameRun(i + 1, allowLower: true, cued: false) == 0)
                {
                    AddressedFirstName(i + 1);
                }
            }
            else if ((lex & Lex.SignOff) != 0 && SignedName(i) is var signed and > 0 && InRange(signed)
                && (_t[signed].Is(TokenShape.LineBefore) || signed + 1 == Count || IsPunct(signed + 1) || _t[signed + 1].Is(TokenShape.LineBefore)))
            {
                if (NameRun(signed, allowLower: true, cued: false) == 0)
                {
                    AddressedFirstName(signed);
                }
            }
            else if ((lex & Lex.Credential) != 0 && _t[i].Is(TokenShape.Upper) && _t[i].Length >= 2)
            {
                // "Maria Lopez, RN", "Ivy (RDH)": the credential after a comma or in parentheses.
                var last = IsPunct(i - 1, ',') || (IsPunct(i - 1, '(') && IsPunct(i + 1, ')')) ? i - 2 : i - 1;
                NameBefore(last);
                LowerNameBefore(last);
            }
        }

        // 'earl "bud" pettibone  mrn 0049122': a header line typed in lower case, a name before the record's labels.
        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if (StartsLine(i) && IsWord(i) && IsFree(i) && _t[i].Is(TokenShape.Lower))
            {
                LowerNameBeforeLabel(i);
            }
        }

        // "- mikey", "— Jen" alone on the last lines of a message: a first name signed after a dash.
        for (var i = 0; i + 1 < Count; i++)
        {
            if (StartsLine(i) && (IsPunct(i, '-') || IsPunct(i, '—') || IsPunct(i, '~')) && IsWord(i + 1) && IsFree(i + 1)
                && !_t[i + 1].Is(TokenShape.LineBefore) && (i + 2 == Count || _t[i + 2].Is(TokenShape.LineBefore)))
            {
                AddressedFirstName(i + 1);
            }
        }

        // 2. The name lists: a capitalized word that is a name and nothing else.
        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            if (IsWord(i) && _run[i] == 0 && IsCapitalized(i) && IsPlainName(i) && !IsEponym(i) && !IsSaint(i))
            {
                Mark(i, JoinedNameEnd(i), PhiKind.Name);
            }
            else if (IsWord(i) && _run[i] == 0 && _t[i].Length == 1 && _t[i].Is(TokenShape.Upper) && IsPunct(i + 1, '.') && Joined(i + 1)
                && !WordIs(i, "i") && (!StartsSentence(i) || (L(i + 2) & Lex.Surname) != 0 || EndsSignature(JoinedNameEnd(i + 2)))
                && IsWord(i + 2) && IsCapitalized(i + 2) && !_t[i + 2].Is(TokenShape.LineBefore) && IsFree(i + 2)
                && (L(i + 2) & (Lex.Common | Lex.Clinical | Lex.Month | Lex.Weekday | Lex.State | Lex.Title | Lex.Facility)) == 0
                && !Has(i - 1, Lex.Title) && !IsEponym(i + 2))
            {
                // "H. Delacroix", "F. Adjei-Brenya": an initial before a surname.
                Mark(i, i, PhiKind.Name);
                Mark(i + 2, JoinedNameEnd(i + 2), PhiKind.Name);
            }
            else if (IsWord(i) && _run[i] == 0)
            {
                // "Be brief, John Smith", "Write to Tom Bell", "Be brief, John.": given names and surnames that are also words.
                MarkCommonWordName17(i);
                if (_run[i] == 0)
                {
                    MarkAtCapital19(i);
                }
            }
        }

        // Two capitalized words no list knows (or a first name that is also a word, then one no list knows), mid-sentence:
        // "Adaora Nnaji-Bell", "Joy Famuyiwa", "Grant Oyelaran".
        for (var c = 0; c < _capCount && _caps[c] + 1 < Count; c++)
        {
            var i = _caps[c];
            if (IsWord(i) && IsWord(i + 1) && IsFree(i) && IsFree(i + 1) && _t[i].Is(TokenShape.Capitalized) && _t[i + 1].Is(TokenShape.Capitalized)
                && !_t[i + 1].Is(TokenShape.LineBefore) && _t[i + 1].Is(TokenShape.SpaceBefore) && IsUnknownName(i + 1)
                && (IsUnknownName(i) || (L(i) & (Lex.FirstName | Lex.Clinical)) == Lex.FirstName) && _t[i].Length >= 2
                && (!StartsSentence(i) || (L(i) & Lex.FirstName) != 0) && !IsEponym(i + 1) && !IsFacilityName(i + 1))
            {
                Mark(i, JoinedNameEnd(i), PhiKind.Name);
                Mark(i + 1, JoinedNameEnd(i + 1), PhiKind.Name);
            }
        }

        // "NWOSU, Chidinma", "ZHOU, Xiaoming", "THISTLEWOOD, Reggie": a surname in capitals, a comma, a given name.
        for (var c = 0; c < _capCount && _caps[c] + 2 < Count; c++)
        {
            var i = _caps[c];
            if (IsWord(i) && (IsFree(i) || _kind[i] == PhiKind.Name) && _t[i].Is(TokenShape.Upper) && _t[i].Length >= 2 && IsPunct(i + 1, ',') && IsWord(i + 2)
                && (IsFree(i + 2) || (_kind[i + 2] == PhiKind.Name && IsFree(i)))
                && !_t[i + 2].Is(TokenShape.LineBefore) && (L(i) & (Lex.Clinical | Lex.State | Lex.Credential | Lex.IdentifierCue)) == 0
                && ((L(i) & Lex.Common) == 0 || ((L(i + 2) & (Lex.FirstName | Lex.Common | Lex.Clinical)) == Lex.FirstName && _t[i].Length >= 3))
                && ((_t[i + 2].Is(TokenShape.Capitalized) && (IsUnknownName(i + 2) || (L(i + 2) & Lex.FirstName) != 0))
                    || (_t[i + 2].Is(TokenShape.Upper) && _t[i + 2].Length >= 3 && ((L(i + 2) & Lex.FirstName) != 0 || (StartsLine(i) || IsPunct(i - 1, ':'))
                        || IsMiddleInitial(i + 3)))))
            {
                if (IsFree(i))
                {
                    Mark(i, JoinedNameEnd(i), PhiKind.Name);
                }

                var given = JoinedNameEnd(i + 2);
                Mark(i + 2, given, PhiKind.Name);
                if (IsWord(given + 1) && _t[given + 1].Length == 1 && _t[given + 1].Is(TokenShape.Upper) && IsFree(given + 1))
                {
                    Mark(given + 1, given + 1, PhiKind.Name);
                }
            }
        }

        // "Adebayo, Temitope  MRN 3847712": a reordered name right before an identifier or a birth date.
        for (var c = 0; c < _capCount && _caps[c] + 3 < Count; c++)
        {
            var i = _caps[c];
            if (IsWord(i) && IsFree(i) && IsCapitalized(i) && IsPunct(i + 1, ',') && IsWord(i + 2) && IsFree(i + 2) && IsCapitalized(i + 2)
                && !_t[i + 2].Is(TokenShape.LineBefore) && (IsUnknownName(i) || (L(i) & (Lex.Name | Lex.Clinical)) == Lex.Surname || IsPlainName(i))
                && (IsUnknownName(i + 2) || (L(i + 2) & Lex.FirstName) != 0)
                && (Has(i + 3, Lex.IdentifierCue | Lex.DateCue) || Has(i + 4, Lex.IdentifierCue | Lex.DateCue)))
            {
                Mark(i, JoinedNameEnd(i), PhiKind.Name);
                Mark(i + 2, JoinedNameEnd(i + 2), PhiKind.Name);
            }
        }

        // 3. The people of the clinical context, in any case; then neighbours and repeats of every name found.
        if (_known.HasNames)
        {
            for (var w = 0; w < _wordCount; w++)
            {
                var i = _words[w];
                if (IsWord(i) && _run[i] == 0 && _known.IsName(Span(i)) && (IsCapitalized(i) || (L(i) & Lex.Common) == 0))
                {
                    Mark(i, i, PhiKind.Name);
                }
            }
        }

        MarkNameListRows();
        MarkNamesAtCapitals();
        MarkLowerInitialNames();
        MarkChatNames13();
        MarkIntroductions();

        // A pass that marks nothing leaves the state as it found it, so the same pass again would mark nothing either:
        // the second call is needed only when the first ended on a pass that marked, or the repeats marked some.
        var settled = ExtendNames();
        var runs = _runs;
        RepeatNames();
        RepeatGivenNames19();
        if (!settled || _runs != runs)
        {
            ExtendNames();
        }
    }

    // The name after a sign-off: "thanks, Joy", "thx, -jen", "thanks -jen", "Regards,\nAna"; 0 when the sign-off has none.
    private int SignedName(int i)
    {
        var k = i + 1;
        var comma = IsPunct(k, ',');
        if (comma)
        {
            k++;
        }

        var dash = (IsPunct(k, '-') || IsPunct(k, '—') || IsPunct(k, '~')) && InRange(k + 1) && !_t[k + 1].Is(TokenShape.LineBefore);
        if (dash)
        {
            k++;
        }

        return (comma || dash) && IsWord(k) ? k : 0;
    }

    // "-- rosa linda quintero, CWON APRN": a signature typed in lower case, its words a given name and names no list
    // takes for ordinary words, starting its line (after a dash or not), before a credential.
    private void LowerNameBefore(int end)
    {
        // Past other credentials no list holds ("CWON APRN", "RN, CWOCN").
        for (var skipped = 0; skipped < 4 && InRange(end) && (IsPunct(end, ',') || (IsWord(end) && _t[end].Is(TokenShape.Upper) && _t[end].Length <= 6)); skipped++)
        {
            end--;
        }

        var j = end;
        while (j >= 0 && end - j < 3 && IsWord(j) && IsFree(j) && _t[j].Is(TokenShape.Lower) && _t[j].Length >= 2
            && (L(j) & (Lex.Common | Lex.Clinical | Lex.NameLabel | Lex.Credential | Lex.Relation)) == 0)
        {
            if (_t[j].Is(TokenShape.LineBefore) || (IsPunct(j - 1) && (StartsLine(j - 1) || (IsPunct(j - 2) && StartsLine(j - 2)))))
            {
                if ((L(j) & Lex.FirstName) != 0 && end > j)
                {
                    for (var k = j; k <= end; k++)
                    {
                        Mark(k, k, PhiKind.Name);
                    }
                }

                return;
            }

            j--;
        }
    }

    // A given name (no ordinary word), a nickname in quotes or not, and up to two more names, then a label ("mrn", "dob").
    private void LowerNameBeforeLabel(int i)
    {
        if ((L(i) & Lex.FirstName) == 0 || (L(i) & (Lex.Common | Lex.Clinical | Lex.NameLabel | Lex.IdentifierCue | Lex.DateCue)) != 0 || _t[i].Length < 2)
        {
            return;
        }

        var j = i + 1;
        var words = 1;
        while (InRange(j) && words < 4 && !_t[j].Is(TokenShape.LineBefore))
        {
            if ((IsPunct(j, '"') || IsPunct(j, '(') || IsPunct(j, ')')) && j - i < 2 * Window)
            {
                j++;
                continue;
            }

            // A nickname in quotes may be any word ('"buck"').
            var quoted = IsPunct(j - 1, '"') && IsPunct(j + 1, '"');
            if (!IsWord(j) || !_t[j].Is(TokenShape.Lower) || _t[j].Length < 2
                || (L(j) & ((quoted ? Lex.None : Lex.Common) | Lex.Clinical | Lex.NameLabel | Lex.IdentifierCue | Lex.DateCue)) != 0)
            {
                break;
            }

            words++;
            j++;
        }

        if (words < 2 || !InRange(j) || _t[j].Is(TokenShape.LineBefore) || !Has(j, Lex.IdentifierCue | Lex.DateCue) || !(WordIs(j, "mrn") || WordIs(j, "dob")
            || WordIs(j, "mr") || WordIs(j, "acct") || WordIs(j, "age") || WordIs(j, "id")))
        {
            return;
        }

        for (var k = i; k < j; k++)
        {
            if (IsWord(k))
            {
                Mark(k, k, PhiKind.Name);
            }
        }
    }

    // "hi maria,", "thanks, Joy": a first name that is also a word, right after a greeting or a sign-off and ending the
    // clause, is the person addressed or signing.
    private void AddressedFirstName(int i)
    {
        if (IsWord(i) && IsFree(i) && (L(i) & Lex.FirstName) != 0 && (L(i) & Lex.Clinical) == 0 && _t[i].Length >= 2
            && (!InRange(i + 1) || IsPunct(i + 1) || _t[i + 1].Is(TokenShape.LineBefore)))
        {
            Mark(i, i, PhiKind.Name);
        }
    }

    // Portal messages: "this is maria", "my name is Bill Hanrahan": a first name after an introduction, in any case.
    private void MarkIntroductions()
    {
        if (!_mayIntroduce)
        {
            return;
        }

        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if (i < 2 || !IsWord(i) || !IsFree(i))
            {
                continue;
            }

            // The introduction first: it is rarer than a first name and needs no lookup in the large lists.
            var introduced = (WordIs(i - 1, "is") && (WordIs(i - 2, "this") || WordIs(i - 2, "name"))) || (WordIs(i - 1, "am") && WordIs(i - 2, "i"));
            if (!introduced || (L(i) & Lex.FirstName) == 0 || (L(i) & Lex.Clinical) != 0)
            {
                continue;
            }

            var end = i;
            if (IsWord(i + 1) && (L(i + 1) & Lex.Name) != 0 && !_t[i + 1].Is(TokenShape.LineBefore) && (L(i + 1) & (Lex.Common | Lex.Clinical)) == 0)
            {
                end = i + 1;
            }

            // "this is will be hard" is not an introduction: the name ends the clause.
            if (!InRange(end + 1) || IsPunct(end + 1) || _t[end + 1].Is(TokenShape.LineBefore) || (L(i) & Lex.Common) == 0)
            {
                for (var k = i; k <= end; k++)
                {
                    Mark(k, k, PhiKind.Name);
                }
            }
        }
    }

    private bool IsTitle(int i, out int next)
    {
        next = IsPunct(i + 1, '.') && Joined(i + 1) ? i + 2 : i + 1;

        // "Dr" in "123 Main Dr" is a street; "Sr" after a name is a suffix; a title starts a name.
        if (!InRange(next) || _t[next].Is(TokenShape.LineBefore) || (IsNumber(i - 1) && _run[i - 1] == 0 && !_t[i].Is(TokenShape.LineBefore)))
        {
            return false;
        }

        // "moderate MR. Cardiology": a clinical abbreviation in capitals ending a sentence, not "Mr.", before a capitalized word.
        if (_t[i].Is(TokenShape.Upper) && next == i + 2 && _t[next].Is(TokenShape.Capitalized) && IsWord(i - 1) && _t[i - 1].Is(TokenShape.Lower)
            && !_t[i].Is(TokenShape.LineBefore) && (L(i) & Lex.Clinical) != 0)
        {
            return false;
        }

        // "Doctor", "Nurse", "Father", "Sister" are titles only before a capitalized word.
        return _t[i].Length <= 4 || IsCapitalized(next);
    }

    /// <summary>Marks the name that starts at <paramref name="i"/>, one run per word; returns how many tokens it took.</summary>
    private int NameRun(int i, bool allowLower, bool cued, bool titled = false, bool role = false)
    {
        var j = i;
        var words = 0;
        while (InRange(j) && words < MaxNameWords && (j == i || !_t[j].Is(TokenShape.LineBefore)))
        {
            if (!IsFree(j) || !IsWord(j))
            {
                break;
            }

            // An initial: "J." or "J" (but "M.D.", "D.O.", "R.N." are credentials).
            if (_t[j].Length == 1 && _t[j].Is(TokenShape.Upper) && IsDottedCredential(j))
            {
                break;
            }

            // "CLINICIAN: I see", "I'll send": the pronoun, not an initial.
            if (_t[j].Length == 1 && _t[j].Is(TokenShape.Upper) && WordIs(j, "i") && !IsPunct(j + 1, '.'))
            {
                break;
            }

            if (_t[j].Length == 1 && _t[j].Is(TokenShape.Upper))
            {
                Mark(j, j, PhiKind.Name);
                j += IsPunct(j + 1, '.') && Joined(j + 1) ? 2 : 1;
                words++;
                continue;
            }

            // "Ethel May Brubaker DOB": an upper-case word after a capitalized name is a label, not more name.
            if (words > 0 && _t[j].Is(TokenShape.Upper) && _t[i].Is(TokenShape.Capitalized) && (L(j) & Lex.Name) == 0)
            {
                break;
            }

            // "Anneke de Graaf", "Maria da Graça": a particle inside a name.
            if (words > 0 && IsParticle(j) && IsWord(j + 1) && IsCapitalized(j + 1) && !_t[j + 1].Is(TokenShape.LineBefore))
            {
                Mark(j, j, PhiKind.Name);
                j++;
                continue;
            }

            // After a title ("Dr. Young") or a role ("RN Mercy", "granddaughter Destiny") a first name or surname that is
            // also a word is a name; elsewhere such a word is a name alone only before another name word ("New patient").
            // Not a state's code ("provider (CO lic …)") nor, in capitals, an ordinary word ("NURSE NEEDS TO COME").
            if (IsStateCode(j) || (_t[j].Is(TokenShape.Upper) && !_t[i].Is(TokenShape.Capitalized) && IsCapsOrdinaryWord(j)))
            {
                break;
            }

            // "PATIENT: No.", "Re: NEW REFERRAL", "RE: First-level appeal": a function word, an ordinary word in a heading of
            // capitals, or one joined to a lower-case ordinary word starts no name.
            if ((words > 0 && IsWordBeforeNumber(j, L(j))) || (words == 0 && !titled && (IsFunctionWord(j) || ((L(j) & Lex.Common) != 0 && (IsCapsHeading(j) || IsOrdinaryCompound(j))))))
            {
                break;
            }

            var trusted = IsCapitalized(j) && !IsEponym(j) && (titled || (role && (L(j) & Lex.Name) != 0 && (L(j) & Lex.Clinical) == 0));
            if (!trusted && !CanBeName(j, allowLower, cued || words > 0, first: words == 0))
            {
                break;
            }

            if (!trusted && words == 0 && (L(j) & Lex.Common) != 0 && !cued
                && !(IsWord(j + 1) && IsCapitalized(j + 1) && (L(j + 1) & (Lex.Name | Lex.Common)) != Lex.Common && !_t[j + 1].Is(TokenShape.LineBefore)))
            {
                break;
            }

            if (titled && IsCapitalized(j) && !CanBeName(j, allowLower, cued: true, first: false) && (L(j) & Lex.Name) == 0
                && !(words == 0 && _t[j].Is(TokenShape.Capitalized) && IsPersonalTitle(WordBefore(j, 2)) && (L(j) & (Lex.Clinical | Lex.State | Lex.Month | Lex.Weekday | Lex.Facility)) == 0))
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

    // "Rm 118-B", "Bed 4" after a name: an ordinary word (or a short one no list knows) before a number, no given name.
    private bool IsWordBeforeNumber(int j, Lex lex) =>
        (lex & Lex.FirstName) == 0 && ((lex & Lex.Common) != 0 || (lex == Lex.None && _t[j].Length <= 3)) && IsNumber(j + 1) && !_t[j + 1].Is(TokenShape.LineBefore);

    // "KOWALCZYK, STANISLAW J  DOB": a single capital ending the name, before a label, a line's end or punctuation.
    private bool IsMiddleInitial(int j) =>
        IsWord(j) && _t[j].Length == 1 && _t[j].Is(TokenShape.Upper) && !_t[j].Is(TokenShape.LineBefore) && !WordIs(j, "i")
        && (!InRange(j + 1) || _t[j + 1].Is(TokenShape.LineBefore) || IsPunct(j + 1) || (IsWord(j + 1) && _t[j + 1].Is(TokenShape.Upper) && Has(j + 1, Lex.IdentifierCue | Lex.DateCue)));

    // "NEW REFERRAL": an upper-case word before an ordinary upper-case word no name list holds.
    private bool IsCapsHeading(int j) =>
        _t[j].Is(TokenShape.Upper) && IsWord(j + 1) && _t[j + 1].Is(TokenShape.Upper) && _t[j + 1].Length >= 3 && !_t[j + 1].Is(TokenShape.LineBefore)
        && (L(j + 1) & (Lex.Common | Lex.Clinical)) != 0 && (L(j + 1) & Lex.Name) == 0;

    // "First-level", "Long-term": a word joined by a hyphen to an ordinary lower-case word.
    private bool IsOrdinaryCompound(int j) =>
        IsPunct(j + 1, '-') && Joined(j + 1) && IsWord(j + 2) && Joined(j + 2) && _t[j + 2].Is(TokenShape.Lower) && !_t[j + 2].Is(TokenShape.Capitalized)
        && (L(j + 2) & (Lex.Common | Lex.Clinical)) != 0;

    // "NEEDS", "WANTS", "TO" in a text typed in capitals: an ordinary word or verb that no name list holds.
    private bool IsCapsOrdinaryWord(int j)
    {
        var lex = L(j);
        if ((lex & Lex.Name) != 0)
        {
            // "NURSE NEEDS": after a title that is also a noun, a surname that is a word is the word; "DR BROWN" stays a name.
            var title = WordBefore(j, 2);
            return (lex & (Lex.Common | Lex.FirstName)) == Lex.Common
                && (WordIs(title, "nurse") || WordIs(title, "sister") || WordIs(title, "father") || WordIs(title, "doctor") || WordIs(title, "officer"));
        }

        return (lex & (Lex.Common | Lex.NameVerb)) != 0
            || (_t[j].Length >= 4 && Span(j)[^1] is 'S' && (_lexicon.Of(Span(j)[..^1]) & (Lex.Common | Lex.NameVerb)) != 0);
    }

    // "Mr. Bask", "Mrs. Shepherd": a title that only a person's surname follows.
    private bool IsPersonalTitle(int t) =>
        WordIs(t, "mr") || WordIs(t, "mrs") || WordIs(t, "ms") || WordIs(t, "mx") || WordIs(t, "miss") || WordIs(t, "mister");

    // "CO", "PA", "IN" in capitals: a state's postal code, a name only after a title.
    private bool IsStateCode(int j) =>
        _t[j].Length == 2 && _t[j].Is(TokenShape.Upper) && (L(j) & Lex.State) != 0 && !Has(WordBefore(j, 2), Lex.Title);

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

    private bool CanBeName(int j, bool allowLower, bool cued, bool first = true)
    {
        var lex = L(j);

        // "Lopez, Maria MRN: …": a label or an identifier cue ends the name.
        if (IsPunct(j + 1, ':') || (_t[j].Is(TokenShape.Upper) && (lex & Lex.IdentifierCue) != 0))
        {
            return false;
        }

        if ((lex & (Lex.Title | Lex.Credential | Lex.Month | Lex.Weekday | Lex.Facility | Lex.EponymNoun)) != 0 && (lex & Lex.Name) == 0)
        {
            return false;
        }

        if (_t[j].Is(TokenShape.Caseless))
        {
            return true;
        }

        // Acronyms ("HCP", "WOC RN", "PGY") are not names unless a list says so or a title stands right before.
        if (_t[j].Is(TokenShape.Upper) && _t[j].Length is >= 2 and <= 5 && (lex & Lex.Name) == 0 && !Has(WordBefore(j, 2), Lex.Title))
        {
            return false;
        }

        if (IsCapitalized(j))
        {
            // After a cue, an ordinary capitalized word ("Dr. Will", "Patient: Hope") is a name only if the lists know it as one.
            if (first && (lex & Lex.Common) != 0 && (lex & Lex.Name) != 0 && !(IsWord(j + 1) && IsCapitalized(j + 1)) && !IsPunct(j + 1, ',')
                && (!cued || (IsWord(j + 1) && _t[j + 1].Is(TokenShape.Lower))))
            {
                return false;
            }

            return (lex & Lex.Name) != 0 || (lex & (Lex.Common | Lex.Clinical | Lex.State)) == 0;
        }

        return allowLower && _t[j].Is(TokenShape.Lower) && (lex & (Lex.Common | Lex.Clinical)) == 0 && _t[j].Length >= 2;
    }

    // Backwards from a credential: "Maria Lopez, MD", "Jane Q. Doe RN".
    private void NameBefore(int end)
    {
        var j = end;
        var words = 0;
        while (j >= 0 && words < MaxNameWords && IsFree(j))
        {
            if (IsPunct(j, '.') && j > 0 && IsWord(j - 1) && _t[j - 1].Length == 1)
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
            if (_t[j].Is(TokenShape.LineBefore))
            {
                break;
            }

            j--;
        }
    }

    // "M.D.", "D.O.", "R.N.", "N.P.", "P.A.", "Ph.D."
    private bool IsDottedCredential(int i) =>
        IsPunct(i + 1, '.') && Joined(i + 1) && IsWord(i + 2) && Joined(i + 2) && _t[i + 2].Length <= 2 && IsPunct(i + 3, '.') && Joined(i + 3)
        && (Span(i)[0] is 'M' or 'D' or 'R' or 'N' or 'P' or 'B' or 'F' or 'O' or 'L' or 'C');

    // "R. Ballard-Kim, LCDP", "U. Eze MD", "-- F. Acuña-Whitfield" at the end of a line: a signature.
    private bool EndsSignature(int end) =>
        !InRange(end + 1) || _t[end + 1].Is(TokenShape.LineBefore) || (IsPunct(end + 1, ',') && Has(end + 2, Lex.Credential)) || Has(end + 1, Lex.Credential);

    // A capitalized word of letters that no list knows (a surname-only listing counts as unknown).
    private bool IsUnknownName(int i) =>
        (L(i) == Lex.None || L(i) == Lex.Surname) && _t[i].Length >= 3 && !_t[i].Is(TokenShape.OtherScript) && !IsSaint(i);

    /// <summary>A word the name lists hold and no other list does: "Okafor", "Priya", "Lopez" (not "Will", "Brown", "Foley").</summary>
    private bool IsPlainName(int i)
    {
        var lex = L(i);
        if ((lex & Lex.Name) == 0 || (lex & (Lex.Common | Lex.Clinical | Lex.Month | Lex.Weekday | Lex.State | Lex.Title | Lex.Credential
            | Lex.MeasureUnit | Lex.Facility | Lex.Holiday | Lex.StreetSuffix | Lex.Direction)) != 0)
        {
            return false;
        }

        // A word before a number is a lab or a scale ("Na 138", "Wagner 3", "Hertel 17/17"), not a person.
        if (IsNumber(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore))
        {
            return false;
        }

        // Upper-case runs are headings and abbreviations more often than names: only longer words there.
        return !_t[i].Is(TokenShape.Upper) || _t[i].Length >= 5;
    }

    // "Graves disease", "Cushing's syndrome", "Murphy sign": the word names a disease or a sign, not a person.
    private bool IsEponym(int i)
    {
        var next = i + 1;
        if ((IsPunct(next, '\'') || IsPunct(next, '’')) && Joined(next))
        {
            next += WordIs(next + 1, "s") ? 2 : 1;
        }

        if (Has(next, Lex.EponymNoun) || (IsPunct(next, '-') && Has(next + 1, Lex.Clinical | Lex.Name) && Has(next + 3, Lex.EponymNoun)))
        {
            return true;
        }

        // "Hinchey Ib", "Fitzpatrick II": a grade after the name of a classification.
        if (IsWord(next) && IsRoman(next) && !Joined(next))
        {
            return true;
        }

        // "Swan-Ganz", "Reed-Sternberg", "Tyrer-Cuzick": the compound is a clinical word.
        return (IsPunct(i + 1, '-') && Joined(i + 1) && IsWord(i + 2) && Joined(i + 2) && IsClinicalCompound(i, i + 2))
            || (IsPunct(i - 1, '-') && Joined(i) && IsWord(i - 2) && Joined(i - 1) && IsClinicalCompound(i - 2, i));
    }

    private bool IsClinicalCompound(int first, int last)
    {
        var compound = _text.AsSpan(_t[first].Start, _t[last].End - _t[first].Start);
        return (_lexicon.Of(compound) & Lex.Clinical) != 0 || ((L(first) & Lex.Clinical) != 0 && (L(last) & Lex.Clinical) != 0);
    }

    private bool IsRoman(int i)
    {
        var span = Span(i);
        if (span.Length > 4)
        {
            return false;
        }

        foreach (var c in span[..^1])
        {
            if (c is not ('I' or 'V' or 'X'))
            {
                return false;
            }
        }

        return span[^1] is 'I' or 'V' or 'X' or 'a' or 'b' or 'c';
    }

    // "St. Jude", "Saint Luke": a saint names a hospital, a device or a place.
    private bool IsSaint(int i) => (IsPunct(i - 1, '.') && WordIs(i - 2, "st")) || WordIs(i - 1, "st") || WordIs(i - 1, "saint");

    // The particles by their length, so that a word is compared only with those of its own.
    private bool IsParticle(int i)
    {
        if (!_t[i].Is(TokenShape.Lower) || !IsWord(i))
        {
            return false;
        }

        var word = Span(i);
        return word.Length switch
        {
            1 => Is(word, "y") || Is(word, "e"),
            2 => Is(word, "de") || Is(word, "da") || Is(word, "di") || Is(word, "du") || Is(word, "la") || Is(word, "le") || Is(word, "do")
                || Is(word, "al") || Is(word, "el"),
            3 => Is(word, "del") || Is(word, "van") || Is(word, "von") || Is(word, "der") || Is(word, "den") || Is(word, "dos") || Is(word, "das")
                || Is(word, "bin") || Is(word, "ibn") || Is(word, "ter") || Is(word, "ten") || Is(word, "los") || Is(word, "las") || Is(word, "des"),
            5 => Is(word, "della"),
            _ => false,
        };

        static bool Is(ReadOnlySpan<char> word, string particle) => word.Equals(particle, StringComparison.OrdinalIgnoreCase);
    }

    // "de la", "van der", "de los", "von dem": one or two particles; the token after them, or -1 when none starts at i.
    private int AfterParticles(int i)
    {
        if (!IsWord(i) || !IsParticle(i) || _t[i].Is(TokenShape.LineBefore))
        {
            return -1;
        }

        return IsWord(i + 1) && IsParticle(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore) ? i + 2 : i + 1;
    }

    // The first of one or two particles that end at <paramref name="i"/> ("de la" before "Cruz"), or -1.
    private int ParticlesBefore(int i)
    {
        if (!IsWord(i) || !IsParticle(i) || !IsFree(i))
        {
            return -1;
        }

        return IsWord(i - 1) && IsParticle(i - 1) && IsFree(i - 1) && !_t[i].Is(TokenShape.LineBefore) ? i - 1 : i;
    }

    // "to", "by", "with" in lower case are prepositions, not role words.
    private bool IsLowerFunctionWord(int i) =>
        _t[i].Is(TokenShape.Lower) && (WordIs(i, "to") || WordIs(i, "by") || WordIs(i, "with") || WordIs(i, "from") || WordIs(i, "per")
            || WordIs(i, "via") || WordIs(i, "re") || WordIs(i, "name") || WordIs(i, "care") || WordIs(i, "reading") || WordIs(i, "cc")
            || WordIs(i, "patient") || WordIs(i, "pt") || WordIs(i, "seen") || WordIs(i, "signed") || WordIs(i, "called") || WordIs(i, "ordered")
            || WordIs(i, "performed") || WordIs(i, "requested") || WordIs(i, "reviewed") || WordIs(i, "verified") || WordIs(i, "discussed")
            || WordIs(i, "informed") || WordIs(i, "spoke") || WordIs(i, "examined") || WordIs(i, "evaluated") || WordIs(i, "author"));

    /// <summary>
    /// Neighbours of a name are names too when they could be: "John Will Smith", "Okafor, Chidi", "J. Okafor", "Maria
    /// Xochitl Lopez" (a capitalized word no list knows, next to a name).
    /// </summary>
    /// <returns>Whether the last pass marked nothing (another pass would mark nothing either).</returns>
    private bool ExtendNames()
    {
        // Mark is the only change a pass makes, and every Mark counts a run.
        var settled = false;
        for (var pass = 0; pass < 2 && !settled; pass++)
        {
            var runs = _runs;
            for (var w = 0; w < _wordCount; w++)
            {
                var i = _words[w];
                if (_run[i] == 0 || _kind[i] != PhiKind.Name || !IsWord(i) || IsParticle(i))
                {
                    continue;
                }

                // Right: "Maria Lopez", "Bartholomew J.", "Anneke de Graaf", 'Raymond "Ray" Szczepanski', 'Francis ("Frank")'.
                var r = JoinedNameEnd(i) + 1;
                var q = IsPunct(r, '(') ? r + 1 : r;
                if ((IsPunct(q, '"') || IsPunct(q, '“')) && IsWord(q + 1) && Joined(q + 1) && IsCapitalized(q + 1)
                    && (IsFree(q + 1) || _kind[q + 1] == PhiKind.Name) && (IsPunct(q + 2, '"') || IsPunct(q + 2, '”')) && Joined(q + 2))
                {
                    if (IsFree(q + 1))
                    {
                        Mark(q + 1, q + 1, PhiKind.Name);
                    }

                    var after = IsPunct(q + 3, ')') ? q + 4 : q + 3;
                    if (IsWord(after) && IsFree(after) && IsCapitalized(after) && !_t[after].Is(TokenShape.LineBefore)
                        && (IsUnknownName(after) || (L(after) & Lex.Name) != 0) && !Has(after, Lex.Credential | Lex.NameLabel))
                    {
                        Mark(after, JoinedNameEnd(after), PhiKind.Name);
                    }

                    continue;
                }

                if (IsWord(r) && IsFree(r) && !_t[r].Is(TokenShape.LineBefore) && IsNameNeighbour(r, i))
                {
                    Mark(r, JoinedNameEnd(r), PhiKind.Name);
                }
                else if (CapsGivenNameAfter(i, r) is var given and >= 0)
                {
                    Mark(given, given, PhiKind.Name);
                }
                else if (IsWord(r) && IsFree(r) && _t[r].Length == 1 && _t[r].Is(TokenShape.Upper) && IsPunct(r + 1, '.') && Joined(r + 1) && !_t[r].Is(TokenShape.LineBefore)
                    && !IsDottedCredential(r))
                {
                    Mark(r, r, PhiKind.Name);
                }
                else if (IsFree(r) && AfterParticles(r) is var named and > 0 && IsFree(named - 1) && IsWord(named) && IsCapitalized(named) && IsFree(named)
                    && !_t[named].Is(TokenShape.LineBefore) && (L(named) & Lex.Clinical) == 0 && !Has(named, Lex.Title | Lex.Credential | Lex.Month | Lex.Weekday | Lex.Facility))
                {
                    for (var k = r; k < named; k++)
                    {
                        Mark(k, k, PhiKind.Name);
                    }

                    Mark(named, JoinedNameEnd(named), PhiKind.Name);
                }

                // Left: "Maria Lopez", "J. Lopez", "Lopez, Maria".
                var l = i - 1;
                if (IsPunct(l, '.') && IsWord(l - 1) && _t[l - 1].Length == 1 && _t[l - 1].Is(TokenShape.Upper) && IsFree(l - 1))
                {
                    Mark(l - 1, l - 1, PhiKind.Name);
                }
                else if (ParticlesBefore(l) is var particle and >= 0 && IsWord(particle - 1) && IsCapitalized(particle - 1) && !_t[particle].Is(TokenShape.LineBefore)
                    && (IsFree(particle - 1) ? (L(particle - 1) & Lex.Name) != 0 || L(particle - 1) == Lex.None : _kind[particle - 1] == PhiKind.Name))
                {
                    for (var k = IsFree(particle - 1) ? particle - 1 : particle; k <= l; k++)
                    {
                        Mark(k, k, PhiKind.Name);
                    }
                }
                else if (ParticlesBefore(l) is var pair and >= 0 && pair < l && !_t[pair + 1].Is(TokenShape.LineBefore))
                {
                    // "de la", "van der" before a surname belong to it whatever stands before them.
                    Mark(pair, pair, PhiKind.Name);
                    Mark(l, l, PhiKind.Name);
                }
                else if (IsWord(l) && IsFree(l) && !_t[i].Is(TokenShape.LineBefore))
                {
                    if (_t[l].Length == 1 && _t[l].Is(TokenShape.Upper))
                    {
                        Mark(l, l, PhiKind.Name);
                    }
                    else if (IsNameNeighbour(l, i))
                    {
                        Mark(l, l, PhiKind.Name);
                    }
                }
                else if (IsPunct(l, ',') && IsWord(l - 1) && IsFree(l - 1) && (L(i) & Lex.FirstName) != 0 && IsNameNeighbour(l - 1, i)
                    && (IsPlainName(l - 1) || (L(l - 1) & Lex.Surname) != 0))
                {
                    Mark(l - 1, l - 1, PhiKind.Name);
                }
            }

            settled = _runs == runs;
        }

        return settled;
    }

    /// <summary>
    /// "NGUYEN THI MINH KHUE", "XIONG, PA NOU", "WARSAME CABDI": in capitals, after a listed surname (or a name word after
    /// another), a short word no list knows is a given name; a credential or state code ("PA") only before such a word.
    /// The word's index, or -1.
    /// </summary>
    private int CapsGivenNameAfter(int name, int r)
    {
        if (!_t[name].Is(TokenShape.Upper) || _t[name].Length < 2)
        {
            return -1;
        }

        var surname = (L(name) & Lex.Surname) != 0;
        var j = r;
        if (IsPunct(j, ',') && surname && Joined(j))
        {
            j++;
        }
        else if (!surname && !(WordBefore(name, 2) is var before and >= 0 && _run[before] != 0 && _kind[before] == PhiKind.Name && _t[before].Is(TokenShape.Upper)))
        {
            return -1;
        }

        if (!IsWord(j) || !IsFree(j) || !_t[j].Is(TokenShape.Upper) || _t[j].Is(TokenShape.LineBefore) || _t[j].Length is < 2 or > 8
            || _t[j].Start - _t[j - 1].End > 2 || IsPunct(j + 1, ':'))
        {
            return -1;
        }

        const Lex NotGiven = Lex.Common | Lex.Clinical | Lex.Month | Lex.Weekday | Lex.Facility | Lex.IdentifierCue | Lex.DateCue | Lex.NameLabel
            | Lex.Title | Lex.StreetSuffix | Lex.Relation | Lex.MeasureUnit | Lex.Direction;
        var lex = L(j);
        if ((lex & (Lex.Credential | Lex.State)) != 0)
        {
            var next = j + 1;
            return IsWord(next) && _t[next].Is(TokenShape.Upper) && !_t[next].Is(TokenShape.LineBefore) && _t[next].Start - _t[j].End <= 2
                && L(next) == Lex.None && _t[next].Length >= 2 && !IsPunct(next + 1, ':') ? j : -1;
        }

        if ((lex & NotGiven) != 0 && (lex & Lex.Name) == 0)
        {
            return -1;
        }

        return (lex & Lex.Name) != 0 || lex == Lex.None ? j : -1;
    }

    private bool IsNameNeighbour(int j, int name)
    {
        if (!IsCapitalized(j) || (IsCapitalized(name) && _t[j].Is(TokenShape.Upper) != _t[name].Is(TokenShape.Upper)))
        {
            return false;
        }

        // "INTERNAL MEDICINE          THISTLEWOOD": a wide gap is a column's edge, not the space inside a name.
        if ((j < name ? _t[name].Start - _t[j].End : _t[j].Start - _t[j - 1].End) > 3)
        {
            return false;
        }

        // "May Chen": a month that is a first name, before the name, after no preposition of time.
        var lex = j < name && IsMonthAsFirstName(j) ? L(j) & ~Lex.Month : L(j);
        if ((lex & (Lex.Title | Lex.Credential | Lex.Month | Lex.Weekday | Lex.State | Lex.Facility | Lex.MeasureUnit | Lex.NameLabel
            | Lex.Relation | Lex.StreetSuffix | Lex.EponymNoun | Lex.Salutation | Lex.SignOff | Lex.IdentifierCue | Lex.Holiday)) != 0
            || ((lex & Lex.Clinical) != 0 && (lex & Lex.Name) == 0))
        {
            return false;
        }

        // An upper-case acronym beside a capitalized name is not part of it ("Hope Delacroix, CCRC").
        if (_t[j].Is(TokenShape.Upper) && (lex & Lex.Name) == 0 && _t[j].Length <= 5)
        {
            return false;
        }

        // "al-amin who's been on", "Van Wyk   Rm 118-B": a function word, or an ordinary or unknown word before a number.
        if (IsEponym(j) || IsFunctionWord(j) || (j > name && IsWordBeforeNumber(j, lex)))
        {
            return false;
        }

        // A name-list word, or a word no list knows (not at the start of a sentence, where any word is capitalized).
        return (lex & Lex.Name) != 0 || (lex == Lex.None && _t[j].Length >= 2 && (!StartsSentence(j) || j < name));
    }

    /// <summary>Every other occurrence of a name found once: "Okafor" after "Mr. Okafor", in capitals or not.</summary>
    private void RepeatNames()
    {
        // A chat call's names (the patient's and a clinician's given and family names) fit without a resize.
        const int LearnedCapacity = 7;

        // The names found: from marked token to marked token, in text order.
        var names = _learned;
        for (var i = NextMarked(0); i < Count; i = NextMarked(i + 1))
        {
            // A particle ("de", "van") is part of a name, not one to find again alone.
            if (_kind[i] == PhiKind.Name && IsWord(i) && _t[i].Length >= 2 && !IsParticle(i) && !IsStateCode(i))
            {
                // A string is made only for a name not learned yet.
                (names ??= _learned = new HashSet<string>(LearnedCapacity, StringComparer.OrdinalIgnoreCase)).GetAlternateLookup<ReadOnlySpan<char>>().Add(Span(i));
            }
        }

        if (names is not { Count: > 0 })
        {
            return;
        }

        // Most words have neither the length nor the first letter of a learned name: two bit masks spare them the hashing.
        // A name that starts outside ASCII letters turns the letter test off (case folding may match it to one).
        ulong firsts = 0, lengths = 0;
        foreach (var name in names)
        {
            firsts |= name.Length > 0 && char.IsAsciiLetter(name[0]) ? 1UL << ((name[0] | 0x20) - 'a') : ulong.MaxValue;
            lengths |= 1UL << Math.Min(name.Length, 63);
        }

        var lookup = names.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if (IsWord(i) && _run[i] == 0 && MayBeLearned(i, firsts, lengths) && lookup.Contains(Span(i)) && !IsFunctionWord(i)
                && (IsCapitalized(i) || (L(i) & (Lex.Common | Lex.Clinical)) == 0) && !IsEponym(i)
                && ((L(i) & Lex.Common) == 0 || NextToName(i) || (IsCapitalized(i) && (!StartsSentence(i) || SubjectOrAddressed(i)))) && !IsSaint(i))
            {
                // "de la cruz" again: the particles before a surname found again go with it.
                if (ParticlesBefore(i - 1) is var particle and >= 0 && !_t[i].Is(TokenShape.LineBefore))
                {
                    for (var k = particle; k < i; k++)
                    {
                        Mark(k, k, PhiKind.Name);
                    }
                }

                Mark(i, JoinedNameEnd(i), PhiKind.Name);
            }
        }
    }

    private bool MayBeLearned(int i, ulong firsts, ulong lengths)
    {
        var first = _text[_t[i].Start];
        return ((lengths >> Math.Min(_t[i].Length, 63)) & 1) != 0
            && (!char.IsAsciiLetter(first) || ((firsts >> ((first | 0x20) - 'a')) & 1) != 0);
    }

    // An ordinary word repeated as a name ("Will", "Hope") only beside another name or after a title.
    private bool NextToName(int i) =>
        (InRange(i - 1) && _run[i - 1] != 0 && _kind[i - 1] == PhiKind.Name) || (InRange(i + 1) && _run[i + 1] != 0 && _kind[i + 1] == PhiKind.Name)
        || Has(WordBefore(i, 2), Lex.Title);

    // ---- Places ----

    private void MarkPlaces()
    {
        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];

            // "Cleveland Heights", "Great Falls", "Sandy Springs", "Iowa City", "Palm Beach": a town's last word names it
            // a town, even after a word the name rules took.
            if (IsWord(i) && _t[i].Is(TokenShape.Capitalized) && IsTownEnd(i + 1)
                && (_run[i] == 0 || (_kind[i] == PhiKind.Name && _run[i] != _run[i + 1] && (i == 0 || _run[i - 1] != _run[i]))) && (L(i) & (Lex.Clinical | Lex.Facility | Lex.Title | Lex.NameLabel | Lex.Relation | Lex.Month | Lex.Weekday)) == 0)
            {
                Mark(i, i + 1, PhiKind.Location);
                continue;
            }

            if (!IsWord(i) || _run[i] != 0 || !IsCapitalized(i))
            {
                continue;
            }

            // "Suffolk County", "Orleans Parish"
            if ((WordIs(i + 1, "county") || WordIs(i + 1, "parish") || WordIs(i + 1, "township")) && IsCapitalized(i + 1) && (L(i) & Lex.State) == 0)
            {
                var start = i;
                while (start > 0 && i - start < 2 && IsWord(start - 1) && IsCapitalized(start - 1) && IsFree(start - 1) && !_t[start].Is(TokenShape.LineBefore)
                    && (L(start - 1) & (Lex.NameLabel | Lex.Common)) == 0)
                {
                    start--;
                }

                Mark(start, i, PhiKind.Location);
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
            var known = (L(i) & Lex.Place) != 0 && (L(i) & (Lex.Common | Lex.Clinical | Lex.State | Lex.Name | Lex.Month)) == 0;
            if (_t[i].Is(TokenShape.Upper) && _t[i].Length <= 4)
            {
                continue;
            }

            if (!cue && !known && (WeakPlaceCue(i, prior) is var town and >= 0 || (town = CityAfterAddress(i)) >= 0))
            {
                Mark(i, town, PhiKind.Location);
                continue;
            }

            if ((cue && (L(i) & (Lex.Clinical | Lex.State | Lex.Month | Lex.Facility)) == 0) || (known && !IsFacilityName(i) && !NamesInstrumentOrTribe(i) && _t[i].Is(TokenShape.Capitalized)))
            {
                var end = i;
                while (end + 1 < Count && end - i < 2 && IsWord(end + 1) && IsCapitalized(end + 1) && IsFree(end + 1)
                    && (L(end + 1) & (Lex.State | Lex.Facility | Lex.Common)) == 0)
                {
                    end++;
                }

                Mark(i, end, PhiKind.Location);
            }
        }
    }

    // The town's last word, not a street's ("Oak Park Ave") nor a facility's ("Park City Hospital").
    private bool IsTownEnd(int j) =>
        IsWord(j) && IsFree(j) && _t[j].Is(TokenShape.Capitalized) && !_t[j].Is(TokenShape.LineBefore)
        && (WordIs(j, "heights") || WordIs(j, "falls") || WordIs(j, "springs") || WordIs(j, "beach") || WordIs(j, "city") || WordIs(j, "park"))
        && !(IsWord(j + 1) && IsCapitalized(j + 1) && !_t[j + 1].Is(TokenShape.LineBefore) && !Has(j + 1, Lex.State));

    // Words no list knows as anything but a name or a place, capitalized mid-sentence, that may be a town.
    private bool MayBePlace(int i, bool common = false) =>
        _t[i].Is(TokenShape.Capitalized) && _t[i].Length >= 3 && !StartsSentence(i) && !IsFacilityName(i)
        && (L(i) & ((common ? Lex.None : Lex.Common) | Lex.Clinical | Lex.State | Lex.Month | Lex.Weekday | Lex.Facility | Lex.Holiday | Lex.Title | Lex.Credential
            | Lex.NameLabel | Lex.Relation | Lex.MeasureUnit | Lex.StreetSuffix | Lex.IdentifierCue | Lex.EponymNoun | Lex.UnitDesignator)) == 0;

    // A town after a preposition with no verb of place: "a fisherman out of Shem Creek", "the church in Jasper" (after a
    // proper name), "Pt from Wheeling, drives in" (the town ends the clause); a first name alone after "from" is left to
    // the name rules ("a text from Jen.").
    private int WeakPlaceCue(int i, int prior)
    {
        if (prior < 0 || prior != i - 1)
        {
            return -1;
        }

        var outOf = WordIs(prior, "of") && WordIs(prior - 1, "out");
        if (!(outOf || WordIs(prior, "in") || WordIs(prior, "from") || WordIs(prior, "outside")))
        {
            return -1;
        }

        // "out of Cedar Bluff", "the chapel in Jasper": after "out of" or a proper name, a town's name may be ordinary words.
        var properBefore = !WordIs(prior, "from") && IsWord(prior - 1) && _t[prior - 1].Is(TokenShape.Capitalized) && !StartsSentence(prior - 1);
        var end = IsWord(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore) && MayBePlaceWord(i + 1, common: outOf) ? i + 1 : i;
        if (!MayBePlace(i, common: outOf || properBefore))
        {
            return -1;
        }

        var endsClause = !InRange(end + 1) || _t[end + 1].Is(TokenShape.LineBefore) || IsPunct(end + 1, '.') || IsPunct(end + 1, ',')
            || IsPunct(end + 1, ';') || IsPunct(end + 1, ')');
        var lex = L(i);
        var placeLike = (lex & Lex.Place) != 0 || (lex & Lex.FirstName) == 0;
        return outOf || (placeLike && endsClause) || properBefore ? end : -1;
    }

    private bool MayBePlaceWord(int i, bool common = false) =>
        IsCapitalized(i) && IsFree(i) && (L(i) & ((common ? Lex.None : Lex.Common) | Lex.Clinical | Lex.State | Lex.Facility | Lex.Credential | Lex.Month | Lex.Weekday)) == 0;

    // "County Rd 12 past the elevator, Ogallala.": the town after a street address, the same line, a comma before it and
    // the end of the clause after it.
    private int CityAfterAddress(int i)
    {
        if (!IsPunct(i - 1, ',') || !MayBePlace(i) || ((L(i) & Lex.FirstName) != 0 && (L(i) & Lex.Place) == 0))
        {
            return -1;
        }

        var end = IsWord(i + 1) && !_t[i + 1].Is(TokenShape.LineBefore) && MayBePlaceWord(i + 1) ? i + 1 : i;
        if (InRange(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore) && !IsPunct(end + 1, '.') && !IsPunct(end + 1, ';'))
        {
            return -1;
        }

        for (var p = i - 2; p >= 0 && p >= i - 12; p--)
        {
            if (_run[p] != 0 && _kind[p] == PhiKind.Address)
            {
                return end;
            }

            if (_t[p + 1].Is(TokenShape.LineBefore) || IsPunct(p, '.') || IsPunct(p, ';'))
            {
                return -1;
            }
        }

        return -1;
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

            var phrase = _text.AsSpan(_t[i].Start, _t[last].End - _t[i].Start);
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

    // "Edinburgh Postnatal Depression Scale", "Framingham Risk Score", "Oglala Sioux Tribe": a town's name that opens the
    // name of a scale, score, sign or tribe (capitalized words up to one of those nouns) is not the town.
    private bool NamesInstrumentOrTribe(int i)
    {
        for (var j = i + 1; j <= i + 4 && IsWord(j) && IsCapitalized(j) && !_t[j].Is(TokenShape.LineBefore); j++)
        {
            if (InstrumentNouns.Contains(Span(j)))
            {
                return true;
            }
        }

        return false;
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
            for (var c = 0; c < _capCount; c++)
            {
                var i = _caps[c];
                if (IsWord(i) && _run[i] == 0 && IsCapitalized(i) && _known.IsPlace(Span(i)))
                {
                    Mark(i, i, PhiKind.Location);
                }
            }
        }
    }
}
