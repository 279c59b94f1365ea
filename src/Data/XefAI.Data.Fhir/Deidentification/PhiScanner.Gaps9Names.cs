using System.Collections.Frozen;

namespace XefAI.Data.Deidentification;

/// <content>
/// Names the earlier rules leave because each of their words is also a dictionary word: "Patient John Smith presented",
/// "Met with Terry Long and his wife", "John Smith, 45M, presents" (a listed first name and surname, capitalized in running
/// text or before what follows a person).
/// </content>
internal sealed partial class Scan
{
    // Words right before a capitalized name pair that make it a person ("Patient John Smith", "Resident Peter White").
    private static readonly string[] PersonBeforeNamePair = ["patient", "pt", "resident", "client", "member", "veteran", "participant", "inmate"];

    // Lower-case verbs of a clinical narrative that follow a person's name ("John Smith presents", "Terry Long was seen").
    private static readonly string[] VerbsAfterPerson =
    [
        "presents", "presented", "presenting", "was", "is", "has", "had", "reports", "reported", "states", "stated", "denies", "denied",
        "arrived", "arrives", "returns", "returned", "comes", "came", "called", "died", "lives", "lived", "says", "said", "complains",
        "complained", "underwent", "tolerated", "remains", "agreed", "agrees", "declined", "declines", "endorses", "endorsed", "notes",
        "noted", "requests", "requested", "refused", "refuses", "feels", "felt", "fell", "walked", "left", "expired",
    ];

    // Words before Title Case that names a thing, not a person: "the Grace Period", "at Mark Hill", "our Long Term Care".
    private static readonly string[] WordsBeforeTitleCase =
        ["the", "a", "an", "this", "that", "these", "those", "our", "your", "their", "its", "my", "at", "in", "on", "into", "near"];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> PairCueWords =
        PersonBeforeNamePair.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> PairVerbs =
        VerbsAfterPerson.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> TitleCaseLeaders =
        WordsBeforeTitleCase.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    // What neither word of a name pair may also be: a word of dates, places, roles or units names no person here.
    private const Lex NotInNamePair = Lex.Month | Lex.Weekday | Lex.State | Lex.Title | Lex.Credential | Lex.Facility | Lex.Holiday
        | Lex.Direction | Lex.MeasureUnit | Lex.EponymNoun | Lex.IdentifierCue | Lex.NameLabel | Lex.Relation | Lex.Salutation | Lex.SignOff
        | Lex.DateCue | Lex.PlaceCue | Lex.UnitDesignator | Lex.Clinical;

    /// <summary>
    /// A capitalized listed first name and a capitalized listed surname that are also ordinary words ("John Smith", "Heather
    /// Young", "Terry Long"): a person after "Patient", "Resident", "Client" or "Member"; before what follows a person (", 45M",
    /// "(DOB", "MRN", "presents", "was seen"); or mid-sentence in running text, between lower-case words. Title Case (a heading,
    /// "the Grace Period", "Long Term Care") is left: a pair after a determiner or before another capitalized word is none.
    /// </summary>
    private void MarkCommonNamePairs()
    {
        for (var c = 0; c < _capCount && _caps[c] + 1 < Count; c++)
        {
            // Flag tests first: a capitalized word's flags are known, and few are first names.
            var i = _caps[c];
            if ((_lex[i] & Lex.FirstName) == 0 || _t[i].Type != TokenType.Word || !_t[i].Is(TokenShape.Capitalized) || !IsWord(i + 1)
                || !_t[i + 1].Is(TokenShape.Capitalized) || (_lex[i + 1] & Lex.Surname) == 0 || _t[i + 1].Is(TokenShape.LineBefore)
                || !_t[i + 1].Is(TokenShape.SpaceBefore))
            {
                continue;
            }

            // Written with capitals (not a lower-case text judged as if capitalized), and not already something else.
            if (!char.IsUpper(_text[_t[i].Start]) || !char.IsUpper(_text[_t[i + 1].Start]) || !IsFreeOrName(i) || !IsFreeOrName(i + 1)
                || (!IsFree(i) && !IsFree(i + 1)) || _t[i].Length < 3 || _t[i + 1].Length < 2)
            {
                continue;
            }

            var first = L(i);
            var last = L(i + 1);
            if ((first & NotInNamePair) != 0 || ((last & NotInNamePair) != 0 && (last & Lex.Clinical) == 0) || IsEponym(i + 1) || IsFacilityName(i + 1) || IsSaint(i))
            {
                continue;
            }

            var end = JoinedNameEnd(i + 1);
            var strong = IsPairCue(i);
            var followed = IsPersonContinuation(end + 1);

            // A surname that is also a clinical word ("Foley", "Baker's cyst") or a street's word ("Hill", "Green") is taken
            // only after a cue or before what follows a person.
            var weak = (last & (Lex.Clinical | Lex.StreetSuffix)) != 0;
            if (!(strong || followed || (!weak && IsRunningTextPair(i, end))))
            {
                continue;
            }

            if (IsFree(i))
            {
                Mark(i, i, PhiKind.Name);
            }

            if (IsFree(i + 1))
            {
                Mark(i + 1, end, PhiKind.Name);
            }
        }
    }

