using System.Collections.Frozen;

namespace XefAI.Data.Deidentification;

/// <summary>
/// Names (round 19): given names that are also words, decided by what stands around them. A full name opening a
/// sentence before a verb of a person ("Mark Hill called", "Will Best is here"); a given name after a kinship word ("her
/// daughter Penny") or a cue of who was reached ("per Clay", "spoke with Dawn about", "paged Rusty", "c/o Merry"); a
/// nickname after "goes by" or "aka", in quotes after a given name, or as the subject of a verb of a person ("Bubba
/// called"); and a given name learned in full said again alone in lower case ("penny called back") or shortened ("benjamin
/// cho … ben says").
/// </summary>
internal sealed partial class Scan
{
    // Informal given names that the lists hold as ordinary words or not at all: a name when a verb of a person follows.
    private static readonly FrozenSet<string> Nicknames19 = new[]
    {
        "bubba", "sissy", "tater", "junior", "bud", "buddy", "sonny", "skip", "skipper", "sis", "bubby", "chip", "chipper", "scooter",
        "butch", "dusty", "rusty", "sugar", "peaches", "boo", "bo", "tink", "pee-wee", "peewee", "dutch", "red", "lefty", "slim",
        "tiny", "babe", "baby", "kiddo", "pops", "granny", "meemaw", "peepaw", "nana", "papa", "mimi", "gigi", "cookie", "bunny",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> Nickname19Lookup = Nicknames19.GetAlternateLookup<ReadOnlySpan<char>>();

    // What a given name said with a cue is not: a calendar, place, cue, clinical-noun or relation word.
    private const Lex NotGivenWord19 = NotPersonWord17 | Lex.Clinical;

    /// <summary>
    /// Asked of a capitalized word the name lists left free (after round 17's pairs): the cue before it, or a sentence's
    /// first two words before a verb of a person.
    /// </summary>
    private void MarkAtCapital19(int i)
    {
        // Shape first: a word of at least two letters, not in capitals, on the same line as the word before it (or first).
        if (_t[i].Length < 2 || _t[i].Is(TokenShape.Upper) || !char.IsLetter(_text[_t[i].Start]))
        {
            return;
        }

        var p = i - 1;
        if (p >= 0 && _t[p].Type == TokenType.Punct && (IsPunct(p, '"') || IsPunct(p, '“') || IsPunct(p, '\'') || IsPunct(p, '‘')))
        {
            QuotedNickname19(i, p);
            return;
        }

        if (p >= 0 && _t[p].Type == TokenType.Word && !_t[i].Is(TokenShape.LineBefore) && _t[p].Length <= 13
            && (CuedGivenName19(i, p) || NicknameCue19(p)))
        {
            if (IsCuedPerson19(i))
            {
                MarkGivenAndSurname19(i);
            }

            return;
        }

        if (IsWrittenCapital13(i))
        {
            if (StartsSentence(i))
            {
                SentenceStartName19(i);
            }
            else if (_t[i].Length <= 8 && IsWord(i + 1) && _t[i + 1].Is(TokenShape.Lower) && Nickname19Lookup.Contains(Span(i))
                && IsPersonVerb19(i + 1, strict: true) && (L(i) & NotGivenWord19) == 0)
            {
                // A nickname as the subject mid-sentence: "and Bubba called", "then Tater says".
                Mark(i, i, PhiKind.Name);
            }
        }
    }

    // "daughter", "son", "wife" (a relation word), "per", "with" after "spoke/talked", "called", "paged", "texted",
    // "c/o", "care of": a cue that the person reached is named next.
    private bool CuedGivenName19(int i, int p)
    {
        if (!IsWrittenCapital13(i))
        {
            return false;
        }

        if (_t[p].Length >= 3 && Has(p, Lex.Relation))
        {
            return !_t[p].Is(TokenShape.Upper);
        }

        return WordIs(p, "per") || WordIs(p, "paged") || WordIs(p, "texted") || WordIs(p, "messaged") || WordIs(p, "called")
            || (WordIs(p, "with") && (WordIs(p - 1, "spoke") || WordIs(p - 1, "talked") || WordIs(p - 1, "speaking") || WordIs(p - 1, "met")))
            || (WordIs(p, "to") && (WordIs(p - 1, "spoke") || WordIs(p - 1, "talked")))
            || (WordIs(p, "of") && WordIs(p - 1, "care"))
            || (WordIs(p, "o") && IsPunct(p - 1, '/') && WordIs(p - 2, "c"));
    }

    // "goes by", "go by", "went by", "aka", "nicknamed": a nickname follows, in any case.
    private bool NicknameCue19(int p) =>
        WordIs(p, "aka") || WordIs(p, "nicknamed")
        || (WordIs(p, "by") && (WordIs(p - 1, "goes") || WordIs(p - 1, "go") || WordIs(p - 1, "went") || WordIs(p - 1, "going")));

    // The word after a cue is a person's given name: a listed given name or nickname that is no clinical, calendar or cue
    // word; after a nickname cue, also a word no list knows.
    private bool IsCuedPerson19(int i)
    {
        if (IsFunctionWord(i) || IsEponym(i) || IsSaint(i))
        {
            return false;
        }

        var lex = L(i);
        if ((lex & NotGivenWord19) != 0)
        {
            return false;
        }

        return (lex & Lex.FirstName) != 0 || Nickname19Lookup.Contains(Span(i)) || (lex == Lex.None && NicknameCue19(i - 1));
    }

    // The given name, and a listed surname in title case right after it ("son Clay Hardin").
    private void MarkGivenAndSurname19(int i)
    {
        var end = JoinedNameEnd(i);
        var s = end + 1;
        if (IsWord(s) && IsFree(s) && IsWrittenCapital13(s) && !_t[s].Is(TokenShape.LineBefore) && _t[s].Length >= 2 && !IsFunctionWord(s)
            && (L(s) & (Lex.Surname | NotGivenWord19)) == Lex.Surname && !IsEponym(s) && !IsFacilityName(s))
        {
            Mark(i, end, PhiKind.Name);
            Mark(s, JoinedNameEnd(s), PhiKind.Name);
            return;
        }

        Mark(i, end, PhiKind.Name);
    }

    /// <summary>
    /// 'Earl "Bud" Pettibone', "Robert 'Skip' Hale": one word in quotes right after a given name (marked or listed, in title
    /// case) and closed by the quote is the person's nickname.
    /// </summary>
    private void QuotedNickname19(int i, int quote)
    {
        var given = quote - 1;
        var close = i + 1;
        if (!IsWord(given) || !InRange(close) || !IsPunct(close) || _text[_t[close].Start] is not ('"' or '”' or '\'' or '’') || !Joined(i) || !Joined(close)
            || _t[quote].Is(TokenShape.LineBefore) || _t[i].Is(TokenShape.LineBefore))
        {
            return;
        }

        // After a given name ('Earl "Bud"'), or after "prefers", "called", "aka", "nicknamed", "goes by", "known as".
        if (!((_run[given] != 0 && _kind[given] == PhiKind.Name) || (IsWrittenCapital13(given) && (L(given) & (Lex.FirstName | Lex.Clinical)) == Lex.FirstName)
                || (IsWrittenCapital13(i) && (WordIs(given, "prefers") || WordIs(given, "called") || NicknameCue19(given)
                    || (WordIs(given, "as") && WordIs(given - 1, "known")))
                    && ((L(i) & (Lex.FirstName | Lex.Common)) != Lex.Common || Nickname19Lookup.Contains(Span(i)))))
            || IsFunctionWord(i) || (L(i) & NotGivenWord19) != 0)
        {
            return;
        }

        Mark(i, i, PhiKind.Name);
    }

    /// <summary>
    /// "Mark Hill called about his refill.", "Heath Lamb called.", "Will Best is here for his 3pm.", "Bubba says": a listed
    /// given name and surname (or a nickname alone) opening a sentence, before a verb a person's subject takes. A street
    /// word as the surname ("Rose Hill is…") needs a verb only a person takes ("called", "reports").
    /// </summary>
    private void SentenceStartName19(int i)
    {
        var s = i + 1;
        if (!IsWord(s))
        {
            return;
        }

        if (_t[s].Is(TokenShape.Lower))
        {
            // A nickname alone before a verb of a person: "Bubba called", "Junior says he fell".
            if (Nickname19Lookup.Contains(Span(i)) && IsPersonVerb19(s, strict: true) && (L(i) & NotGivenWord19) == 0)
            {
                Mark(i, i, PhiKind.Name);
            }

            return;
        }

        if (!IsWrittenCapital13(s) || _t[s].Is(TokenShape.LineBefore) || !_t[s].Is(TokenShape.SpaceBefore) || _t[s].Length < 3 || !IsFree(s))
        {
            return;
        }

        var first = L(i);
        if ((first & Lex.FirstName) == 0 || (first & NotGivenWord19) != 0 || IsImperative13(i) || IsEponym(i) || IsSaint(i))
        {
            return;
        }

        var surname = L(s);
        var end = JoinedNameEnd(s);
        if ((surname & Lex.Surname) == 0 || (surname & (NotGivenWord19 & ~(Lex.StreetSuffix | Lex.SignOff))) != 0 || IsFunctionWord(s) || IsEponym(s)
            || IsFacilityName(s) || !(IsPersonVerb19(end + 1, strict: (surname & Lex.StreetSuffix) != 0) || IsPossessiveRelation19(end + 1)))
        {
            return;
        }

        Mark(i, JoinedNameEnd(i), PhiKind.Name);
        Mark(s, end, PhiKind.Name);
    }

    // "'s wife", "’s daughter": a possessive before a relation word ("Mark Hill's wife called").
    private bool IsPossessiveRelation19(int n) =>
        (IsPunct(n, '\'') || IsPunct(n, '’')) && Joined(n) && WordIs(n + 1, "s") && Joined(n + 1) && IsWord(n + 2) && _t[n + 2].Is(TokenShape.Lower)
        && Has(n + 2, Lex.Relation);

    // A lower-case verb of a person ("called", "reports", "is", "can"); strict: not the copulas and auxiliaries a place or a
    // thing also takes ("is", "was", "has", "will").
    private bool IsPersonVerb19(int n, bool strict)
    {
        if (!IsWord(n) || !_t[n].Is(TokenShape.Lower) || _t[n].Length < 2 || _t[n].Is(TokenShape.LineBefore))
        {
            return false;
        }

        // The verbs of a person are a cue flag, known without the lists' lookup of a lower-case word.
        if (!Has(n, Lex.NameVerb))
        {
            // Not strict: a past form ("phoned", "texted"; not "need", "bleed") or an auxiliary ("can", "told").
            return !strict && ((_t[n].Length >= 5 && Span(n).EndsWith("ed", StringComparison.Ordinal) && (L(n) & (Lex.Clinical | Lex.Name)) == 0)
                || (_t[n].Length <= 9 && SubjectVerbLookup.Contains(Span(n))));
        }

        return !strict || !(WordIs(n, "is") || WordIs(n, "was") || WordIs(n, "has") || WordIs(n, "had") || WordIs(n, "will") || WordIs(n, "would")
            || WordIs(n, "does") || WordIs(n, "did") || WordIs(n, "left") || WordIs(n, "remains") || WordIs(n, "continues"));
    }

    /// <summary>
    /// "her brother joseba is ninety", "my daughter katie said": after a relation word, in lower case (dictation, chat), a
    /// word no list knows or a listed given name that is no ordinary word, closing the clause or before a verb of a person.
    /// Asked when the relation's own name run took nothing.
    /// </summary>
    private void LowerRelationName19(int k)
    {
        // Right after the relation word ("daughter (glargine 14 u)" is no name), on its line.
        if (!IsWord(k) || IsPunct(k - 1) || !IsFree(k) || !_t[k].Is(TokenShape.Lower) || _t[k].Length < 3 || _t[k].Is(TokenShape.LineBefore)
            || IsFunctionWord(k))
        {
            return;
        }

        // An unknown word of four letters or more ("adm", "hx" are abbreviations), or a listed given name; one that is also
        // an ordinary word ("merry", "grace") only before a verb of a person, and never a verb itself ("will").
        var lex = L(k);
        var ordinary = (lex & (Lex.FirstName | Lex.Common | Lex.NameVerb | NotGivenWord19)) == (Lex.FirstName | Lex.Common);
        if (!((lex == Lex.None && _t[k].Length >= 4) || (lex & (Lex.FirstName | Lex.Common | NotGivenWord19)) == Lex.FirstName || ordinary))
        {
            return;
        }

        // The clause ends after it (punctuation other than a joining one, or the line's end), or a verb of a person follows.
        var end = JoinedNameEnd(k);
        var n = end + 1;
        var closed = !InRange(n) || _t[n].Is(TokenShape.LineBefore)
            || IsPunct(n, '.') || IsPunct(n, ',') || IsPunct(n, ';') || IsPunct(n, '!') || IsPunct(n, '?') || IsPunct(n, ')');
        if (ordinary ? !IsPersonVerb19(n, strict: false) : !closed && !IsPersonVerb19(n, strict: false))
        {
            return;
        }

        Mark(k, end, PhiKind.Name);
    }

    /// <summary>
    /// A given name learned in this text said again alone where the repeats do not take it: in lower case though it is
    /// also a word ("Penny Alvarez … penny called back"), or shortened ("benjamin cho … ben says"), as the subject of a verb
    /// of a person. Runs after the repeats, on the names they learned.
    /// </summary>
    private void RepeatGivenNames19()
    {
        if (_learned is not { Count: > 0 and <= 32 } names)
        {
            return;
        }

        // The learned names' first letters (ASCII only): most words start otherwise and are passed by without a lookup.
        ulong firsts = 0;
        var longest = 0;
        foreach (var name in names)
        {
            if (name.Length >= 3 && char.IsAsciiLetter(name[0]))
            {
                firsts |= 1UL << ((name[0] | 0x20) - 'a');
                longest = Math.Max(longest, name.Length);
            }
        }

        if (firsts == 0)
        {
            return;
        }

        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if (_t[i].Type != TokenType.Word || _run[i] != 0 || _t[i].Length < 3 || _t[i].Length > longest || _t[i].Is(TokenShape.Upper))
            {
                continue;
            }

            // The verb after it (mostly a flag test) first, then the learned names, before any lookup of the word itself.
            var letter = _text[_t[i].Start];
            if (!char.IsAsciiLetter(letter) || ((firsts >> ((letter | 0x20) - 'a')) & 1) == 0 || !IsPersonVerb19(i + 1, strict: false)
                || !MatchesLearned19(i, names) || IsFunctionWord(i) || IsDeterminerBefore19(i - 1) || IsFreeCapitalBefore19(i))
            {
                continue;
            }

            var lex = L(i);
            if ((lex & (Lex.FirstName | Lex.NameVerb)) != Lex.FirstName || (lex & NotGivenWord19) != 0 || IsEponym(i) || !IsLearnedGiven19(i, names))
            {
                continue;
            }

            Mark(i, i, PhiKind.Name);
        }
    }

