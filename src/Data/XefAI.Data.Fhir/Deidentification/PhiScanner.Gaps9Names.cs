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

    // Words before Title Case that names a thing or a place, not a person: "the Grace Period", "at Mark Hill", "from Sandy Springs".
    private static readonly string[] WordsBeforeTitleCase =
        ["the", "a", "an", "this", "that", "these", "those", "our", "your", "their", "its", "my", "at", "in", "on", "into", "near", "from", "to", "of", "via"];

    // Lower-case words after which a capitalized first name that is also a word is a person: "ask Grant to call", "by driver
    // Ivy", "page Faith", "per Hope".
    private static readonly string[] PersonBeforeFirstName =
    [
        "ask", "asked", "page", "paged", "tell", "told", "text", "texted", "notify", "notified", "thank", "thanked", "driver", "sitter", "by",
        "per", "patient", "pt", "client", "resident", "member", "called", "call", "visited", "with", "and", "relieved", "covering", "cc",
    ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> FirstNameCueWords =
        PersonBeforeFirstName.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    // Field labels that only a person's name follows on a form's line ("Patient: Tevita Fifita", "Donor: ...").
    private static readonly string[] PersonFieldLabels =
    [
        "patient", "name", "donor", "recipient", "athlete", "client", "resident", "member", "veteran", "inmate", "student", "decedent",
        "subscriber", "insured", "beneficiary", "claimant", "employee", "participant", "infant", "child", "mother", "father", "guardian",
    ];

    // Credentials written in mixed case after a name and a comma ("Ifeoma Chukwu, PharmD", "Stanislav Hruska, CRNP").
    private static readonly string[] MixedCaseCredentials = ["pharmd", "psyd", "phd", "aud", "drph", "crnp", "dnp", "edd", "dsw", "otd", "scd"];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> FieldLabels =
        PersonFieldLabels.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> MoreCredentials =
        MixedCaseCredentials.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    // Languages an interpreter's line names, which a name label's rule takes for a name ("Interpreter: Kinyarwanda, in person").
    // Not Karen: far more often a woman's given name in US notes than the language, and a missed name is the worse error.
    private static readonly string[] Languages =
    [
        "kinyarwanda", "kirundi", "swahili", "somali", "amharic", "tigrinya", "oromo", "arabic", "dari", "pashto", "farsi", "urdu", "hindi",
        "punjabi", "bengali", "nepali", "burmese", "hmong", "vietnamese", "cantonese", "mandarin", "tagalog", "ilocano", "korean",
        "japanese", "russian", "ukrainian", "polish", "haitian", "creole", "portuguese", "spanish", "french", "marshallese", "chuukese", "samoan",
        "tongan", "navajo", "lingala", "tigre", "uzbek", "turkish", "kurdish", "albanian", "bosnian", "romanian", "mam", "kiche", "quechua",
    ];

    // Spanish function words that start a sentence in a bilingual message and are surnames in the lists ("Ya le di", "El número").
    private static readonly string[] SpanishFunctionWords = ["ya", "el", "la", "le", "lo", "los", "las", "mi", "su", "que", "es", "en", "del", "por", "con", "pero"];

    // Nouns of devices after which a capitalized word is a brand, not a person ("CADD Solis pump").
    private static readonly string[] DeviceNouns =
    [
        "pump", "monitor", "ventilator", "device", "chamber", "concentrator", "nebulizer", "glucometer", "wheelchair", "sensor", "stapler",
        "stent", "valve", "implant", "pacemaker", "defibrillator", "catheter", "cpap", "bipap",
    ];

    // Countries the places' list lacks, none of them a common given name ("Chad", "Jordan", "Georgia" are left out).
    private static readonly string[] MoreCountries =
    [
        "india", "burundi", "tanzania", "zimbabwe", "zambia", "guinea", "mali", "niger", "benin", "togo", "angola", "mozambique", "malawi",
        "botswana", "namibia", "saudi", "qatar", "kuwait", "oman", "bhutan", "mongolia", "kazakhstan", "uzbekistan", "tajikistan", "armenia",
        "belarus", "moldova", "serbia", "croatia", "bosnia", "albania", "kosovo", "hungary", "austria", "switzerland", "netherlands", "belgium",
        "sweden", "norway", "finland", "denmark", "iceland", "palestine", "libya", "tunisia", "algeria", "micronesia", "palau", "belize",
    ];

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> MoreCountryNames =
        MoreCountries.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> LanguageNames =
        Languages.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> SpanishWords =
        SpanishFunctionWords.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> DeviceNounLookup =
        DeviceNouns.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

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
    private void TryCommonNamePair(int i)
    {
        if (i + 1 >= Count || (_lex[i] & Lex.FirstName) == 0 || _t[i].Type != TokenType.Word || !_t[i].Is(TokenShape.Capitalized) || !IsWord(i + 1)
            || !_t[i + 1].Is(TokenShape.Capitalized) || (_lex[i + 1] & Lex.Surname) == 0 || _t[i + 1].Is(TokenShape.LineBefore)
            || !_t[i + 1].Is(TokenShape.SpaceBefore))
        {
            return;
        }

        // Written with capitals (not a lower-case text judged as if capitalized), and not already something else.
        if (!char.IsUpper(_text[_t[i].Start]) || !char.IsUpper(_text[_t[i + 1].Start]) || !IsFreeOrName(i) || !IsFreeOrName(i + 1)
            || (!IsFree(i) && !IsFree(i + 1)) || _t[i].Length < 3 || _t[i + 1].Length < 2)
        {
            return;
        }

        var first = L(i);
        var last = L(i + 1);
        if ((first & NotInNamePair) != 0 || ((last & NotInNamePair) != 0 && (last & Lex.Clinical) == 0) || IsEponym(i + 1) || IsFacilityName(i + 1) || IsSaint(i))
        {
            return;
        }

        var end = JoinedNameEnd(i + 1);
        var strong = IsPairCue(i);
        var followed = IsPersonContinuation(end + 1);

        // A surname that is also a clinical word ("Foley", "Baker's cyst") or a street's word ("Hill", "Green") is taken
        // only after a cue or before what follows a person.
        var weak = (last & (Lex.Clinical | Lex.StreetSuffix)) != 0;
        if (!(strong || followed || (!weak && IsRunningTextPair(i, end) && !IsKnownPlace(_text.AsSpan(_t[i].Start, _t[end].End - _t[i].Start)))))
        {
            return;
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

    // ---- "Last, First" ----

    /// <summary>
    /// "Hollis, Grant (DOB 5/17/48)", "Xiong, Chue      brother-in-law": after a surname found, a comma and a capitalized given
    /// name (listed, even as an ordinary word, or no list's word), ending where a person's name ends: before "(DOB", "(MRN",
    /// an identifier in parentheses, a cue, the line's end or a table's column gap.
    /// </summary>
    private void TryReorderedGivenName(int i)
    {
        if (i + 2 >= Count || _run[i] == 0 || _kind[i] != PhiKind.Name || !IsPunct(i + 1, ',') || !Joined(i + 1) || !IsWord(i + 2) || !IsFree(i + 2)
            || _t[i + 2].Is(TokenShape.LineBefore) || _t[i + 2].Start - _t[i + 1].End > 2 || !(IsGivenNameInRow(i + 2, i) || IsShortGivenBeforeName(i + 2)))
        {
            return;
        }

        // "Mother Rosa Diaz, Denver": after a name of two words the comma ends the name; a surname stands first.
        if (IsWord(i - 1) && !_t[i].Is(TokenShape.LineBefore) && _run[i - 1] != 0 && _kind[i - 1] == PhiKind.Name && _run[i - 1] != _run[i])
        {
            return;
        }

        var end = JoinedNameEnd(i + 2);
        if (IsWord(end + 1) && IsFree(end + 1) && !_t[end + 1].Is(TokenShape.LineBefore) && _t[end + 1].Start - _t[end].End == 1
            && IsGivenNameInRow(end + 1, i) && ((L(end + 1) & Lex.Name) != 0 || L(end + 1) == Lex.None || _t[end + 1].Length == 1))
        {
            // "Vang, Pa Nhia", "Tupou, Sione Viliami", "Whitlock, Dana M": a second given name or an initial.
            end = JoinedNameEnd(end + 1);
        }

        // "Vang, Pa Nhia" with "Nhia" found: the given names end at another name word as well.
        if (EndsReorderedName(end + 1) || (IsWord(end + 1) && _run[end + 1] != 0 && _kind[end + 1] == PhiKind.Name && !_t[end + 1].Is(TokenShape.LineBefore)))
        {
            Mark(i + 2, end, PhiKind.Name);
        }
    }

    /// <summary>A given name in a "Last, First" name: capitalized like the surname, no clinical, date or role word.</summary>
    private bool IsGivenNameInRow(int j, int surname)
    {
        if (!IsWord(j) || _t[j].Is(TokenShape.Upper) != _t[surname].Is(TokenShape.Upper) || !IsCapitalized(j) || IsEponym(j))
        {
            return false;
        }

        // In a text typed in lower case only a listed name counts ("ortiz, licsw" is a credential), and no initial.
        var lex = L(j);
        if (!char.IsUpper(_text[_t[j].Start]) && ((lex & Lex.Name) == 0 || _t[j].Length == 1))
        {
            return false;
        }

        // A state's code or credential written as a name ("Pa", "Al") is a given name here.
        var codes = _t[j].Is(TokenShape.Capitalized) && _t[j].Length == 2 ? Lex.State | Lex.Credential | Lex.NameLabel : Lex.None;
        if ((lex & NotInNamePair & ~codes) != 0)
        {
            return false;
        }

        // An initial ("Whitlock, D.") or a name word; an ordinary word only when the lists know it as a first name too.
        return (_t[j].Length == 1 && !WordIs(j, "i")) || (lex & Lex.FirstName) != 0 || (lex & ~(Lex.Surname | Lex.State | Lex.Place | codes | Lex.WordRuleStart)) == 0;
    }

    /// <summary>"Pa" in "Vang, Pa Nhia": a capitalized word of two letters (a code elsewhere) before a name word found or unknown.</summary>
    private bool IsShortGivenBeforeName(int j) =>
        _t[j].Length == 2 && _t[j].Is(TokenShape.Capitalized) && IsWord(j + 1) && IsCapitalized(j + 1) && !_t[j + 1].Is(TokenShape.LineBefore)
        && _t[j + 1].Start - _t[j].End == 1 && ((_run[j + 1] != 0 && _kind[j + 1] == PhiKind.Name) || (IsFree(j + 1) && IsUnknownName(j + 1)));

    /// <summary>Where a reordered name ends: a line's end, a column gap, "(DOB", "(MRN", "(31190042)", a cue, a full stop or a dash.</summary>
    private bool EndsReorderedName(int n)
    {
        if (!InRange(n) || _t[n].Is(TokenShape.LineBefore) || _t[n].Start - _t[n - 1].End >= 3)
        {
            return true;
        }

        if (IsPunct(n, '(') && (IsNumber(n + 1, 4, 12) || (InRange(n + 1) && _t[n + 1].Type == TokenType.Alnum)))
        {
            return true;
        }

        return (!IsPunct(n, ',') && IsPersonContinuation(n)) || (IsPunct(n, '.') && (!InRange(n + 1) || _t[n + 1].Is(TokenShape.LineBefore)))
            || (IsPunct(n, '-') && !Joined(n) && !Joined(n + 1)) || IsPunct(n, ';') || IsPunct(n, '|');
    }

    /// <summary>
    /// A table or list whose rows start "Last, First": when most such rows already hold a name found, the others are names
    /// too ("Okeke, Ugochukwu" among "Vang, Mai Yer" and "Xiong, Chue"), their words capitalized and no clinical or date word.
    /// </summary>
    private void MarkNameListRows()
    {
        int rows = 0, named = 0;
        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            if (IsNameRowStart(i))
            {
                rows++;
                named += (_run[i] != 0 && _kind[i] == PhiKind.Name) || (_run[i + 2] != 0 && _kind[i + 2] == PhiKind.Name) ? 1 : 0;
            }
        }

        // Two rows at least, and two in three named.
        if (named < 2 || named * 3 < rows * 2 || named == rows)
        {
            return;
        }

        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            if (!IsNameRowStart(i) || (!IsFree(i) && _kind[i] != PhiKind.Name) || (!IsFree(i + 2) && _kind[i + 2] != PhiKind.Name))
            {
                continue;
            }

            var surname = L(i);
            if ((surname & NotInNamePair & ~Lex.Clinical) != 0 || ((surname & Lex.Clinical) != 0 && (surname & Lex.Name) == 0)
                || (IsFree(i) && (surname & Lex.Common) != 0 && (surname & Lex.Name) == 0) || !IsGivenNameInRow(i + 2, i))
            {
                continue;
            }

            if (IsFree(i))
            {
                Mark(i, JoinedNameEnd(i), PhiKind.Name);
            }

            var end = JoinedNameEnd(i + 2);
            if (IsFree(i + 2))
            {
                Mark(i + 2, end, PhiKind.Name);
            }

            var next = end + 1;
            if (IsWord(next) && IsFree(next) && !_t[next].Is(TokenShape.LineBefore) && _t[next].Start - _t[end].End == 1 && IsGivenNameInRow(next, i)
                && ((L(next) & Lex.Name) != 0 || L(next) == Lex.None))
            {
                Mark(next, JoinedNameEnd(next), PhiKind.Name);
            }
        }
    }

    /// <summary>A line that starts "Word, Word" (both capitalized, the comma joined to the first).</summary>
    private bool IsNameRowStart(int i) =>
        StartsLine(i) && IsWord(i) && _t[i].Length >= 2 && IsPunct(i + 1, ',') && Joined(i + 1) && IsWord(i + 2) && IsCapitalized(i + 2)
        && !_t[i + 2].Is(TokenShape.LineBefore) && _t[i + 2].Start - _t[i + 1].End <= 2;

    // ---- First names that are words ----

    /// <summary>
    /// A capitalized first name that is also an ordinary word, alone, mid-sentence: "ask Grant to call", "by driver Ivy", "per
    /// Faith's request", "Faith (daughter) at bedside", "Hope (activities)". Not before another capitalized word (a pair or
    /// Title Case), not after a determiner, not an eponym.
    /// </summary>
    private void TryWordFirstName(int i)
    {
        if ((_lex[i] & (Lex.FirstName | Lex.Common)) != (Lex.FirstName | Lex.Common) || (_lex[i] & NotInNamePair) != 0 || _run[i] != 0
            || _t[i].Type != TokenType.Word || !_t[i].Is(TokenShape.Capitalized) || _t[i].Length < 3 || !char.IsUpper(_text[_t[i].Start]))
        {
            return;
        }

        var n = i + 1;
        if (InRange(n) && !_t[n].Is(TokenShape.LineBefore) && IsWord(n) && IsCapitalized(n))
        {
            return;
        }

        // "Faith (daughter)", "Hope (activities)": a role or relation in parentheses right after.
        var role = IsPunct(n, '(') && IsWord(n + 1) && _t[n + 1].Is(TokenShape.Lower) && !_t[n + 1].Is(TokenShape.LineBefore)
            && (IsPunct(n + 2, ')') || IsPunct(n + 2, ',')) && !IsEponym(i);
        if (role)
        {
            Mark(i, i, PhiKind.Name);
            return;
        }

        if (StartsSentence(i) || IsEponym(i) || IsSaint(i))
        {
            return;
        }

        var p = i - 1;
        if (!IsWord(p) || !_t[p].Is(TokenShape.Lower) || !char.IsLower(_text[_t[p].Start]) || _t[i].Is(TokenShape.LineBefore))
        {
            return;
        }

        // "per Faith's request": a possessive before a lower-case word; "ask Grant to call": after a cue of a person.
        var possessive = (IsPunct(n, '\'') || IsPunct(n, '’')) && Joined(n) && WordIs(n + 1, "s") && Joined(n + 1) && IsWord(n + 2)
            && _t[n + 2].Is(TokenShape.Lower) && (_t[p].Length > 5 || !TitleCaseLeaders.Contains(Span(p)));
        if (possessive || (_t[p].Length <= 9 && FirstNameCueWords.Contains(Span(p))))
        {
            Mark(i, i, PhiKind.Name);
        }
    }

    // ---- Nicknames ----

    /// <summary>
    /// A nickname in quotes inside a name: 'Precious "Peach" Adeyemi-Holt', 'Lokelani "Loke" Fonoti' (three capitalized words on
    /// a line, the middle one quoted, a name word or no list's word on either side); and '"Big Mike"', a nickname of an
    /// adjective and a first name in quotes.
    /// </summary>
    private void TryQuotedNickname(int i)
    {
        if (!IsQuote(i - 1) || !Joined(i) || !IsQuote(i + 1) || !Joined(i + 1) || _t[i].Type != TokenType.Word || _t[i].Is(TokenShape.LineBefore))
        {
            // '"Big Mike"': the adjective opens the quotes.
            if (IsQuote(i - 1) && Joined(i) && _t[i].Is(TokenShape.Capitalized) && IsNicknameAdjective(i) && IsWord(i + 1) && !Joined(i + 1)
                && !_t[i + 1].Is(TokenShape.LineBefore) && _t[i + 1].Is(TokenShape.Capitalized) && IsQuote(i + 2) && Joined(i + 2)
                && (L(i + 1) & (Lex.FirstName | Lex.Clinical)) == Lex.FirstName && IsFree(i) && IsFree(i + 1))
            {
                Mark(i, i + 1, PhiKind.Name);
            }

            return;
        }

        var first = i - 2;
        var last = i + 2;
        if (!IsWord(first) || !IsWord(last) || !_t[first].Is(TokenShape.Capitalized) || !_t[last].Is(TokenShape.Capitalized | TokenShape.Upper)
            || _t[i - 1].Is(TokenShape.LineBefore) || _t[last].Is(TokenShape.LineBefore) || Joined(i - 1) || Joined(last)
            || !IsNicknamePart(first) || !IsNicknamePart(last) || !IsNicknamePart(i, nickname: true)
            || !((L(first) & Lex.Name) != 0 || IsUnknownName(first) || (L(last) & Lex.Name) != 0 || IsUnknownName(last)))
        {
            return;
        }

        foreach (var k in (ReadOnlySpan<int>)[first, i, last])
        {
            if (IsFree(k))
            {
                Mark(k, JoinedNameEnd(k), PhiKind.Name);
            }
        }
    }

    private bool IsQuote(int i) => IsPunct(i, '"') || IsPunct(i, '“') || IsPunct(i, '”');

    // A word of a name with a nickname: free or a name, no clinical, date, place or role word; an ordinary word only as the
    // nickname ("Peach").
    private bool IsNicknamePart(int k, bool nickname = false) =>
        (IsFree(k) || _kind[k] == PhiKind.Name) && (L(k) & NotInNamePair) == 0 && (nickname || (L(k) & (Lex.Common | Lex.Name)) != Lex.Common);

    private bool IsNicknameAdjective(int i) => WordIs(i, "big") || WordIs(i, "little") || WordIs(i, "lil") || WordIs(i, "baby") || WordIs(i, "old");

    // ---- Names after a form's label, before a credential ----

    /// <summary>
    /// "Patient: Tevita Fifita   DOB", "Patient: Laughing Bear, Winona", "Name: Maryann Two Crows": after a person's field label
    /// that starts a line (or a column), the capitalized words up to the line's end or a delimiter (a column gap, "|", "(", a
    /// cue such as "DOB") are the name, two to five of them, none clinical, one at least a name word or no list's word.
    /// </summary>
    private void TryNameAfterFieldLabel(int i)
    {
        if (!IsPunct(i + 1, ':') || !Joined(i + 1) || _t[i].Length > 11 || !(StartsLine(i) || _t[i].Start - _t[i - 1].End >= 3 || IsPunct(i - 1, '|'))
            || !FieldLabels.Contains(Span(i)))
        {
            return;
        }

        var from = i + 2;
        if ((IsPunct(from, '\'') || IsPunct(from, '‘') || IsPunct(from, '’')) && Joined(from + 1))
        {
            // "'Ana Fifita": the okina or an apostrophe opens the name.
            from++;
        }

        if (!InRange(from) || _t[from].Is(TokenShape.LineBefore))
        {
            return;
        }

        var last = -1;
        var words = 0;
        var named = false;
        var open = false;
        var j = from;
        for (; j < Count && j < from + 12 && !_t[j].Is(TokenShape.LineBefore); j++)
        {
            if (IsPunct(j, '-') && Joined(j) && Joined(j + 1))
            {
                continue;
            }

            if (IsPunct(j, ',') && Joined(j) && last == j - 1 && words > 0)
            {
                continue;
            }

            if (!IsWord(j) || (j > from && _t[j].Start - _t[j - 1].End >= 3))
            {
                break;
            }

            if (!IsCapitalized(j) || !char.IsUpper(_text[_t[j].Start]) || (!IsFree(j) && _kind[j] != PhiKind.Name) || IsPunct(j + 1, ':'))
            {
                break;
            }

            var lex = L(j);
            if (_t[j].Is(TokenShape.Upper) && (lex & (Lex.IdentifierCue | Lex.DateCue)) != 0)
            {
                break;
            }

            if (BlocksName(j, lex))
            {
                // A clinical or cue word inside the run: no name here.
                open = true;
                break;
            }

            // "Infant: Baby Girl Okafor", "BOY Reyes": the words of a newborn's name before the family's are no name.
            if (IsNewbornWord(j))
            {
                continue;
            }

            named |= (lex & Lex.Name) != 0 || IsUnknownName(j) || _run[j] != 0;
            words++;
            last = j;
        }

        // The run ends at the line's end, a column gap, "|", "(", ";" or a cue word in capitals; a lower-case word is a sentence.
        var ends = !InRange(j) || _t[j].Is(TokenShape.LineBefore) || _t[j].Start - _t[j - 1].End >= 3 || IsPunct(j, '|') || IsPunct(j, '(')
            || IsPunct(j, ';') || (IsWord(j) && _t[j].Is(TokenShape.Upper) && (L(j) & (Lex.IdentifierCue | Lex.DateCue)) != 0);
        // The last word is a name word or none the lists know ("Client: Mira Patel Dermatology" names a clinic).
        if (open || !ends || words is < 2 or > 5 || !named || IsPunct(last + 1, ',')
            || !((L(last) & Lex.Name) != 0 || IsUnknownName(last) || _run[last] != 0 || IsPunct(last - 1, '-')))
        {
            return;
        }

        MarkNameWords(from, last);
    }

    // A date, place, role or cue word is no part of a name; a clinical word only when it is no capitalized name word ("Ana", "Stone").
    private bool BlocksName(int j, Lex lex) =>
        (lex & NotInNamePair & ~Lex.Clinical) != 0 || ((lex & Lex.Clinical) != 0 && ((lex & Lex.Name) == 0 || !_t[j].Is(TokenShape.Capitalized)));

    /// <summary>
    /// "Ifeoma Chukwu, PharmD", "Ama Nkrumah-Stone, FNP", "Stanislav Hruška, CRNP": a name of two or three capitalized words
    /// (hyphens joining parts) before a comma and a credential in mixed case or one the lists lack; the credential itself is
    /// no name ("McAllister-Dunn, AuD").
    /// </summary>
    private void TryNameBeforeMoreCredential(int i)
    {
        if (!IsPunct(i - 1, ',') || _t[i].Length is < 3 or > 6 || _t[i].Type != TokenType.Word || !MoreCredentials.Contains(Span(i))
            && !((_lex[i] & Lex.Credential) != 0 && _t[i].Is(TokenShape.Upper)))
        {
            return;
        }

        if (_run[i] != 0 && _kind[i] == PhiKind.Name && (i + 1 == Count || _run[i + 1] != _run[i]) && _run[i - 2] != _run[i])
        {
            _run[i] = 0;
        }

        // Back from the comma: parts joined by hyphens, words on the line.
        var words = 0;
        var start = -1;
        for (var j = i - 2; j >= 0 && j >= i - 10; j--)
        {
            if (IsPunct(j, '-') && Joined(j) && Joined(j + 1))
            {
                continue;
            }

            if (!IsWord(j) || !_t[j].Is(TokenShape.Capitalized) || (!IsFree(j) && _kind[j] != PhiKind.Name) || BlocksName(j, L(j))
                || ((L(j) & Lex.Common) != 0 && (L(j) & Lex.Name) == 0))
            {
                break;
            }

            if (!(IsPunct(j + 1, '-') && Joined(j + 1)))
            {
                words++;
            }

            start = j;
            if (words == 3 || _t[j].Is(TokenShape.LineBefore) || !IsWord(j - 1) && !(IsPunct(j - 1, '-') && Joined(j)))
            {
                break;
            }
        }

        if (start < 0 || words < 2 || (StartsSentence(start) && (L(start) & Lex.Name) == 0 && !IsUnknownName(start)))
        {
            return;
        }

        MarkNameWords(start, i - 2);
    }

    /// <summary>Marks the free words from <paramref name="from"/> to <paramref name="to"/>, parts joined by hyphens as one; not a newborn's words.</summary>
    private void MarkNameWords(int from, int to)
    {
        for (var k = from; k <= to; k++)
        {
            if (!IsWord(k) || IsNewbornWord(k))
            {
                continue;
            }

            var end = Math.Min(JoinedNameEnd(k), to);
            if (IsFree(k) && !AnyMarked(k, end))
            {
                Mark(k, end, PhiKind.Name);
            }

            k = end;
        }
    }

    private bool IsNewbornWord(int k) =>
        WordIs(k, "baby") || WordIs(k, "boy") || WordIs(k, "girl") || WordIs(k, "twin") || WordIs(k, "infant") || WordIs(k, "male")
        || WordIs(k, "female") || WordIs(k, "newborn") || WordIs(k, "bb") || WordIs(k, "bg");

    // ---- Initials before a lower-case surname ----

    /// <summary>
    /// "d. okafor-banks (mrn 5509127", "(j. hollister, PA-C)": an initial in lower case and a lower-case surname (a name the lists
    /// hold, or no list's word) before an identifier or date cue in parentheses or a credential after a comma.
    /// </summary>
    private void MarkLowerInitialNames()
    {
        for (var w = 0; w < _wordCount; w++)
        {
            // One lower-case letter with its full stop first: few words are.
            var i = _words[w];
            if (_t[i].Length != 1 || !char.IsLower(_text[_t[i].Start]) || !IsPunct(i + 1, '.') || !Joined(i + 1) || !IsWord(i + 2) || Joined(i + 2)
                || _run[i] != 0 || !IsFree(i + 2) || _t[i + 2].Is(TokenShape.LineBefore) || !char.IsLower(_text[_t[i + 2].Start]) || _t[i + 2].Length < 3
                || (IsPunct(i - 1, '.') && Joined(i)))
            {
                continue;
            }

            // An ordinary word too ("hollister") between the initial and the cue; no clinical one ("e. coli (mrn").
            var lex = L(i + 2);
            if ((lex & ~(Lex.Name | Lex.Place | Lex.Common)) != 0)
            {
                continue;
            }

            var end = JoinedNameEnd(i + 2);
            var n = end + 1;
            var cued = (IsPunct(n, '(') && IsWord(n + 1) && (Has(n + 1, Lex.IdentifierCue | Lex.DateCue)))
                || (IsPunct(n, ',') && IsWord(n + 1) && Has(n + 1, Lex.Credential) && !_t[n + 1].Is(TokenShape.LineBefore));
            if (cued && !AnyMarked(i, end))
            {
                Mark(i, i, PhiKind.Name);
                Mark(i + 2, end, PhiKind.Name);
            }
        }
    }

    // ---- Words taken for names that are none ----

    /// <summary>
    /// Whether a word a name rule marked names no one (taken back with the words that are no identifier): a language
    /// ("Interpreter: Kinyarwanda"), a country after "in" or "from" ("contact in India:"), a Spanish function word starting a
    /// sentence ("Ya le di"), "Room" before its number ("Room 118B"), a brand before a device's noun ("CADD Solis pump") or its
    /// model ("(Sechrist 3600H"), and a verb after a lower-case surname ("fairbrother comes in").
    /// </summary>
    private bool IsFalseName(int i)
    {
        if (_kind[i] != PhiKind.Name || _t[i].Type != TokenType.Word)
        {
            return false;
        }

        // The cheap tests of place and shape first; a word is looked up in a list only where its rule could apply.
        var alone = (i == 0 || _run[i - 1] != _run[i]) && (i + 1 == Count || _run[i + 1] != _run[i]);
        var n = i + 1;
        var lowerNext = IsWord(n) && _t[n].Is(TokenShape.Lower) && !_t[n].Is(TokenShape.LineBefore);

        // A language before punctuation or a line's end ("Interpreter: Kinyarwanda, in person").
        if (alone && _t[i].Length is > 4 and <= 12 && !(IsWord(n) && !_t[n].Is(TokenShape.LineBefore)) && LanguageNames.Contains(Span(i)))
        {
            return true;
        }

        // A Spanish word capitalized at a sentence's start, alone, before a lower-case word ("Ya le di", not "Dr. El Sayed").
        if (alone && _t[i].Length <= 4 && lowerNext && StartsSentence(i) && !Has(WordBefore(i, 2), Lex.Title) && SpanishWords.Contains(Span(i)))
        {
            return true;
        }

        if (alone && (WordIs(i - 1, "in") || WordIs(i - 1, "from")) && (IsCountry(i) || (_t[i].Length <= 12 && MoreCountryNames.Contains(Span(i)))))
        {
            return true;
        }

        // "Room 118B", "Rm 4": a unit's word before its number.
        if ((_lex[i] & Lex.UnitDesignator) != 0 && (IsNumber(i + 1) || (InRange(i + 1) && _t[i + 1].Type == TokenType.Alnum && char.IsAsciiDigit(Span(i + 1)[0]))))
        {
            return true;
        }

        // "CADD Solis pump", "(Sechrist 3600H,": a brand.
        if (lowerNext && _t[i].Is(TokenShape.Capitalized) && _t[n].Length <= 14 && (alone || WordBefore(i, 1) is var b && b >= 0 && _t[b].Is(TokenShape.Upper))
            && DeviceNounLookup.Contains(Span(n)))
        {
            return true;
        }

        if (alone && IsPunct(i - 1, '(') && InRange(n) && _t[n].Type == TokenType.Alnum && char.IsAsciiDigit(Span(n)[0]) && char.IsAsciiLetter(Span(n)[^1]))
        {
            return true;
        }

        // "mister fairbrother comes in with his wife": a verb after a lower-case surname, and the word after it.
        if (_t[i].Is(TokenShape.Lower) && i > 0 && _t[i].Length <= 12 && PairVerbs.Contains(Span(i)) && WordBefore(i, 1) is var s && s >= 0 && _run[s] != 0)
        {
            if (IsWord(i + 1) && _run[i + 1] != 0 && _kind[i + 1] == PhiKind.Name && _t[i + 1].Is(TokenShape.Lower) && IsFunctionWord(i + 1))
            {
                _run[i + 1] = 0;
            }

            return true;
        }

        return false;
    }

    /// <summary>
    /// The rules that start at a capitalized word, in one pass: a pair of a first name and a surname, a given name after a
    /// surname and comma, a first name that is also a word; at a word beside punctuation a nickname in quotes, a name before
    /// a comma and a credential, a name after a field label and its colon.
    /// </summary>
    private void MarkNamesAtCapitals()
    {
        for (var c = 0; c < _capCount; c++)
        {
            // The rules at any capitalized word, each behind a test of flags; then those beside punctuation.
            var i = _caps[c];
            TryCommonNamePair(i);
            TryReorderedGivenName(i);
            TryWordFirstName(i);

            // A test of the neighbours' types first: most capitalized words have no punctuation on either side.
            var before = i > 0 && _t[i - 1].Type == TokenType.Punct;
            var after = i + 1 < Count && _t[i + 1].Type == TokenType.Punct;
            if ((!before && !after) || _t[i].Type != TokenType.Word)
            {
                continue;
            }

            // Then the punctuation's character, so that a rule is called only where it could start.
            var previous = before ? _text[_t[i - 1].Start] : ' ';
            if (previous is '"' or '“' or '”')
            {
                TryQuotedNickname(i);
            }
            else if (previous == ',')
            {
                TryNameBeforeMoreCredential(i);
            }

            if (after && _run[i] == 0 && _text[_t[i + 1].Start] == ':')
            {
                TryNameAfterFieldLabel(i);
            }
        }
    }
}