    private bool IsFreeOrName(int i) => _run[i] == 0 || _kind[i] == PhiKind.Name;

    /// <summary>"Patient", "Pt", "Resident", "Client", "Member" right before the pair, on its line.</summary>
    private bool IsPairCue(int i)
    {
        var p = i - 1;
        if (IsPunct(p, '.') && Joined(p))
        {
            p--;
        }

        return IsWord(p) && !_t[i].Is(TokenShape.LineBefore) && _t[p].Length <= 11 && PairCueWords.Contains(Span(p));
    }

    /// <summary>
    /// What follows a person's name and no heading's words: ", 45M", ", 45 y/o", "(DOB", "(58", "MRN", "DOB", or a lower-case
    /// verb of a clinical narrative ("presents", "was", "is", "reports", "denies").
    /// </summary>
    private bool IsPersonContinuation(int n)
    {
        if (!InRange(n) || _t[n].Is(TokenShape.LineBefore))
        {
            return false;
        }

        if (IsPunct(n, ',') || IsPunct(n, '('))
        {
            var k = n + 1;
            return InRange(k) && !_t[k].Is(TokenShape.LineBefore)
                && (IsNumber(k, 1, 3) || (_t[k].Type == TokenType.Alnum && char.IsAsciiDigit(Span(k)[0]) && _t[k].Length <= 6)
                    || (IsWord(k) && (_lex[k] & (Lex.DateCue | Lex.IdentifierCue)) != 0 && _t[k].Is(TokenShape.Upper | TokenShape.Capitalized)));
        }

        if (!IsWord(n))
        {
            return false;
        }

        if (_t[n].Is(TokenShape.Upper) && (_lex[n] & (Lex.DateCue | Lex.IdentifierCue)) != 0)
        {
            return true;
        }

        return _t[n].Is(TokenShape.Lower) && char.IsLower(_text[_t[n].Start]) && _t[n].Length <= 12 && PairVerbs.Contains(Span(n));
    }

    /// <summary>
    /// The pair stands mid-sentence between lower-case words ("met with Terry Long and his wife"), not after a determiner or a
    /// preposition of place ("the Grace Period", "at Mark Hill"), nor before another capitalized word.
    /// </summary>
    private bool IsRunningTextPair(int i, int end)
    {
        var p = i - 1;
        if (!IsWord(p) || _t[i].Is(TokenShape.LineBefore) || !_t[p].Is(TokenShape.Lower) || !char.IsLower(_text[_t[p].Start])
            || (_t[p].Length <= 5 && TitleCaseLeaders.Contains(Span(p))))
        {
            return false;
        }

        var n = end + 1;
        if (!InRange(n) || _t[n].Is(TokenShape.LineBefore))
        {
            return true;
        }

        return (IsWord(n) && _t[n].Is(TokenShape.Lower) && char.IsLower(_text[_t[n].Start]))
            || IsPunct(n, ',') || IsPunct(n, '.') || IsPunct(n, ';') || IsPunct(n, ')') || IsPunct(n, '?') || IsPunct(n, '!');
    }
}