    // The word is a learned name or the start of a longer one, before the lists are asked whether it may be shortened.
    private bool MatchesLearned19(int i, HashSet<string> names)
    {
        var word = Span(i);
        foreach (var name in names)
        {
            if (name.Length >= word.Length && (name[0] | 0x20) == (word[0] | 0x20) && name.AsSpan(0, word.Length).Equals(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    // The word is a learned name, or the start of a longer learned one ("ben" of "benjamin") when no ordinary word ("man"
    // is no "Manuelito").
    private bool IsLearnedGiven19(int i, HashSet<string> names)
    {
        var word = Span(i);
        var shortened = (L(i) & Lex.Common) == 0;
        foreach (var name in names)
        {
            if (name.Length >= word.Length && name.AsSpan(0, word.Length).Equals(word, StringComparison.OrdinalIgnoreCase)
                && (name.Length == word.Length || (shortened && name.Length >= word.Length + 2)))
            {
                return true;
            }
        }

        return false;
    }

    // "Later penny said", "Later, penny said": a free capitalized word right before (or before a comma) would be taken into
    // the name by the neighbours' pass.
    private bool IsFreeCapitalBefore19(int i)
    {
        var p = IsPunct(i - 1, ',') ? i - 2 : i - 1;
        return IsWord(p) && IsCapitalized(p) && _run[p] == 0;
    }

    // "the", "a", "my", "his", "her", "your", "some", "no": a noun follows, not a person's name; "i", "we", "you",
    // "they", "to": a verb follows ("i hope is…" is no person).
    private bool IsDeterminerBefore19(int p) =>
        IsWord(p) && _t[p].Length <= 5
        && (WordIs(p, "i") || WordIs(p, "we") || WordIs(p, "you") || WordIs(p, "they") || WordIs(p, "to") || WordIs(p, "the") || WordIs(p, "a") || WordIs(p, "an") || WordIs(p, "my") || WordIs(p, "his") || WordIs(p, "her") || WordIs(p, "your")
            || WordIs(p, "their") || WordIs(p, "our") || WordIs(p, "some") || WordIs(p, "no") || WordIs(p, "this") || WordIs(p, "that")
            || WordIs(p, "any") || WordIs(p, "each") || WordIs(p, "every"));
}
